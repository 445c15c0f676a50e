"""The caseworker's judgement of one line: accept it as it stands, or change it with a reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.i18n.lazy import _l
from portal.web.fields import parse_kronor

AMOUNT_MAX = 10_000_000  # whole kronor, as the decision form


class AcceptForm(FlaskForm):
    """Only the CSRF token: the line is accepted at the amount it has."""


class KronorField(StringField):
    """A text field for whole kronor; its form's validator puts the parsed amount in ``kronor``."""

    kronor: int | None = None


class ChangeForm(FlaskForm):
    amount = KronorField(_l("New amount for the month (kronor)"))
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[
            DataRequired(message=_l("Write why you change the amount: the applicant reads it in the decision")),
            Length(max=2000, message=_l("The reason can be at most 2000 characters")),
        ],
    )

    def validate_amount(self, field) -> None:
        field.kronor = None
        if not (field.data or "").strip():
            raise ValidationError(_l("Enter the new amount in whole kronor, for example 6500 (0 if none is counted)"))
        value = parse_kronor(field.data)
        if value is None or value > AMOUNT_MAX:
            raise ValidationError(_l("Enter the amount in whole kronor, for example 6500"))
        field.kronor = value
