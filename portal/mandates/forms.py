from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.i18n.lazy import _l
from portal.mandates.models import FORVALTARE, GOD_MAN, MESSAGES, PREPARE, SUBMIT, VIEW
from portal.mandates.services import clean_personnummer

SCOPE_CHOICES = [
    (VIEW, _l("See applications and their status")),
    (PREPARE, _l("Prepare an application: consent, fetch information, add supplements, comments and attachments")),
    (SUBMIT, _l("Sign and send applications on my behalf")),
    (MESSAGES, _l("Read and send messages about my cases")),
]


class DayField(DateField):
    """A date as YYYY-MM-DD whose format error speaks to the person, not the library's default."""

    def __init__(self, label, invalid_message, **kwargs):
        super().__init__(label, format="%Y-%m-%d", **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


def _valid_personnummer(form, field):
    if field.data and clean_personnummer(field.data) is None:
        raise ValidationError(_l("Enter a valid personal identity number with 12 digits, like 19640415-3832"))


class GrantForm(FlaskForm):
    proxy_personnummer = StringField(
        _l("The personal identity number of the person you give the mandate to"),
        validators=[
            DataRequired(message=_l("Enter the personal identity number of the person you give the mandate to")),
            _valid_personnummer,
        ],
    )
    proxy_name = StringField(
        _l("Their name (optional)"),
        validators=[Optional(), Length(max=200, message=_l("Enter at most 200 characters for the name"))],
    )
    scopes = SelectMultipleField(
        _l("What may they do for you?"),
        choices=[],
        validators=[DataRequired(message=_l("Choose at least one thing the person may do for you"))],
    )
    valid_until = DayField(
        _l("Valid until"),
        _l("Enter the last day as year-month-day, like 2027-03-31"),
        validators=[InputRequired(message=_l("Enter the last day the mandate is valid, like 2027-03-31"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = list(SCOPE_CHOICES)


class ChooseForm(FlaskForm):
    acting_for = RadioField(
        _l("Whose affairs do you want to handle?"),
        validators=[InputRequired(message=_l("Choose whose affairs you want to handle"))],
    )


class LegalForm(FlaskForm):
    kind = RadioField(
        _l("Kind of legal representative"),
        choices=[],
        validators=[InputRequired(message=_l("Choose god man or förvaltare"))],
    )
    decision_reference = StringField(
        _l("The överförmyndare's decision reference"),
        validators=[DataRequired(message=_l("Enter the reference of the överförmyndare's decision")), Length(max=60)],
    )
    principal_personnummer = StringField(
        _l("Personal identity number of the person represented"),
        validators=[
            DataRequired(message=_l("Enter the personal identity number of the person represented")),
            _valid_personnummer,
        ],
    )
    principal_name = StringField(
        _l("Name of the person represented"),
        validators=[DataRequired(message=_l("Enter the name of the person represented")), Length(max=200)],
    )
    representative_personnummer = StringField(
        _l("Personal identity number of the legal representative"),
        validators=[
            DataRequired(message=_l("Enter the personal identity number of the legal representative")),
            _valid_personnummer,
        ],
    )
    representative_name = StringField(
        _l("Name of the legal representative"),
        validators=[DataRequired(message=_l("Enter the name of the legal representative")), Length(max=200)],
    )
    scopes = SelectMultipleField(
        _l("What the decision covers"),
        choices=[],
        validators=[DataRequired(message=_l("Choose at least one thing the decision covers"))],
    )
    valid_from = DayField(
        _l("Valid from"),
        _l("Enter the first day as year-month-day, like 2026-12-01"),
        validators=[InputRequired(message=_l("Enter the first day of the decision, like 2026-12-01"))],
    )
    valid_until = DayField(
        _l("Valid until"),
        _l("Enter the last day as year-month-day, like 2027-11-30"),
        validators=[InputRequired(message=_l("Enter the last day of the decision, like 2027-11-30"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = list(SCOPE_CHOICES)
        self.kind.choices = [(GOD_MAN, _l("God man")), (FORVALTARE, _l("Förvaltare"))]


class RefuseForm(FlaskForm):
    """The second administrator refuses a legal representative's registration, and says why."""

    reason = TextAreaField(
        _l("Why is the registration refused?"),
        validators=[
            DataRequired(message=_l("Enter why the registration is refused")),
            Length(max=500, message=_l("Enter at most 500 characters")),
        ],
    )
