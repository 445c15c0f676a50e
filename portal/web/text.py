"""Cleaning free text from users: any language and emoji are welcome; control characters
(except new lines and tabs) and bidirectional overrides that could disguise text are not."""

from __future__ import annotations

import unicodedata

_ALLOWED_CONTROLS = {"\n", "\t"}
# Explicit directional overrides and isolates can make text display differently from what it
# is; marks (LRM/RLM) are harmless and common in mixed Arabic and Swedish text.
_BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = [
        ch for ch in value if ch in _ALLOWED_CONTROLS or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    ]
    return "".join(kept).strip()
