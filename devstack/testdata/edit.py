"""Edit the cast's fixture files safely from scripts: one block at a time, under a lock, so
that two people adding different providers' data at once never lose each other's work.

    from devstack.testdata.edit import set_block
    set_block("single-adult", "csn", "studiemedel", {...raw CSN payload...})
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

PERSONS = Path(__file__).resolve().parent / "persons"
_LOCK = PERSONS / ".lock"


def set_block(slug: str, provider: str, info_set: str, data) -> None:
    path = PERSONS / f"{slug}.json"
    with _LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            record.setdefault("providers", {}).setdefault(provider, {})[info_set] = data
            path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
