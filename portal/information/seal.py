"""Sealing fetched items: the portal signs each normalised item (Ed25519) over a canonical
serialisation, so any later change — in the database, in transit, at the municipality — is
detectable by anyone holding the published verifying key.

The canonical form is JSON with sorted keys, no insignificant whitespace, UTF-8, of exactly
the fields in ``SEALED_FIELDS`` plus the application and member it belongs to; dates are
ISO 8601 and the fetch time is UTC to the second. The exchange document carries the same
fields, so a receiver recomputes the bytes and checks the signature with the key named by
``kid`` at ``/.well-known/seal-keys.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portal.config import ConfigError

SEALED_FIELDS = (
    "application_id",
    "member_id",
    "provider",
    "info_set",
    "kind",
    "theme",
    "period_start",
    "period_end",
    "amount_ore",
    "gross",
    "details",
    "fetched_at",
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def canonical(fields: dict) -> bytes:
    body = {name: _plain(fields.get(name)) for name in SEALED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fields_of(item) -> dict:
    return {name: getattr(item, name) for name in SEALED_FIELDS}


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass
class Sealer:
    """The signing key and the verifying keys it (and its predecessors) published."""

    private_key: Ed25519PrivateKey
    published: dict[str, Ed25519PublicKey]
    # Seals that checked, by key id, signature and the digest of the exact bytes signed: the same three
    # check the same way for as long as this sealer's keys are the same, so a page that shows sixty sealed
    # items checks each signature once per process, not on every request (issue 15, point 5). Only
    # successes are kept; a failure is checked again every time.
    _verified: set[tuple[str | None, str, bytes]] = field(default_factory=set, repr=False)

    @property
    def kid(self) -> str:
        return key_id(self.private_key.public_key())

    def seal(self, fields: dict) -> tuple[str, str]:
        return self.kid, _b64url(self.private_key.sign(canonical(fields)))

    def verify(self, fields: dict, kid: str | None, signature: str | None) -> bool:
        key = self.published.get(kid or "")
        if key is None or not signature:
            return False
        signed = canonical(fields)
        known = (kid, signature, hashlib.sha256(signed).digest())
        if known in self._verified:
            return True
        try:
            key.verify(_unb64url(signature), signed)
        except (InvalidSignature, ValueError):
            return False
        if len(self._verified) >= 50_000:  # bounded: a long-lived worker process does not grow without end
            self._verified.clear()
        self._verified.add(known)
        return True

    def jwks(self) -> dict:
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "use": "sig",
                    "alg": "EdDSA",
                    "kid": kid,
                    "x": _b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)),
                }
                for kid, key in sorted(self.published.items())
            ]
        }


def _seal_key_error(path: Path, expected: str, key: object) -> ConfigError:
    return ConfigError(
        f"PORTAL_SEAL_KEY_PATH: {path} is not an {expected} (it holds a key of type {type(key).__name__}); "
        "the seal signs with Ed25519 only"
    )


def load_or_create(path: Path) -> Sealer:
    """The demo keeps its key in the instance folder; production points PORTAL_SEAL_KEY_PATH at
    a managed key. Older public keys in ``<path>.published/`` stay valid for verification.

    A key of another type (RSA, EC, ...) in either place is refused here, at start, with a
    ``ConfigError`` that names the file: it could not sign or verify a seal later."""
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise _seal_key_error(path, "Ed25519 private key", loaded)
        private_key = loaded
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_key = Ed25519PrivateKey.generate()
        path.write_bytes(
            private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    published = {key_id(private_key.public_key()): private_key.public_key()}
    older = path.with_name(path.name + ".published")
    if older.is_dir():
        for pem in sorted(older.glob("*.pem")):
            key = serialization.load_pem_public_key(pem.read_bytes())
            if not isinstance(key, Ed25519PublicKey):
                raise _seal_key_error(pem, "Ed25519 public key", key)
            published[key_id(key)] = key
    return Sealer(private_key, published)
