from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from portal.i18n.lazy import _l


class ConsentForm(FlaskForm):
    # Choosing nothing is a valid answer: the application can go on without fetched data.
    units = SelectMultipleField(_l("What may we fetch?"), choices=[], validate_choice=True)
