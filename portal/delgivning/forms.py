from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import ValidationError

from portal import clock
from portal.i18n.lazy import _l
from portal.web.fields import parse_date


class PrintQueueForm(FlaskForm):
    """The letters chosen in the print queue, and (for "confirm sent") the day they were posted."""

    letters = SelectMultipleField(_l("Decisions to post"), choices=[], validate_choice=False)
    sent_on = StringField(_l("Posted on (YYYY-MM-DD)"))

    def validate_letters(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one decision"))
        known = {value for value, _ in field.choices}
        if not set(field.data) <= known:
            raise ValidationError(_l("A chosen decision is no longer in the print queue. Choose again."))

    def posted_on(self):
        """The posting day for "confirm sent": today when left empty; an error when not a past date."""
        text = (self.sent_on.data or "").strip()
        if not text:
            return clock.today()
        day = parse_date(text)
        if day is None:
            self.sent_on.errors = [
                _l("Write the date as YYYY-MM-DD, for example %(date)s", date=clock.today().isoformat())
            ]
            return None
        if day > clock.today():
            self.sent_on.errors = [_l("The date cannot be in the future")]
            return None
        return day
