"""Form input as people type it, for every area's forms: dates from a date input, whole kronor in any
script, one of the field's choices with the service's own message."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TypeVar

from wtforms.validators import StopValidation

T = TypeVar("T")


def held(data: T | None) -> T:
    """A required field's data once the form validated: its DataRequired or InputRequired held, so it is
    there (WTForms types every field's data as optional). Raises if called before validation held."""
    if data is None:
        raise ValueError("a required field is empty: call held() only after the form validated")
    return data


def parse_date(text: str | None) -> date | None:
    """A date as YYYY-MM-DD (what a date input sends); None when not one."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_kronor(text: str | None) -> int | None:
    """Whole kronor as people type them: digits of any script, spaces between thousands,
    ``kr`` after. None when not a whole, positive amount."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = re.sub(r"(kr\.?|kronor|sek|:-)$", "", text).strip()
    digits = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.decimal(ch, None) is not None else ch
        for ch in text
        if not ch.isspace() and ch not in "'\u066c"
    )
    if not re.fullmatch(r"\d{1,9}", digits):
        return None
    return int(digits)


class OneOf:
    """One of the field's choices, with a message of our own instead of WTForms'."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {value for value, _label in field.choices}:
            raise StopValidation(str(self.message))
