"""OpenID Connect as the Swedish eID brokers speak it: the OIDC Sweden profile ("Swedish OpenID
Connect Profile" and its "Claims and Scopes Specification", Sweden Connect), per provider.

- Scopes: ``openid`` + ``https://id.oidc.se/scope/naturalPersonNumber`` (the personnummer claim),
  + ``https://id.oidc.se/scope/naturalPersonInfo`` where names are wanted. An OP releases a claim
  only under its scope.
- Claims from the ID token **and** the UserInfo endpoint, merged only when UserInfo's ``sub`` is
  the ID token's (else UserInfo is ignored and the login goes on with the ID token's claims).
- Client authentication ``client_secret_basic`` or ``private_key_jwt`` (the key from
  configuration; its public half at ``/auth/jwks.json``).
- ``acr_values`` asks for the assurance level (loa3 by default) and the ``acr`` answered is
  enforced: a lower or unknown level is refused (``AcrTooLow``).
- Signing: ``prompt=login``, ``max_age=0`` and ``https://id.oidc.se/param/userMessage`` (what is
  signed, in Swedish, English and Arabic) which the OP shows.

The clients are Authlib's; ``portal.extensions.PerAppOAuth`` gives each Flask app its own, so two
apps in one process (the tests, a second portal beside the first) never share a provider's settings.
"""

from __future__ import annotations

import json
import logging

from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import current_app
from joserfc.jwk import KeySet, RSAKey

from portal.extensions import oauth

log = logging.getLogger(__name__)

NATURAL_PERSON_NUMBER = "https://id.oidc.se/scope/naturalPersonNumber"
NATURAL_PERSON_INFO = "https://id.oidc.se/scope/naturalPersonInfo"
USER_MESSAGE = "https://id.oidc.se/param/userMessage"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
# Tillitsnivåer (Myndigheten för digital förvaltning's assurance levels), with eIDAS levels as
# the Swedish eID framework maps them; a URI not listed here is unknown, hence too low.
LOA_RANK = {
    "http://id.elegnamnden.se/loa/1.0/loa1": 1,
    "http://id.elegnamnden.se/loa/1.0/loa2": 2,
    "http://id.elegnamnden.se/loa/1.0/loa3": 3,
    "http://id.elegnamnden.se/loa/1.0/loa4": 4,
    "http://id.elegnamnden.se/loa/1.0/eidas-low": 2,
    "http://id.elegnamnden.se/loa/1.0/eidas-sub": 3,
    "http://id.elegnamnden.se/loa/1.0/eidas-high": 4,
}
KINDS = ("citizen", "staff")


class AcrTooLow(Exception):
    """The OP answered with a lower (or unknown) assurance level than required."""

    reason = "acr_too_low"


class NoIdToken(Exception):
    reason = "no_id_token"


def _private_key(path) -> RSAKey:
    key = RSAKey.import_key(path.read_bytes(), parameters={"use": "sig", "alg": "RS256"})
    if not key.is_private:
        raise ValueError("the client authentication key must be a private RSA key")
    key.ensure_kid()
    return key


def settings(config, kind: str) -> dict:
    return {
        name: getattr(config, f"{kind}_{name}")
        for name in ("idp_url", "scopes", "client_auth", "private_key_path", "acr", "client_id", "client_secret")
    }


def register_providers(app, oauth: OAuth) -> None:
    config = app.config["PORTAL"]
    keys = {}
    for kind in KINDS:
        provider = settings(config, kind)
        kwargs = {
            "scope": provider["scopes"],
            "code_challenge_method": "S256",
            "timeout": 10,
            "token_endpoint_auth_method": provider["client_auth"],
        }
        secret, auth_methods = provider["client_secret"], None
        if provider["client_auth"] == "private_key_jwt":
            if provider["private_key_path"] is None:
                raise ValueError(f"PORTAL_{kind.upper()}_PRIVATE_KEY is required for private_key_jwt")
            secret = keys[kind] = _private_key(provider["private_key_path"])
            auth_methods = [PrivateKeyJWT(headers={"kid": secret.kid})]
        elif provider["client_auth"] != "client_secret_basic":
            raise ValueError(f"PORTAL_{kind.upper()}_CLIENT_AUTH must be client_secret_basic or private_key_jwt")
        with app.app_context():
            oauth.register(
                kind,
                client_id=provider["client_id"],
                client_secret=secret,
                server_metadata_url=f"{provider['idp_url']}/.well-known/openid-configuration",
                client_kwargs=kwargs,
                client_auth_methods=auth_methods,
                authorize_params={"acr_values": provider["acr"]} if provider["acr"] else None,
            )
    app.extensions["portal.client_keys"] = KeySet([RSAKey.import_key(k.as_dict(private=False)) for k in keys.values()])


def public_jwks() -> dict:
    return current_app.extensions["portal.client_keys"].as_dict(private=False)


def client(kind: str):
    return oauth.create_client(kind)


def user_message(text_by_language: dict[str, str]) -> str:
    """The ``userMessage`` request parameter: what the OP shows the person before they sign."""
    return json.dumps({"message": text_by_language, "mime_type": "text/plain"}, ensure_ascii=False)


def acr_sufficient(returned: str | None, required: str) -> bool:
    if not required:
        return True
    return LOA_RANK.get(returned or "", 0) >= LOA_RANK.get(required, 99)


def merge_userinfo(id_claims: dict, userinfo: dict, kind: str = "citizen") -> dict:
    """UserInfo's claims added to the ID token's, only when both name the same ``sub`` (OpenID
    Connect Core 5.3.2); the signed ID token wins where both say something."""
    if not userinfo.get("sub") or userinfo.get("sub") != id_claims.get("sub"):
        log.warning("userinfo ignored kind=%s reason=sub_mismatch", kind)
        return dict(id_claims)
    return {**userinfo, **id_claims}


def complete(kind: str) -> tuple[dict, dict]:
    """Finish a login at the callback: the token, the ID token's claims merged with UserInfo's
    (same ``sub`` only), and the assurance level checked. Returns ``(claims, token)``."""
    provider = client(kind)
    token = provider.authorize_access_token()
    claims = dict(token.get("userinfo") or {})  # Authlib: the ID token's validated claims
    if not claims.get("sub"):
        raise NoIdToken()
    metadata = provider.load_server_metadata()
    if metadata.get("userinfo_endpoint"):
        claims = merge_userinfo(claims, dict(provider.userinfo(token=token)), kind)
    required = settings(current_app.config["PORTAL"], kind)["acr"]
    if not acr_sufficient(claims.get("acr"), required):
        log.warning("login refused kind=%s reason=acr_too_low acr=%s", kind, claims.get("acr"))
        raise AcrTooLow()
    return claims, token
