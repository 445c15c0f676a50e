from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.i18n.lazy import _l

REASON_MAX = 150
# Ten or twelve digits, grouped or not (19900602-2397, 900602-2397, 199006022397): a personnummer or
# samordningsnummer has no place in the reason, which goes into the audit log.
_PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")


def _no_personnummer(form, field):
    if field.data and _PERSONNUMMER.search(field.data):
        raise ValidationError(_l("Do not write a personal identity number in the reason"))


class RequeueForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the application sent again?"),
        validators=[
            DataRequired(message=_l("Write why the application is sent again")),
            Length(max=REASON_MAX, message=_l("Write at most %(max)s characters", max=REASON_MAX)),
            _no_personnummer,
        ],
    )
