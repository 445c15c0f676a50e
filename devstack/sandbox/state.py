"""Per-app sandbox state, kept in ``app.extensions["sandbox"]``."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from .faults import FaultBook
from .persons import PersonStore

UNKNOWN_PERSON = "?"


class CallLog:
    """How many lookups reached each provider/set for each person (by slug; "?" for numbers
    outside the cast). Lets portal tests prove retries, caching and circuit breaking."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def record(self, provider: str, information_set: str, slug: str | None) -> None:
        with self._lock:
            self._counts[(provider, information_set, slug or UNKNOWN_PERSON)] += 1

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"provider": p, "set": s, "person": slug, "calls": n}
                for (p, s, slug), n in sorted(self._counts.items())
            ]


@dataclass
class SandboxState:
    persons: PersonStore
    faults: FaultBook
    api_token: str
    #: how long a ``timeout`` fault holds the request when the rule gives no ``seconds``
    timeout_seconds: float = 30.0
    calls: CallLog = field(default_factory=CallLog)


def current_sandbox() -> SandboxState:
    return current_app.extensions["sandbox"]
