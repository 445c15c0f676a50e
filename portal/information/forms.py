from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.i18n.lazy import _l
from portal.web.text import clean_text

COMMENT_MAX = 1000


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Your comment"),
        filters=[clean_text],
        validators=[
            Length(max=COMMENT_MAX, message=_l("Write at most %(max)d characters (you have written %(length)d)"))
        ],
    )
