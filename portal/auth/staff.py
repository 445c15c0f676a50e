"""The staff directory: who may use the municipality inbox or the administration, in which role,
municipality and unit. The organisation's identity provider says who someone is; this directory
says what they may do, and it is consulted on every request (a stat of the file; it is read again
only when it changed), so removing a caseworker or moving them to another unit takes effect on
their next click, in every portal process at once.

The file is a JSON list of ``{"sub", "given_name", "family_name", "role", "municipality_code",
"unit"}`` (the format of ``devstack/testdata/staff.json``, which the demo and the test identity
provider share), exported from the municipalities' own directories.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffEntry:
    sub: str
    role: str
    municipality_code: str | None
    unit: str | None


class StaffDirectory:
    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, StaffEntry] = {}

    def _current(self) -> dict[str, StaffEntry]:
        if self.path is None:
            return {}
        try:
            stat = self.path.stat()
        except OSError:
            log.error("staff directory unreadable: no staff access")
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                self._entries = self._read()
                self._stamp = stamp
            return self._entries

    def _read(self) -> dict[str, StaffEntry]:
        assert self.path is not None  # read only when a directory is configured (_current)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.error("staff directory unreadable: no staff access")
            return {}
        entries = {}
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and item.get("sub") and item.get("role"):
                entries[str(item["sub"])] = StaffEntry(
                    str(item["sub"]), str(item["role"]), item.get("municipality_code") or None, item.get("unit") or None
                )
        return entries

    def lookup(self, sub: str | None) -> StaffEntry | None:
        return self._current().get(sub or "")
