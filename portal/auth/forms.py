from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.i18n.lazy import _l


class EndSessionsForm(FlaskForm):
    """Whose sessions an administrator ends: a citizen by personnummer, or a staff member by their
    identity at the organisation's identity provider (sent in the form's body, never in a URL)."""

    identity = StringField(
        _l("Personnummer or staff identity"),
        validators=[DataRequired(message=_l("Enter a personnummer or a staff identity.")), Length(max=128)],
    )
