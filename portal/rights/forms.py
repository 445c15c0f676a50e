"""The accessibility feedback form: what went wrong, where, and (only if they want an answer) how to
reach the person. No login, so nothing else is known about them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.i18n.lazy import _l


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FeedbackForm(FlaskForm):
    problem = TextAreaField(
        _l("What did not work?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Describe the problem you met")),
            Length(max=4000, message=_l("Describe the problem in at most 4,000 characters")),
        ],
    )
    page = StringField(
        _l("Which page or document was it? (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=500, message=_l("Name the page in at most 500 characters"))],
    )
    contact = StringField(
        _l("Your e-mail address, if you want an answer (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=254, message=_l("The e-mail address can be at most 254 characters"))],
    )

    def validate_contact(self, field):
        if not field.data:
            return
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("Enter an e-mail address in the right format, like name@example.com")) from None
