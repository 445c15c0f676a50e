"""The applicant's appeal, and the caseworker's reconsideration and forwarding."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from portal import clock
from portal.appeal.services import OPINION_MAX, TEXT_MAX
from portal.appeal.states import Reconsideration
from portal.i18n.lazy import _l
from portal.supplements.forms import TextAtMost
from portal.web.fields import OneOf, parse_date
from portal.web.text import clean_text


def _too_long(count: str) -> str:
    return _("Write at most 5 000 characters (you have written %(count)s)", count=count)


def _opinion_too_long(count: str) -> str:
    return _("Write at most 10 000 characters (you have written %(count)s)", count=count)


class AppealForm(FlaskForm):
    change = TextAreaField(
        _l("How do you want the decision to be changed?"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Write how you want the decision to be changed")),
            TextAtMost(TEXT_MAX, _too_long),
        ],
    )
    reasons = TextAreaField(
        _l("Why do you think the decision is wrong?"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Write why you think the decision is wrong")),
            TextAtMost(TEXT_MAX, _too_long),
        ],
    )


class ReconsiderForm(FlaskForm):
    outcome = RadioField(
        _l("Result of the reconsideration"),
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Choose whether the decision is kept or changed")),
            OneOf(_l("Choose whether the decision is kept or changed")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after binding, as the inbox's forms do (WTForms warns about choices given at declaration).
        self.outcome.choices = [
            (Reconsideration.KEPT, str(_l("The decision is kept"))),
            (Reconsideration.CHANGED, str(_l("The decision is changed"))),
        ]

    note = TextAreaField(
        _l("The reconsideration (what was considered, and what changes)"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Write what the reconsideration came to")),
            TextAtMost(TEXT_MAX, _too_long),
        ],
    )


class ForwardForm(FlaskForm):
    opinion = TextAreaField(
        _l("The municipality's opinion to the administrative court"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Write the municipality's opinion")),
            TextAtMost(OPINION_MAX, _opinion_too_long),
        ],
    )
    forwarded_on = StringField(_l("Forwarded on (YYYY-MM-DD, empty for today)"))

    def validate_forwarded_on(self, field):
        text = (field.data or "").strip()
        if not text:
            return
        day = parse_date(text)
        if day is None:
            raise ValidationError(
                _("Write the date as YYYY-MM-DD, for example %(date)s", date=clock.today().isoformat())
            )
        if day > clock.today():
            raise ValidationError(_("The date cannot be in the future"))

    @property
    def day(self):
        return parse_date((self.forwarded_on.data or "").strip()) if (self.forwarded_on.data or "").strip() else None
