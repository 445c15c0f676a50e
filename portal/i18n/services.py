from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import format_currency, format_date, format_datetime, get_locale

SUPPORTED = ("sv", "en", "ar")
DEFAULT = "sv"
COOKIE = "portal_lang"  # "__Host-portal_lang" in production: cookie_name()
# Each language named in itself, so a reader finds their own language whatever the page's.
NATIVE_NAMES = {"sv": "Svenska", "en": "English", "ar": "العربية"}


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
    return request.accept_languages.best_match(SUPPORTED) or DEFAULT


def text_direction(locale: str | None = None) -> str:
    return Locale.parse(locale or str(get_locale())).text_direction


def money(ore: int) -> str:
    """Amounts are kept as integer öre; shown in kronor in the reader's locale."""
    return format_currency(ore / 100, "SEK")


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
