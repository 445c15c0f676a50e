"""The applicant's forms on a case: answering a request, writing a message, withdrawing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, ValidationError

from portal.i18n.lazy import _l
from portal.supplements.forms import TextAtMost
from portal.web.text import clean_text

TEXT_MAX = 5000
REASON_MAX = 1000
MAX_FILES = 10  # at one time; the application's own limit (30 in all) applies as well


def _too_long(count: str) -> str:
    return _("Write at most 5 000 characters (you have written %(count)s)", count=count)


def _reason_too_long(count: str) -> str:
    return _("Write at most 1 000 characters (you have written %(count)s)", count=count)


def chosen_files(field) -> list:
    """The files actually chosen: a browser sends an empty part when none is."""
    return [f for f in (field.data or []) if f and getattr(f, "filename", "")]


def _files_field():
    return MultipleFileField(_l("Attach files (optional)"))


class _WithFiles(FlaskForm):
    """Files come after the text, so the error summary follows the page's order."""

    def validate_files(self, field):
        if len(chosen_files(field)) > MAX_FILES:
            raise ValidationError(_("Choose at most %(max)d files at a time", max=MAX_FILES))


class AnswerForm(_WithFiles):
    text = TextAreaField(_l("Your answer"), filters=[clean_text], validators=[TextAtMost(TEXT_MAX, _too_long)])
    files = _files_field()


class MessageForm(_WithFiles):
    body = TextAreaField(
        _l("Your message"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write your message")), TextAtMost(TEXT_MAX, _too_long)],
    )
    files = _files_field()


class DocumentForm(_WithFiles):
    """A document the applicant said would come later: the file (at least one), and a note if they wish."""

    # The file first, on the page and in the error summary: it is what the page is for.
    files = MultipleFileField(_l("Choose the document"))
    note = TextAreaField(
        _l("A note for the municipality (optional)"),
        filters=[clean_text],
        validators=[TextAtMost(TEXT_MAX, _too_long)],
    )

    def validate_files(self, field):
        super().validate_files(field)
        if not chosen_files(field):
            raise ValidationError(_("Choose the file to send"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you withdrawing the application? (optional)"),
        filters=[clean_text],
        validators=[TextAtMost(REASON_MAX, _reason_too_long)],
    )
