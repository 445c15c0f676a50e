"""The formatting and translation lookups a page makes hundreds of times, made cheap (issue 15, point 5).

Babel applies a locale's patterns on every call (tens of microseconds a value), and Flask-Babel resolves its
request context three times on every gettext call; a page of 60 items does both hundreds of times. What is
cached depends only on what is in its key, so no page can show another's values or language."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from flask import g
from flask_babel import format_time, get_locale, get_timezone, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.i18n import services

# ``g``'s own object, read once a call: each attribute read through the ``g`` proxy cost more than the lookup it
# served (1.6 of the 1.9 µs a translation lookup took, hundreds of lookups a page; Flask-Babel's ``get_locale``
# reads the proxy five times).
_app_globals = cast(Any, g)._get_current_object


def _babel() -> Any:
    """Flask-Babel's values for this app context (None outside one, or before its first lookup)."""
    try:
        return _app_globals().get("_flask_babel")
    except RuntimeError:
        return None


def locale_code() -> str:
    """``str(get_locale())``, from where Flask-Babel keeps the locale once it has worked it out (``force_locale``
    sets it there too)."""
    locale = getattr(_babel(), "babel_locale", None)
    return str(locale if locale is not None else get_locale())


def _zone() -> str:
    """``str(get_timezone())``, likewise."""
    zone = getattr(_babel(), "babel_tzinfo", None)
    return str(zone if zone is not None else get_timezone())


# The answer depends on the locale, the value and, for a datetime, the reader's time zone: all in the key.
# The formatting itself runs in the current request, whose locale is the key's.
@lru_cache(maxsize=16384)
def _formatted(kind: str, locale: str, zone: str | None, value) -> str:
    return getattr(services, kind)(value)


def money(ore: int) -> str:
    return _formatted("money", locale_code(), None, ore)


def day(value) -> str:
    if value is None:
        return ""
    # a datetime's day is the day in the reader's time zone
    return _formatted("day", locale_code(), _zone() if isinstance(value, datetime) else None, value)


def moment(value) -> str:
    if value is None:
        return ""
    return _formatted("moment", locale_code(), _zone(), value)


def month(value) -> str:
    if value is None:
        return ""
    return _formatted("month", locale_code(), _zone() if isinstance(value, datetime) else None, value)


def translations():
    """The current translations, looked up once per request and locale. ``force_locale`` (a notice in its
    reader's language) sets another locale object, which the identity check follows."""
    try:
        app_globals = _app_globals()
    except RuntimeError:  # outside an app context: Flask-Babel's own answer
        return get_translations()
    context = app_globals.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    cached = getattr(context, "portal_translations", None)
    if locale is not None and cached is not None and cached[0] is locale:
        return cached[1]
    found = get_translations()
    context = app_globals.get("_flask_babel")  # Flask-Babel makes it on its first lookup
    locale = getattr(context, "babel_locale", None)
    if context is not None and locale is not None:
        context.portal_translations = (locale, found)
    return found


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext``, through the translations looked up once per request and locale."""
    found = translations().ugettext(string)
    return found if not variables else found % variables


# The time of day as a fetch shows it: the locale's short time, in the reader's zone (all in the key).
@lru_cache(maxsize=16384)
def _fetched(locale: str, zone: str, value: datetime) -> str:
    return gettext("%(day)s at %(time)s", day=services.day(value), time=format_time(value, "short"))


def fetched(value: datetime) -> str:
    """When something was fetched: the date as every date on the page, and the time without seconds."""
    return _fetched(locale_code(), _zone(), value)


def install(app) -> None:
    """The template filters and Jinja's gettext callables (in place of Flask-Babel's), for ``app``."""
    app.jinja_env.filters.update(money=money, day=day, moment=moment, month=month)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # ``_`` (some sixty calls on every page) straight to the translation: Jinja's own goes through an alias that
    # looks ``gettext`` up in the context and then through a wrapper, three context calls a string. No template
    # context sets ``gettext``, so the alias always found the global this replaces; same result, the newstyle
    # rules included (escaped under autoescape, always formatted).
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext)


@pass_context
def _template_gettext(context: Context, string: str, **variables) -> str:
    """Jinja's newstyle ``gettext`` (jinja2.ext), over :func:`translations` without the context calls between."""
    found = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        found = Markup(found)
    # Jinja formats every string, variables or not (so "%%" reads "%" everywhere); a string without any "%" comes
    # out of that as it went in, and most strings have none: their formatting (a new Markup, escaping) is skipped.
    return found % variables if variables or "%" in found else found
