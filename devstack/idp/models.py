"""In-memory models for the test identity provider.

A single-process test server: clients come from configuration, authorization codes,
access tokens and IdP login sessions live in memory and are lost on restart.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin

#: Swedish eID assurance level (Tillitsnivå 3), what BankID/Freja give through a broker.
ACR_LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"

NATURAL_PERSON_NUMBER = "https://id.oidc.se/scope/naturalPersonNumber"
NATURAL_PERSON_INFO = "https://id.oidc.se/scope/naturalPersonInfo"
SCOPES_SUPPORTED = ("openid", "profile", NATURAL_PERSON_NUMBER, NATURAL_PERSON_INFO)
#: Which claims each scope releases (the OIDC Sweden profile's "Claims and Scopes Specification";
#: ``profile`` for the organisation login, whose staff claims it carries). ``sub`` always.
SCOPE_CLAIMS = {
    NATURAL_PERSON_NUMBER: ("https://id.oidc.se/claim/personalIdentityNumber",),
    NATURAL_PERSON_INFO: ("name", "given_name", "family_name", "birthdate"),
    "profile": ("name", "given_name", "family_name", "birthdate", "role", "municipality_code", "unit"),
}
CLIENT_AUTH_METHODS = ("client_secret_basic", "private_key_jwt")

CODE_LIFETIME_SECONDS = 60
ACCESS_TOKEN_LIFETIME_SECONDS = 3600
LOGIN_SESSION_LIFETIME_SECONDS = 8 * 3600

CLIENT_KINDS = ("citizen", "staff")


@dataclass(frozen=True)
class Client(ClientMixin):
    client_id: str
    client_secret: str = field(repr=False)
    kind: str = "citizen"
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    #: client_secret_basic (the default) or private_key_jwt (the client's public keys in ``jwks``)
    token_endpoint_auth_method: str = "client_secret_basic"
    jwks: dict | None = field(default=None, repr=False)
    #: the assurance level this client's logins are answered with (a test of a too low one: loa2)
    acr: str = ACR_LOA3

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Client:
        kind = data.get("kind")
        if kind not in CLIENT_KINDS:
            raise ValueError(f"client {data.get('client_id')!r}: kind must be one of {CLIENT_KINDS}")
        method = data.get("token_endpoint_auth_method", "client_secret_basic")
        if method not in CLIENT_AUTH_METHODS:
            raise ValueError(
                f"client {data.get('client_id')!r}: token_endpoint_auth_method must be one of {CLIENT_AUTH_METHODS}"
            )
        if not data.get("client_id") or not (data.get("client_secret") or data.get("jwks")):
            raise ValueError("every client needs client_id and client_secret (or jwks for private_key_jwt)")
        if method == "private_key_jwt" and not data.get("jwks"):
            raise ValueError(f"client {data.get('client_id')!r}: private_key_jwt needs the client's jwks")
        return cls(
            client_id=data["client_id"],
            client_secret=data.get("client_secret") or "",
            kind=kind,
            redirect_uris=tuple(data.get("redirect_uris") or ()),
            post_logout_redirect_uris=tuple(data.get("post_logout_redirect_uris") or ()),
            token_endpoint_auth_method=method,
            jwks=data.get("jwks"),
            acr=data.get("acr") or ACR_LOA3,
        )

    # Used by authlib's EndSessionEndpoint.
    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OpenID Connect requires redirect_uri in every authentication request.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        return " ".join(s for s in scope_to_list(scope) if s in SCOPES_SUPPORTED)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # A private_key_jwt client authenticates only so: a secret alone is not enough.
        if self.token_endpoint_auth_method == "private_key_jwt":
            return method == "private_key_jwt"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class Identity:
    """Who logged in: a citizen (test person) or a staff member.

    ``claims`` are the identity claims for the ID token and /userinfo, ``claims["sub"]``
    is always opaque (never a personnummer), so it may be logged.
    """

    kind: str
    claims: dict[str, Any]

    @property
    def sub(self) -> str:
        return self.claims["sub"]


@dataclass(frozen=True)
class EndUser:
    """An identity plus the time it authenticated at this IdP."""

    identity: Identity
    auth_time: int


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    end_user: EndUser
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    acr: str = ACR_LOA3

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.end_user.auth_time

    def get_acr(self) -> str:
        return self.acr

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at


@dataclass
class Token(TokenMixin):
    access_token: str
    client: Client
    end_user: EndUser
    scope: str
    issued_at: float
    expires_in: int
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> EndUser:
        return self.end_user

    def get_client(self) -> Client:
        return self.client


@dataclass
class MemoryStore:
    """Thread-safe in-memory storage for codes, tokens and IdP login sessions."""

    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    #: codes already redeemed -> access tokens issued for them (revoked on replay)
    used_codes: dict[str, tuple[float, list[str]]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    #: (client_id, nonce) pairs for which a code was issued, for replay detection
    nonces: dict[tuple[str, str], float] = field(default_factory=dict)
    #: IdP login sessions: opaque session id -> EndUser
    logins: dict[str, tuple[float, EndUser]] = field(default_factory=dict)
    #: private_key_jwt assertions seen: (client_id, jti) -> until when it is remembered
    jtis: dict[tuple[str, str], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_use_of_jti(self, client_id: str, jti: str, expires_at: float) -> bool:
        with self.lock:
            now = time.time()
            for key, until in list(self.jtis.items()):
                if until <= now:
                    del self.jtis[key]
            if (client_id, jti) in self.jtis:
                return False
            self.jtis[(client_id, jti)] = max(float(expires_at), now) + 120
            return True

    def _purge(self, now: float) -> None:
        for code, item in list(self.codes.items()):
            if item.expires_at <= now:
                del self.codes[code]
        for code, (expires_at, _) in list(self.used_codes.items()):
            if expires_at <= now:
                del self.used_codes[code]
        for key, expires_at in list(self.nonces.items()):
            if expires_at <= now:
                del self.nonces[key]
        for access_token, token in list(self.tokens.items()):
            if token.issued_at + token.expires_in <= now:
                del self.tokens[access_token]
        for sid, (expires_at, _) in list(self.logins.items()):
            if expires_at <= now:
                del self.logins[sid]

    # authorization codes -------------------------------------------------------------------
    def save_code(self, item: AuthorizationCode) -> None:
        with self.lock:
            self._purge(time.time())
            self.codes[item.code] = item
            if item.nonce:
                # Remember the nonce at least as long as an ID token could be issued for it.
                self.nonces[(item.client_id, item.nonce)] = item.expires_at + 3600

    def redeem_code(self, code: str, client_id: str) -> AuthorizationCode | None:
        """Take a code out of the store: each code can be redeemed exactly once.

        A second attempt revokes the tokens issued for the first (RFC 6749 section 4.1.2).
        """
        with self.lock:
            now = time.time()
            if code in self.used_codes:
                for access_token in self.used_codes[code][1]:
                    if access_token in self.tokens:
                        self.tokens[access_token].revoked = True
                return None
            item = self.codes.pop(code, None)
            if item is None:
                return None
            self.used_codes[code] = (now + ACCESS_TOKEN_LIFETIME_SECONDS, [])
            if item.client_id != client_id or item.expires_at <= now:
                return None
            return item

    def nonce_used(self, client_id: str, nonce: str) -> bool:
        with self.lock:
            expires_at = self.nonces.get((client_id, nonce))
            return expires_at is not None and expires_at > time.time()

    # tokens --------------------------------------------------------------------------------
    def save_token(self, token: Token, code: str | None) -> None:
        with self.lock:
            self.tokens[token.access_token] = token
            if code and code in self.used_codes:
                self.used_codes[code][1].append(token.access_token)

    def get_token(self, access_token: str) -> Token | None:
        with self.lock:
            return self.tokens.get(access_token)

    # IdP login sessions --------------------------------------------------------------------
    def save_login(self, sid: str, end_user: EndUser) -> None:
        with self.lock:
            self._purge(time.time())
            self.logins[sid] = (time.time() + LOGIN_SESSION_LIFETIME_SECONDS, end_user)

    def get_login(self, sid: str) -> EndUser | None:
        with self.lock:
            entry = self.logins.get(sid)
            if entry is None or entry[0] <= time.time():
                return None
            return entry[1]

    def delete_login(self, sid: str) -> None:
        with self.lock:
            self.logins.pop(sid, None)
