"""Where attachment bytes live, behind a small interface, addressed by an opaque key.

Keys are random (128 bits, 32 lowercase hex digits), not derived from the content or the
user's file name: two people uploading the same file get two keys, so deleting one never
touches the other, and a key tells nothing about the file. A key is validated before it is
turned into a path, so no key can reach outside the storage root.

Nothing here checks who may read a file: callers authorise first, then ``open``/``read``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from flask import current_app

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{32}")
EXTENSION_KEY = "portal.attachments.storage"


class InvalidKey(ValueError):
    """The key is not one that a storage could have returned (never a path)."""


@runtime_checkable
class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store the bytes atomically and return a new opaque key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary file object to stream from. Raises ``FileNotFoundError`` if absent."""
        ...

    def read(self, key: str) -> bytes:
        """All the bytes. Raises ``FileNotFoundError`` if absent."""
        ...

    def delete(self, key: str) -> None:
        """Remove the bytes; a key already gone is not an error."""


def validate_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidKey("invalid attachment storage key")
    return key


class LocalStorage:
    """Files in a local directory: ``<root>/<first two hex digits>/<key>``, mode 0600."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        key = validate_key(key)
        path = self.root / key[:2] / key
        # Belt and braces: the key pattern already rules out separators and dots.
        if path.parent.parent != self.root:
            raise InvalidKey("invalid attachment storage key")
        return path

    def put(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)  # atomic: readers see the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)
        return key

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self) -> Iterator[str]:
        """Every stored key (for a sweep of files that no row refers to)."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if not shard.is_dir() or len(shard.name) != 2:
                continue
            for entry in sorted(shard.iterdir()):
                if _KEY.fullmatch(entry.name) and entry.name[:2] == shard.name and entry.is_file():
                    yield entry.name


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def storage_for(app) -> Storage:
    """The app's attachment storage: ``app.extensions[EXTENSION_KEY]`` if set (tests, another
    backend), else a ``LocalStorage`` under ``<instance path>/attachments``, created once."""
    storage = app.extensions.get(EXTENSION_KEY)
    if storage is None:
        storage = LocalStorage(Path(app.instance_path) / "attachments")
        app.extensions[EXTENSION_KEY] = storage
    return storage


def current_storage() -> Storage:

    return storage_for(current_app)
