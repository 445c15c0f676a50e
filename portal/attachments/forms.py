from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length

from portal.i18n.lazy import _l
from portal.web.text import clean_text


class UploadForm(FlaskForm):
    file = FileField(_l("Choose a file"), validators=[FileRequired(message=_l("Choose a file to upload"))])
    documents = SelectField(_l("What does the file show? (optional)"), choices=[], validate_choice=True)
    description = StringField(
        _l("Describe the file (optional)"),
        filters=[clean_text],
        validators=[Length(max=500, message=_l("Describe the file in at most 500 characters"))],
    )
