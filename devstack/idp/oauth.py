"""Authlib authorization server wiring: code grant + OpenID Connect + PKCE (S256 only),
RP-initiated logout and a bearer-token validator for /userinfo."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError, grants, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from authlib.oidc.core.grants.util import is_openid_scope
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import KeySet, RSAKey

from .models import (
    CODE_LIFETIME_SECONDS,
    SCOPE_CLAIMS,
    AuthorizationCode,
    Client,
    EndUser,
    MemoryStore,
    Token,
)

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


class S256CodeChallenge(CodeChallenge):
    """PKCE is mandatory for every client (also confidential ones) and only S256 is allowed."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge' (PKCE with S256 is required).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
        return super().validate_code_challenge(grant, redirect_uri)


class IdpOpenIDCode(OpenIDCode):
    def __init__(self, issuer: str, key: RSAKey, store: MemoryStore):
        super().__init__(require_nonce=True)
        self.issuer = issuer
        self.key = key
        self.store = store

    def exists_nonce(self, nonce, request):
        return self.store.nonce_used(request.payload.client_id, nonce)

    def resolve_client_private_key(self, client):
        return self.key

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}

    def get_client_claims(self, client):
        now = int(time.time())
        return {"iss": self.issuer, "aud": client.get_client_id(), "iat": now, "exp": now + 600}

    def generate_user_info(self, user: EndUser, scope):
        return released_claims(user.identity.claims, scope)


def released_claims(claims: dict[str, Any], scope: str) -> dict[str, Any]:
    """Only what the scopes granted release (the OIDC Sweden profile): ``sub`` always."""
    allowed = {"sub"}
    for item in scope_to_list(scope or "") or []:
        allowed.update(SCOPE_CLAIMS.get(item, ()))
    return {name: value for name, value in claims.items() if name in allowed}


class PrivateKeyJwtAuth(JWTBearerClientAssertion):
    """``private_key_jwt`` (RFC 7523 section 2.2 as OpenID Connect names it): a JWT signed with the
    client's key, verified with the public keys registered for it; each ``jti`` once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, issuer: str, store: MemoryStore):
        super().__init__(validate_jti=True)
        self.issuer = issuer
        self.store = store

    def get_audiences(self):
        return [f"{self.issuer}/token", self.issuer]

    def validate_jti(self, claims, jti):
        return self.store.first_use_of_jti(claims["sub"], jti, claims["exp"])

    def resolve_client_public_key(self, client):
        return KeySet.import_key_set(client.jwks or {"keys": []})


class IdpAuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]

    def validate_authorization_request(self):
        redirect_uri = super().validate_authorization_request()
        if not is_openid_scope(self.request.payload.scope):
            raise InvalidScopeError(
                "The 'openid' scope is required.",
                redirect_uri=redirect_uri,
                state=self.request.payload.state,
            )
        return redirect_uri

    @property
    def store(self) -> MemoryStore:
        return self.server.store

    def save_authorization_code(self, code, request):
        end_user: EndUser = request.user
        data = request.payload.data
        self.store.save_code(
            AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                end_user=end_user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                expires_at=time.time() + CODE_LIFETIME_SECONDS,
                acr=request.client.acr,
            )
        )
        log.info(
            "Issued authorization code to client=%s sub=%s",
            request.client.client_id,
            end_user.identity.sub,
        )

    def query_authorization_code(self, code, client):
        item = self.store.redeem_code(code, client.client_id)
        if item is None:
            log.info(
                "Rejected unknown, expired or reused authorization code (client=%s)",
                client.client_id,
            )
        return item

    def delete_authorization_code(self, authorization_code):
        # Already removed from the store when it was redeemed.
        pass

    def authenticate_user(self, authorization_code: AuthorizationCode):
        end_user = authorization_code.end_user
        # Defence in depth: a citizen client only ever gets citizens, staff clients staff.
        if end_user.identity.kind != self.request.client.kind:
            return None
        return end_user


class IdpEndSessionEndpoint(EndSessionEndpoint):
    def __init__(self, server, issuer: str, jwks: KeySet, on_end_session):
        super().__init__(server)
        self.issuer = issuer
        self.jwks = jwks
        self.on_end_session = on_end_session

    def get_server_jwks(self):
        return self.jwks

    def get_algorithms(self):
        return ["RS256"]

    def _validate_id_token_hint(self, id_token_hint):
        claims = super()._validate_id_token_hint(id_token_hint)
        if claims.get("iss") != self.issuer:
            raise InvalidRequestError("'id_token_hint' was not issued by this provider.")
        return claims

    def resolve_client_from_id_token_claims(self, id_token_claims):
        aud = id_token_claims.get("aud")
        if isinstance(aud, list) and len(aud) == 1:
            aud = aud[0]
        if isinstance(aud, str):
            return self.server.query_client(aud)
        return None

    def is_post_logout_redirect_uri_legitimate(self, request, post_logout_redirect_uri, client, logout_hint):
        # Without id_token_hint the RP must identify itself with client_id; authlib has already
        # checked that the URI is registered, exactly, for that client, so it is no open
        # redirect.
        return request.payload.data.get("client_id") == client.client_id

    def end_session(self, end_session_request):
        self.on_end_session(end_session_request)


class IdpBearerTokenValidator(BearerTokenValidator):
    def __init__(self, store: MemoryStore):
        super().__init__()
        self.store = store

    def authenticate_token(self, token_string):
        return self.store.get_token(token_string)


class IdpAuthorizationServer(AuthorizationServer):
    store: MemoryStore


def create_authorization_server(
    app: Flask,
    issuer: str,
    clients: dict[str, Client],
    store: MemoryStore,
    key: RSAKey,
    on_end_session,
) -> tuple[IdpAuthorizationServer, ResourceProtector]:
    def query_client(client_id: str) -> Client | None:
        return clients.get(client_id)

    def save_token(token: dict[str, Any], request) -> None:
        code = request.authorization_code
        store.save_token(
            Token(
                access_token=token["access_token"],
                client=request.client,
                end_user=request.user,
                scope=token.get("scope", ""),
                issued_at=time.time(),
                expires_in=int(token["expires_in"]),
            ),
            code.code if code is not None else None,
        )
        log.info("Issued tokens to client=%s sub=%s", request.client.client_id, request.user.identity.sub)

    server = IdpAuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.store = store
    server.register_client_auth_method(PrivateKeyJwtAuth.CLIENT_AUTH_METHOD, PrivateKeyJwtAuth(issuer, store))
    server.register_grant(
        IdpAuthorizationCodeGrant,
        [S256CodeChallenge(required=True), IdpOpenIDCode(issuer, key, store)],
    )
    jwks = KeySet([RSAKey.import_key(key.as_dict(private=False))])
    server.register_endpoint(IdpEndSessionEndpoint(server, issuer, jwks, on_end_session))

    protector = ResourceProtector()
    protector.register_token_validator(IdpBearerTokenValidator(store))
    return server, protector
