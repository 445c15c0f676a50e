"""Test OpenID Connect identity provider ("Test-legitimering").

Stands in for Swedish eID (BankID/Freja through an OIDC broker) in the demo and in tests.
It is a separate WSGI app: ``create_idp_app(issuer, clients)``.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from authlib.common.security import is_secure_transport
from babel import Locale
from flask import Flask, request
from flask_babel import Babel, get_locale
from joserfc.jwk import RSAKey

from .models import ACCESS_TOKEN_LIFETIME_SECONDS, Client, MemoryStore
from .oauth import create_authorization_server
from .persons import DEFAULT_PERSONS_DIR, DEFAULT_STAFF_FILE, REPO_ROOT
from .routes import bp, end_idp_session

__all__ = ["create_idp_app"]

log = logging.getLogger(__name__)

SUPPORTED_LOCALES = ("sv", "en", "ar")
DEFAULT_LOCALE = "sv"


@dataclass
class IdpState:
    issuer: str
    clients: dict[str, Client]
    persons_dir: Path
    staff_file: Path
    key: RSAKey
    store: MemoryStore
    server: object
    resource_protector: object


def select_locale() -> str:
    ui_locales = request.values.get("ui_locales", "") if request else ""
    for tag in ui_locales.split():
        language = tag.replace("_", "-").split("-")[0].lower()
        if language in SUPPORTED_LOCALES:
            return language
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


class _RedactTokensInAccessLog(logging.Filter):
    """The dev server's access log prints request lines; an ``id_token_hint`` on
    /end_session carries the personnummer claim (base64), so redact it."""

    pattern = re.compile(r"(id_token_hint=)[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(self.pattern.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str) and "id_token_hint=" in record.msg:
            record.msg = self.pattern.sub(r"\1[redacted]", record.msg)
        return True


class _RedactTokenArgs(logging.Filter):
    """authlib logs the token response dict at DEBUG level (``Issue token %r``), and adds
    the ID token (with the personnummer claim) to that same dict afterwards: freeze a
    redacted copy at log time."""

    secret_keys = frozenset({"access_token", "refresh_token", "id_token"})

    def _redact(self, value):
        if isinstance(value, dict):
            return {k: "[redacted]" if k in self.secret_keys else v for k, v in value.items()}
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._redact(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = self._redact(record.args)
        return True


def _install_log_filters() -> None:
    for name, filter_cls in (
        ("werkzeug", _RedactTokensInAccessLog),
        ("authlib.oauth2.rfc6749.grants.authorization_code", _RedactTokenArgs),
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, filter_cls) for f in logger.filters):
            logger.addFilter(filter_cls())


def _load_key(signing_key_pem: bytes | None) -> RSAKey:
    params = {"use": "sig", "alg": "RS256"}
    if signing_key_pem is None:
        return RSAKey.generate_key(2048, parameters=params, private=True, auto_kid=True)
    key = RSAKey.import_key(signing_key_pem, parameters=params)
    if not key.is_private:
        raise ValueError("signing_key_pem must be an RSA private key")
    key.ensure_kid()  # RFC 7638 thumbprint: stable for the same key across restarts
    return key


def create_idp_app(
    issuer: str,
    clients: list[dict],
    persons_dir: str | Path | None = None,
    staff_file: str | Path | None = None,
    secret_key: str | None = None,
    signing_key_pem: bytes | None = None,
) -> Flask:
    """Create the test identity provider WSGI app.

    :param issuer: the issuer URL, also the base URL the app is served at
        (``{issuer}/.well-known/openid-configuration``).
    :param clients: ``{"client_id", "client_secret", "kind": "citizen"|"staff",
        "redirect_uris": [...], "post_logout_redirect_uris": [...]}`` each.
    :param persons_dir: directory of test person ``*.json`` files
        (default ``devstack/testdata/persons``).
    :param staff_file: staff list (default ``devstack/testdata/staff.json``).
    :param secret_key: Flask secret key for the IdP's own session cookie (random if omitted).
    :param signing_key_pem: RSA private key (PEM) for ID tokens (generated if omitted).
    """
    issuer = issuer.rstrip("/")
    client_map: dict[str, Client] = {}
    for data in clients:
        client = Client.from_dict(data)
        if client.client_id in client_map:
            raise ValueError(f"duplicate client_id {client.client_id!r}")
        client_map[client.client_id] = client

    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        # Own cookie name: the portal may run on the same host (cookies ignore the port).
        SESSION_COOKIE_NAME="test_idp_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=issuer.startswith("https://"),
        BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE,
        BABEL_TRANSLATION_DIRECTORIES=str(REPO_ROOT / "translations"),
        WTF_CSRF_TIME_LIMIT=3600,
        WTF_CSRF_SSL_STRICT=False,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": ACCESS_TOKEN_LIFETIME_SECONDS},
        OAUTH2_REFRESH_TOKEN_GENERATOR=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    Babel(app, locale_selector=select_locale)

    key = _load_key(signing_key_pem)
    store = MemoryStore()

    server, protector = create_authorization_server(app, issuer, client_map, store, key, on_end_session=end_idp_session)
    app.extensions["test_idp"] = IdpState(
        issuer=issuer,
        clients=client_map,
        persons_dir=Path(persons_dir) if persons_dir is not None else DEFAULT_PERSONS_DIR,
        staff_file=Path(staff_file) if staff_file is not None else DEFAULT_STAFF_FILE,
        key=key,
        store=store,
        server=server,
        resource_protector=protector,
    )
    app.register_blueprint(bp)

    @app.context_processor
    def _html_attributes():
        locale = get_locale() or Locale.parse(DEFAULT_LOCALE)
        return {
            "html_lang": locale.language,
            "html_dir": "rtl" if Locale.parse(str(locale)).text_direction == "rtl" else "ltr",
        }

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response

    _install_log_filters()
    if not is_secure_transport(f"{issuer}/token"):
        log.warning(
            "Issuer %s is plain http on a non-loopback host: authlib refuses that unless "
            "AUTHLIB_INSECURE_TRANSPORT=1 is set (for the portal's client as well).",
            issuer,
        )
    return app
