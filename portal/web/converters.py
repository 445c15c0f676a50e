"""URL converters shared by every route.

``<int:...>`` is replaced by :class:`BoundedInt`: an id in a path is a database key (a 32-bit
``Integer`` column), so a number outside ``0 .. 2**31 - 1`` cannot name anything and answers 404
before a view or the database sees it (a larger number overflows SQLite's and PostgreSQL's
integers: a 500 with a traceback).
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        # Checked on the text first: Python refuses to parse very long digit strings (ValueError).
        if len(value.lstrip("-")) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def register(app) -> None:
    """Before any blueprint adds its rules: the converter is looked up when a rule is bound."""
    app.url_map.converters["int"] = BoundedInt
