"""API clients of the municipalities' own case systems (verksamhetssystem), from configuration.

The file (``portal/data/api_clients.json``, or ``PORTAL_API_CLIENTS_FILE``) lists each client's
``client_id``, ``municipality_code``, ``scopes`` and ``secret_hash``: a salted scrypt hash, never
the secret. Make a hash with ``python -m portal.api.clients`` (reads the secret from stdin).
The file is read once per path; ``clear_cache()`` forgets it. Removing a client also ends its
tokens: every request checks the client is still configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portal.config import secret_problem as problem

ENV = "PORTAL_API_CLIENTS_FILE"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "api_clients.json"
READ = "applications:read"  # list and fetch; read the case (timeline, requests, messages, decisions)
ACKNOWLEDGE = "applications:acknowledge"  # acknowledge receipt, which registers the arrival
CASE_WRITE = "case:write"  # handle the case: post events, send messages, mark messages and answers seen
SCOPES = (READ, ACKNOWLEDGE, CASE_WRITE)

# scrypt: n=2**14, r=8, p=1 (16 MiB, tens of milliseconds), 16-byte salt, 32-byte key.
_N, _R, _P = 2**14, 8, 1
_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$")
_CODE = re.compile(r"^\d{4}$")


class ApiClientsError(ValueError):
    """The clients file is broken; ``problems`` lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"invalid API clients file {path}:\n  - " + "\n  - ".join(self.problems))


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    municipality_code: str
    scopes: tuple[str, ...]
    secret_hash: str
    # Shown to the applicant where the municipality's system acts without a person's name
    # (e.g. "requested by" on a supplement request when the system gives none).
    name: str = ""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        actual = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Checked against when the client id is unknown, so an unknown id costs as much as a wrong secret.
_DUMMY_HASH = hash_secret("no such client", salt=b"\0" * 16)


def _parse(path: Path) -> dict[str, ApiClient]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApiClientsError(path, [f"unreadable: {exc}"]) from None
    problems: list[str] = []
    clients: dict[str, ApiClient] = {}
    entries = data.get("clients") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ApiClientsError(path, ["'clients' must be a list"])
    for index, entry in enumerate(entries):
        where = f"clients[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object")
            continue
        unknown = set(entry) - {"client_id", "municipality_code", "scopes", "secret_hash", "name"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)} (never put a secret in this file)")
        client_id = entry.get("client_id")
        if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            problems.append(f"{where}: client_id must be 3-64 letters, digits, '.', '_' or '-'")
            continue
        if client_id in clients:
            problems.append(f"{where}: duplicate client_id {client_id!r}")
        code = entry.get("municipality_code")
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(f"{where}: municipality_code must be four digits")
        scopes = entry.get("scopes")
        if not isinstance(scopes, list) or not scopes or not set(scopes) <= set(SCOPES):
            problems.append(f"{where}: scopes must be a non-empty list of {list(SCOPES)}")
            scopes = []
        secret_hash = entry.get("secret_hash")
        if not isinstance(secret_hash, str) or not secret_hash.startswith("scrypt$") or secret_hash.count("$") != 5:
            problems.append(f"{where}: secret_hash must be a scrypt hash (python -m portal.api.clients)")
        name = entry.get("name", "")
        if not isinstance(name, str) or len(name) > 200:
            problems.append(f"{where}: name must be a text of at most 200 characters")
            name = ""
        if not isinstance(code, str) or not isinstance(secret_hash, str):
            continue  # its problems are listed, and the file is refused below
        clients[client_id] = ApiClient(
            client_id, code, tuple(s for s in SCOPES if s in scopes), secret_hash, name.strip()
        )
    if problems:
        raise ApiClientsError(path, problems)
    return clients


def configured_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


@cache
def _load(path: str) -> dict[str, ApiClient]:
    return _parse(Path(path))


def clients() -> dict[str, ApiClient]:
    return _load(str(configured_path()))


def clear_cache() -> None:
    _load.cache_clear()


def get(client_id: str) -> ApiClient | None:
    return clients().get(client_id)


def with_demo_secrets(configured: dict[str, ApiClient] | None = None) -> list[str]:
    """The configured clients whose secret is one of the demo's published ones: the same hash as in
    the demo file (a copy of it, or of its entries, at any path). Compared by content, not by path."""
    demo_hashes = {client.secret_hash for client in _load(str(DEFAULT_PATH)).values()}
    configured = clients() if configured is None else configured
    return sorted(client_id for client_id, client in configured.items() if client.secret_hash in demo_hashes)


def secret_problem(secret: str) -> str | None:
    """Why a client secret may not be used in production (a published demo secret, too weak), or None.
    The demo's secrets hashed again with a new salt are only recognisable from the secret itself, so
    production checks it at every token request too."""

    return problem(secret)


def authenticate(client_id: str, secret: str) -> ApiClient | None:
    client = get(client_id)
    ok = verify_secret(secret, client.secret_hash if client else _DUMMY_HASH)
    return client if client is not None and ok else None


if __name__ == "__main__":  # pragma: no cover - operator tool
    _secret = sys.stdin.readline().rstrip("\n")
    if secret_problem(_secret):
        sys.exit(
            f"refused: the secret {secret_problem(_secret)} (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')"
        )
    print(hash_secret(_secret))  # noqa: T201 - an operator tool: the hash on standard output is its result
