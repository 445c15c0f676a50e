"""The caseworker's handling forms. Each has its own prefix, so that several forms on one page
have unique field ids and names, and each carries its own CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from portal.case.forms import MAX_FILES, chosen_files
from portal.case.labels import OUTCOME_FOR_CASEWORKER, PAYMENT_STATE
from portal.case.states import GRANTING
from portal.i18n.lazy import _l
from portal.web.fields import OneOf, parse_date, parse_kronor
from portal.web.text import clean_text

TEXT_MAX = 5000
WHAT_MAX = 500
AMOUNT_MAX = 10_000_000  # whole kronor


def one_line(value: str | None) -> str | None:
    cleaned = clean_text(value)
    return " ".join(cleaned.split()) if cleaned is not None else None


class DateValue:
    """The field is a date (YYYY-MM-DD); its parsed value is kept in ``field.date``."""

    def __init__(self, message, required: bool = True, required_message=None):
        self.message = message
        self.required = required
        self.required_message = required_message

    def __call__(self, form, field):
        field.date = None
        if not (field.data or "").strip():
            if self.required:
                raise StopValidation(str(self.required_message or self.message))
            return
        field.date = parse_date(field.data)
        if field.date is None:
            raise StopValidation(str(self.message))


class KronorValue:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        field.kronor = None
        if not (field.data or "").strip():
            return
        field.kronor = parse_kronor(field.data)
        if field.kronor is None or not 0 < field.kronor <= AMOUNT_MAX:
            field.kronor = None
            raise StopValidation(str(self.message))


def _text_max(limit: int):
    return Length(max=limit, message=_l("Write at most %(max)d characters", max=limit))


class RegisterForm(FlaskForm):
    pass


class StartForm(FlaskForm):
    pass


class SeenForm(FlaskForm):
    """The caseworker marks the applicant's new answers and messages as seen: opening the case does
    not (a GET changes nothing, issue 13 point 11)."""


class AssignForm(FlaskForm):
    pass


class CloseForm(FlaskForm):
    pass


class ForwardForm(FlaskForm):
    destination = SelectField(
        _l("Forward to"),
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Choose the unit or municipality to forward the application to")),
            OneOf(_l("Choose the unit or municipality to forward the application to")),
        ],
    )
    reason = TextAreaField(
        _l("Reason (the applicant sees it)"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write why the application is forwarded")), _text_max(TEXT_MAX)],
    )


class SupplementForm(FlaskForm):
    what = StringField(
        _l("What is needed"),
        filters=[one_line],
        validators=[DataRequired(message=_l("Write what the applicant needs to send")), _text_max(WHAT_MAX)],
    )
    why = TextAreaField(
        _l("Why it is needed"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write why it is needed")), _text_max(TEXT_MAX)],
    )
    due_date = StringField(
        _l("Due date"),
        validators=[
            DateValue(
                _l("Enter the due date as a date, for example 2026-12-31"), required_message=_l("Enter the due date")
            )
        ],
    )
    item = SelectField(
        _l("About a fetched item (optional)"),
        validate_choice=False,
        validators=[OneOf(_l("Choose one of the application's fetched items, or none"))],
    )


class InterimForm(FlaskForm):
    text = TextAreaField(
        _l("Interim reply"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write the interim reply")), _text_max(TEXT_MAX)],
    )
    expected_by = StringField(
        _l("A decision can be expected by (optional)"),
        validators=[DateValue(_l("Enter the date as a date, for example 2026-12-31"), required=False)],
    )


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose the decision")), OneOf(_l("Choose the decision"))],
    )
    amount = StringField(
        _l("Amount granted (kronor)"),
        validators=[KronorValue(_l("Enter the amount in whole kronor, for example 7450"))],
    )
    period_start = StringField(
        _l("Period from"),
        validators=[
            DateValue(_l("Enter the first day of the period as a date, for example 2026-12-01"), required=False)
        ],
    )
    period_end = StringField(
        _l("Period to"),
        validators=[
            DateValue(_l("Enter the last day of the period as a date, for example 2026-12-31"), required=False)
        ],
    )
    reasoning = TextAreaField(
        _l("Reasoning"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write the reasoning for the decision")), _text_max(20000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, not in the class: WTForms warns on tuples there.
        self.outcome.choices = [(key, str(text)) for key, text in OUTCOME_FOR_CASEWORKER.items()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.outcome.data not in GRANTING:
            # Amount and period belong only to a granting decision: what else was typed there is ignored.
            for field in (self.amount, self.period_start, self.period_end):
                field.errors = []
            return not any(field.errors for field in self)
        if self.outcome.data in GRANTING:
            if not self.amount.errors and getattr(self.amount, "kronor", None) is None:
                self.amount.errors = [*self.amount.errors, str(_l("Enter the amount granted in whole kronor"))]
                valid = False
            for field, message in (
                (self.period_start, _l("Enter the first day of the period")),
                (self.period_end, _l("Enter the last day of the period")),
            ):
                if not field.errors and getattr(field, "date", None) is None:
                    field.errors = [*field.errors, str(message)]
                    valid = False
            start, end = getattr(self.period_start, "date", None), getattr(self.period_end, "date", None)
            if start and end and end < start:
                self.period_end.errors = [
                    *self.period_end.errors,
                    str(_l("The period must end on or after the day it starts")),
                ]
                valid = False
        return valid


class PaymentForm(FlaskForm):
    state = RadioField(
        _l("Payment"),
        validate_choice=False,
        validators=[
            DataRequired(message=_l("Choose the state of the payment")),
            OneOf(_l("Choose the state of the payment")),
        ],
    )
    amount = StringField(
        _l("Amount (kronor)"),
        validators=[
            DataRequired(message=_l("Enter the amount in whole kronor")),
            KronorValue(_l("Enter the amount in whole kronor, for example 7450")),
        ],
    )
    due_date = StringField(
        _l("Payment date"),
        validators=[
            DateValue(
                _l("Enter the payment date as a date, for example 2026-12-03"),
                required_message=_l("Enter the payment date"),
            )
        ],
    )
    external_ref = StringField(
        _l("Payment reference (optional; the same reference updates the payment)"),
        filters=[one_line],
        validators=[Optional(), _text_max(80)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [(key, str(text)) for key, text in PAYMENT_STATE.items()]


class NotHandledForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the applicant sees it)"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write why the application will not be handled")), _text_max(TEXT_MAX)],
    )


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message to the applicant"),
        filters=[clean_text],
        validators=[DataRequired(message=_l("Write your message")), _text_max(TEXT_MAX)],
    )
    reply_requested = BooleanField(_l("Ask the applicant to reply"))
    # PDF, JPEG or PNG, checked by content when stored (as the applicant's files are).
    files = MultipleFileField(_l("Attach files (optional)"))

    def validate_files(self, field):
        if len(chosen_files(field)) > MAX_FILES:
            raise ValidationError(str(_l("Choose at most %(max)d files at a time", max=MAX_FILES)))


class SearchForm(FlaskForm):
    """Read-only (GET): no CSRF."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by reference or case number"), filters=[lambda v: (v or "").strip()])

    def validate_q(self, field):
        if len(field.data) > 40:
            raise ValidationError(str(_l("Write at most %(max)d characters", max=40)))


# Every action form with its prefix (field ids and names start with it).
PREFIXES = {
    "register": RegisterForm,
    "start": StartForm,
    "assign": AssignForm,
    "forward": ForwardForm,
    "supplement": SupplementForm,
    "interim": InterimForm,
    "decision": DecisionForm,
    "payment": PaymentForm,
    "close": CloseForm,
    "nothandled": NotHandledForm,
    "message": MessageForm,
    "seen": SeenForm,
}
