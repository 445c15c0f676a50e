from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField


class ConsentForm(FlaskForm):
    # Choosing nothing is a valid answer: the application can go on without fetched data.
    units = SelectMultipleField(_l("What may we fetch?"), choices=[], validate_choice=True)
