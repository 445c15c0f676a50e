from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField
from wtforms.validators import DataRequired, InputRequired


class StartForm(FlaskForm):
    period = RadioField(_l("Which month are you applying for?"),
                        validators=[InputRequired(message=_l("Choose the month you are applying for"))])
    folkbokforing = BooleanField(
        _l("I agree that you fetch my address and household from the population register at Skatteverket"),
        validators=[DataRequired(message=_l(
            "Agree to the fetch from the population register, so we know your household and municipality"))])


class SubmitForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm that the information is correct and complete as far as I know"),
        validators=[DataRequired(message=_l(
            "Confirm that the information is correct before you send the application"))])
