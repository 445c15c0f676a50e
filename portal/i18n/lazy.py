"""Lazy translations, typed as the text they stand for."""

from typing import Any, cast

from flask_babel.speaklater import LazyString

from portal.i18n import cached


def _l(string: str, **variables: Any) -> str:
    """`flask_babel.lazy_gettext`, typed as `str`.

    A LazyString is translated when it is rendered or turned into text, so it is made at import time for
    form labels, validator messages and label tables. WTForms and the portal's own tables declare those
    parameters as `str`; a LazyString behaves as one wherever they use it (rendering, formatting, `str()`),
    but is not a subclass, so the type checker would refuse each of them. It is translated through the
    request's translations looked up once (:func:`portal.i18n.cached.gettext`), as the templates' texts are:
    a page of many labels turns hundreds of them into text."""
    return cast(str, LazyString(cached.gettext, string, **variables))
