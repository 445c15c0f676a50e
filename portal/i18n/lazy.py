"""Lazy translations, typed as the text they stand for."""

from typing import Any, cast

from flask_babel import lazy_gettext


def _l(string: str, **variables: Any) -> str:
    """`flask_babel.lazy_gettext`, typed as `str`.

    A LazyString is translated when it is rendered or turned into text, so it is made at import time for
    form labels, validator messages and label tables. WTForms and the portal's own tables declare those
    parameters as `str`; a LazyString behaves as one wherever they use it (rendering, formatting, `str()`),
    but is not a subclass, so the type checker would refuse each of them."""
    return cast(str, lazy_gettext(string, **variables))
