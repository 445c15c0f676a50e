from __future__ import annotations

import os
import re
from datetime import date, datetime

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, get_locale
from markupsafe import Markup

from portal.config import REPO_ROOT

# The languages the portal offers. Enabling a language is adding its code here, once its catalog
# (translations/<code>/LC_MESSAGES/messages.po) is complete and `portal i18n check` passes with it.
ENABLED = ("sv", "en", "ar", "so", "fa", "ti", "uk", "fi")
# Each language named in itself, so a reader finds their own language whatever the page's.
NATIVE_NAMES = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "so": "Soomaali",
    "fa": "فارسی",
    "ti": "ትግርኛ",
    "uk": "Українська",
    "fi": "Suomi",
}
# A developer's or test run's preview of languages not enabled yet (PORTAL_I18N_PREVIEW=fa,ti):
# only those with a catalog; never set in production, where ENABLED alone decides.
PREVIEW = tuple(
    code
    for code in os.environ.get("PORTAL_I18N_PREVIEW", "").replace(" ", "").split(",")
    if code in NATIVE_NAMES
    and code not in ENABLED
    and (REPO_ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").exists()
)
SUPPORTED = ENABLED + PREVIEW
DEFAULT = "sv"
COOKIE = "portal_lang"  # "__Host-portal_lang" in production: cookie_name()
PERSON_LANGUAGE = "person_language"  # the session key: the language a logged-in person chose before


def cookie_name() -> str:
    return current_app.config["PORTAL"].cookie_name(COOKIE)


def select_locale() -> str:
    if not has_request_context():
        # A worker or a command renders in the reader's language through force_locale; anything
        # else outside a request (a log line, a CLI report) is in the default language.
        return DEFAULT
    chosen = request.cookies.get(cookie_name())
    if chosen in SUPPORTED:
        return chosen
    # No choice in this browser: the language the person chose earlier (stored with their contact
    # details, put in the session at login), then the browser's wish, then Swedish.
    remembered = session.get(PERSON_LANGUAGE)
    if remembered in SUPPORTED:
        return remembered
    return request.accept_languages.best_match(SUPPORTED) or DEFAULT


def text_direction(locale: str | None = None) -> str:
    return Locale.parse(locale or str(get_locale())).text_direction


# CLDR's currency spacing (currencySpacing/beforeCurrency, afterCurrency), which Babel does not
# apply: a symbol made of letters is kept apart from the digits by a no-break space, so English
# reads "SEK 13,329.36", not "SEK13,329.36".
_LETTERS_THEN_DIGIT = re.compile(r"([^\W\d_])(?=[\d\u066b\u066c\u0660-\u0669\u06f0-\u06f9])")
_DIGIT_THEN_LETTERS = re.compile(r"([\d\u0660-\u0669\u06f0-\u06f9])(?=[^\W\d_])")


def money(ore: int) -> str:
    """Amounts are kept as integer öre; shown in kronor in the reader's locale: the locale's own
    number pattern (CLDR) and currency sign ("kr" in Swedish, "SEK" elsewhere)."""
    text = format_currency(ore / 100, "SEK")
    text = _LETTERS_THEN_DIGIT.sub("\\1\u00a0", text)
    return _DIGIT_THEN_LETTERS.sub("\\1\u00a0", text)


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="long")


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, format="medium")


def month(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="LLLL y")


def isolate(value) -> Markup:
    """A name, reference, amount, date or Swedish term as its own bidirectional island (<bdi>), so
    that inside right-to-left text "Arbetsförmedlingen (معلومات إضافية) – Amina Yusuf" keeps its
    order, and an Arabic name inside left-to-right text keeps its own."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>{}</bdi>").format(value)
