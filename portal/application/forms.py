from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.i18n.lazy import _l


class StartForm(FlaskForm):
    period = RadioField(
        _l("Which month are you applying for?"),
        validators=[InputRequired(message=_l("Choose the month you are applying for"))],
    )
    folkbokforing = BooleanField(
        _l("I agree that you fetch my address and household from the population register at Skatteverket"),
        validators=[
            DataRequired(
                message=_l(
                    "Agree to the fetch from the population register, so we know your household and municipality"
                )
            )
        ],
    )


class EmergencyForm(FlaskForm):
    """A second application for a month already applied for: only on purpose, with the reason."""

    period = RadioField(
        _l("Which month do you need emergency help for?"),
        validators=[InputRequired(message=_l("Choose the month you need emergency help for"))],
    )
    reason = TextAreaField(
        _l("What has happened that cannot wait?"),
        validators=[
            DataRequired(message=_l("Tell the municipality what has happened that cannot wait")),
            Length(max=1000, message=_l("Write at most 1,000 characters")),
        ],
    )
    folkbokforing = BooleanField(
        _l("I agree that you fetch my address and household from the population register at Skatteverket"),
        validators=[
            DataRequired(
                message=_l(
                    "Agree to the fetch from the population register, so we know your household and municipality"
                )
            )
        ],
    )


class SubmitForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm that the information is correct and complete as far as I know"),
        validators=[
            DataRequired(message=_l("Confirm that the information is correct before you send the application"))
        ],
    )
