"""Strict reading of what a municipality system sends: one JSON object, no duplicate keys, no
NaN, no unknown fields, exact types, texts without control characters. Every refusal names the
field (a JSON Pointer, RFC 6901) and says what is wrong; the handler answers 400 with it.

The rules here and the schemas in ``openapi.json`` describe the same thing: a request valid by
the description passes here (except rules a schema cannot state, such as a due date in the past,
which the case operations refuse), and one invalid by it is refused here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Literal, TypeGuard, overload

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

MAX_BODY_BYTES = 16 * 1024 * 1024  # a decision PDF of 10 MiB in base64, with room for the rest
MAX_PDF_BYTES = 10 * 1024 * 1024
# Texts: printable, with line breaks and tabs; at least one character that is not white space.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
MAX_INT = 2**31 - 1


class BadInput(ValueError):
    """The request is not acceptable; ``pointer`` says where, ``detail`` what."""

    def __init__(self, pointer: str, detail: str):
        super().__init__(f"{pointer}: {detail}" if pointer else detail)
        self.pointer = pointer
        self.detail = detail


class NotJson(ValueError):
    """The body is not declared as JSON (answered 415)."""


def _reject_constant(name: str):
    raise BadInput("", f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise BadInput(f"/{key}", "the field is given twice")
        seen[key] = value
    return seen


def is_json(mimetype: str) -> bool:
    """``application/json`` or a JSON-based type (``application/<something>+json``, RFC 6839)."""
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def json_body() -> dict:
    """The request's body as a JSON object (``Content-Type: application/json`` or ``+json``)."""
    if not is_json(request.mimetype):
        raise NotJson()
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()  # answered 413 by the blueprint's error handler
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError:
        raise BadInput("", "the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput("", f"the body is not valid JSON: {exc.msg} at position {exc.pos}") from None
    if not isinstance(body, dict):
        raise BadInput("", "the body must be a JSON object")
    return body


def _is_json_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_string(value: object) -> TypeGuard[str]:
    return isinstance(value, str)


class Fields:
    """Take fields out of an object one by one; ``done()`` refuses whatever is left over."""

    def __init__(self, data: dict, pointer: str = ""):
        self.data = dict(data)
        self.pointer = pointer

    def _at(self, name: str) -> str:
        return f"{self.pointer}/{name}"

    def _take(self, name: str, required: bool, accept: Callable[[object], object], what: str):
        """The field's value, ``None`` when it is absent or null and may be; refused unless
        ``accept`` takes it, with "must be ``what``"."""
        value = self.data.pop(name, None)
        if value is None:
            if required:
                raise BadInput(self._at(name), "the field is required")
            return None
        if not accept(value):
            raise BadInput(self._at(name), f"must be {what}")
        return value

    # Each reader's overloads say what ``_take`` guarantees: a required field has a value (or is refused).
    @overload
    def text(self, name: str, max_length: int, required: Literal[True] = True) -> str: ...
    @overload
    def text(self, name: str, max_length: int, required: bool) -> str | None: ...
    def text(self, name: str, max_length: int, required: bool = True) -> str | None:
        value = self._take(name, required, _is_string, "a string")
        if value is None:
            return None
        if len(value) > max_length:
            raise BadInput(self._at(name), f"must be at most {max_length} characters")
        if _CONTROL.search(value):
            raise BadInput(self._at(name), "must not contain control characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput(self._at(name), "must be valid Unicode text") from None
        if not value.strip():
            raise BadInput(self._at(name), "must not be empty")
        return value.strip()

    @overload
    def pattern(self, name: str, regex: re.Pattern, what: str, required: Literal[True] = True) -> str: ...
    @overload
    def pattern(self, name: str, regex: re.Pattern, what: str, required: bool) -> str | None: ...
    def pattern(self, name: str, regex: re.Pattern, what: str, required: bool = True) -> str | None:
        return self._take(name, required, lambda value: _is_string(value) and regex.fullmatch(value), what)

    @overload
    def integer(self, name: str, low: int, high: int = MAX_INT, required: Literal[True] = True) -> int: ...
    @overload
    def integer(self, name: str, low: int, high: int = MAX_INT, *, required: bool) -> int | None: ...
    def integer(self, name: str, low: int, high: int = MAX_INT, required: bool = True) -> int | None:
        # JSON's true and false are not numbers, though Python's bool is an int; and JSON Schema counts a
        # number with a zero fraction (2311556.0) as an integer, so the description admits it and so do we.
        value = self._take(name, required, _is_json_integer, "an integer")
        if value is not None:
            value = int(value)
        if value is not None and not low <= value <= high:
            raise BadInput(self._at(name), f"must be between {low} and {high}")
        return value

    def boolean(self, name: str, required: bool = False) -> bool | None:
        return self._take(name, required, lambda value: isinstance(value, bool), "true or false")

    @overload
    def date(self, name: str, required: Literal[True] = True) -> date: ...
    @overload
    def date(self, name: str, required: bool) -> date | None: ...
    def date(self, name: str, required: bool = True) -> date | None:
        value = self._take(name, required, lambda value: _is_string(value) and _DATE.match(value), "a date, YYYY-MM-DD")
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadInput(self._at(name), "must be a real date, YYYY-MM-DD") from None

    @overload
    def choice(self, name: str, choices, required: Literal[True] = True) -> str: ...
    @overload
    def choice(self, name: str, choices, required: bool) -> str | None: ...
    def choice(self, name: str, choices, required: bool = True) -> str | None:
        return self._take(
            name, required, lambda value: _is_string(value) and value in choices, f"one of: {', '.join(choices)}"
        )

    def pdf(self, name: str, required: bool = False) -> bytes | None:
        """A PDF as standard base64 (RFC 4648 §4, padded, no line breaks)."""
        value = self._take(name, required, _is_string, "a base64 string")
        if value is None:
            return None
        if len(value) > (MAX_PDF_BYTES * 4) // 3 + 4:
            raise BadInput(self._at(name), f"must be at most {MAX_PDF_BYTES} bytes")
        try:
            document = base64.b64decode(value.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raise BadInput(self._at(name), "must be standard base64") from None
        if not document.startswith(b"%PDF-"):
            raise BadInput(self._at(name), "must be a PDF (starting with %PDF-)")
        return document

    def done(self) -> None:
        if self.data:
            name = sorted(self.data)[0]
            raise BadInput(self._at(name), "unknown field")


def idempotency_key() -> str | None:
    """The ``Idempotency-Key`` header: 1-100 visible ASCII characters, or none."""
    values = request.headers.getlist("Idempotency-Key")
    if not values:
        return None
    if len(values) > 1 or not _IDEMPOTENCY_KEY.match(values[0]):
        raise BadInput("", "the Idempotency-Key header must be 1-100 visible ASCII characters, given once")
    return values[0]
