"""Short-lived bearer tokens for API clients, and the check every API request passes.

A token is the client id, its municipality, the granted scopes, when it was issued and its expiry,
signed with the app's secret key (itsdangerous, a salt of its own so no other signed value of the
portal is ever accepted as a token). Tokens are not stored: they cannot be revoked one by one, which is
why they live 15 minutes, and why a client removed from the configuration loses its tokens at once.
A token claiming a longer life than ``PORTAL_API_TOKEN_MAX_LIFETIME_SECONDS`` (one hour), or issued in
the future, is refused whoever signed it (issue 13, point 11): a leaked or forged key must not buy
years of access.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from flask import current_app, g, jsonify, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.http import HTTP_STATUS_CODES

from portal.api import clients
from portal.auth.access import API_CLIENT, authorize
from portal.auth.actor import ANONYMOUS, Actor

log = logging.getLogger(__name__)
LIFETIME_SECONDS = 15 * 60
_SALT = "portal.api.access-token.v1"
CLOCK_SKEW_SECONDS = 60  # a token issued by another portal process whose clock runs a little ahead
MUNICIPALITY_SYSTEM = "municipality_system"


@dataclass(frozen=True)
class Grant:
    client_id: str
    municipality_code: str
    scopes: tuple[str, ...]
    expires_at: int
    issued_at: int = 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(client: clients.ApiClient, scopes: tuple[str, ...], now: float | None = None) -> tuple[str, int]:
    """A token for ``client`` with ``scopes``; returns the token and its lifetime in seconds."""
    issued = int(now if now is not None else time.time())
    lifetime = min(LIFETIME_SECONDS, max_lifetime())
    payload = {
        "cid": client.client_id,
        "mun": client.municipality_code,
        "scp": list(scopes),
        "iat": issued,
        "exp": issued + lifetime,
    }
    return _serializer().dumps(payload), lifetime


def max_lifetime() -> int:
    return current_app.config["PORTAL"].api_token_max_lifetime_seconds


class InvalidToken(Exception):
    pass


def verify(token: str, now: float | None = None) -> Grant:
    try:
        payload = _serializer().loads(token)
        grant = Grant(
            str(payload["cid"]), str(payload["mun"]), tuple(payload["scp"]), int(payload["exp"]), int(payload["iat"])
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidToken("malformed or not signed by this portal") from None
    now = now if now is not None else time.time()
    if grant.expires_at - grant.issued_at > max_lifetime():
        raise InvalidToken("lifetime longer than allowed")
    if grant.issued_at > now + CLOCK_SKEW_SECONDS:
        raise InvalidToken("issued in the future")
    if grant.expires_at <= now:
        raise InvalidToken("expired")
    client = clients.get(grant.client_id)
    # The configuration is the truth: a removed client, a moved municipality or a withdrawn scope
    # ends what its old tokens could do.
    if (
        client is None
        or client.municipality_code != grant.municipality_code
        or not set(grant.scopes) <= set(client.scopes)
    ):
        raise InvalidToken("client no longer configured as in the token")
    return grant


def problem(status: int, error: str, detail: str | None = None, headers: dict | None = None, **extensions):
    """An RFC 9457 problem (``application/problem+json``): ``type`` (``about:blank``: the status
    says it all), ``title`` (the status phrase), ``status`` and ``detail``, plus ``error``, a
    stable key to act on (``invalid_request``, ``not_found``, ``conflict``, ...), and where it
    applies ``reason`` (the case rule that refused) or ``errors`` (``[{pointer, detail}]``)."""
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status, "error": error}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def oauth_error(status: int, error: str, description: str | None = None, headers: dict | None = None):
    """An error of the token endpoint as RFC 6749 §5.2 has it (``application/json``)."""
    body = {"error": error}
    if description:
        body["error_description"] = description
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def enforce(rule: str | None):
    """Access for requests to the ``api`` blueprint, called from ``enforce_access``: the bearer
    token decides, never the session cookie; refusals are JSON, never a redirect to a login page."""
    g.actor, g.subject_id, g.api_scopes = ANONYMOUS, None, ()
    if rule is None:
        log.error("api route without access rule endpoint=%s", request.endpoint)
        return problem(403, "access_denied")
    if rule == "public":
        return None
    token = _bearer()
    if token is None:
        return problem(
            401, "invalid_token", "a bearer token is required", {"WWW-Authenticate": 'Bearer realm="egna-utrymmet"'}
        )
    try:
        grant = verify(token)
    except InvalidToken as exc:
        log.info("api token refused endpoint=%s reason=%s", request.endpoint, exc)
        return problem(
            401,
            "invalid_token",
            "the token is invalid or has expired",
            {"WWW-Authenticate": 'Bearer realm="egna-utrymmet", error="invalid_token"'},
        )
    g.actor = Actor(
        kind=API_CLIENT,
        id=grant.client_id,
        name=grant.client_id,
        role=MUNICIPALITY_SYSTEM,
        municipality_code=grant.municipality_code,
    )
    g.api_scopes = grant.scopes
    if not authorize(g.actor, rule, None):
        return problem(403, "access_denied")
    return None


def require_scope(scope: str):
    """``None`` when the token carries ``scope``, else the 403 answer to return."""
    if scope in g.get("api_scopes", ()):
        return None
    return problem(
        403,
        "insufficient_scope",
        f"requires scope {scope}",
        {"WWW-Authenticate": f'Bearer realm="egna-utrymmet", error="insufficient_scope", scope="{scope}"'},
    )
