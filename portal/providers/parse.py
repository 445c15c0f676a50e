"""Strict reading of raw payloads, shared by the normalisers: a missing key, a wrong type or an
unparseable date is drift, which the adapter reports as ``unexpected_format`` and never shows."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, TypeVar, overload

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T")


class Drift(Exception):
    """The payload does not have the provider's shape; the argument names where."""


# The overloads tell the type checker what the checks below guarantee: a value of the kind asked for,
# None only where it was allowed.
@overload
def get(raw: Any, key: str, kind: type[T], optional: Literal[False] = False) -> T: ...
@overload
def get(raw: Any, key: str, kind: type[T], optional: bool) -> T | None: ...
@overload
def get(raw: Any, key: str, kind: tuple[type, ...], optional: bool = False) -> Any: ...
def get(raw, key: str, kind, optional: bool = False):
    if not isinstance(raw, dict) or key not in raw:
        raise Drift(key)
    value = raw[key]
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Drift(key)
    return value


@overload
def iso_date(raw: Any, key: str, optional: Literal[False] = False) -> date: ...
@overload
def iso_date(raw: Any, key: str, optional: bool) -> date | None: ...
def iso_date(raw, key: str, optional: bool = False) -> date | None:
    text = get(raw, key, str, optional)
    if text is None:
        return None
    if not _ISO_DATE.fullmatch(text):
        raise Drift(key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Drift(key) from None


def code(raw, key: str, allowed: set[str]) -> str:
    value = get(raw, key, str)
    if value not in allowed:
        raise Drift(key)
    return value
