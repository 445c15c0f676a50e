"""What the sandbox's recording services (``/sms``, ``/digitalmail``) keep: the last :data:`KEEP` records,
and for each ``Idempotency-Key`` the record its first send made, so a sender retrying after a crash
(docs/decisions/0003-outbox-and-worker.md) is answered with the first record and recorded once, as real
gateways do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import count

from flask import request

KEEP = 500


def idempotency_key() -> str | None:
    """The request's ``Idempotency-Key``, trimmed to a sane length; None when it has none."""
    return request.headers.get("Idempotency-Key", "").strip()[:200] or None


class Records:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[dict] = []
        self._by_key: dict[str, dict] = {}
        self._ids = count(1)

    def record(self, key: str | None, make: Callable[[int], dict]) -> tuple[dict, bool]:
        """The record for this send, and whether it is new. ``make`` builds a new one from its number;
        it is not called for a key already seen."""
        with self._lock:
            if key and key in self._by_key:
                return self._by_key[key], False
            record = make(next(self._ids))
            self._records.append(record)
            del self._records[:-KEEP]
            if key:
                self._by_key[key] = record
                if len(self._by_key) > KEEP:
                    del self._by_key[next(iter(self._by_key))]
            return record, True

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._by_key.clear()
