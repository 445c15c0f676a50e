"""All configuration, parsed from ``PORTAL_*`` environment variables in one place.

Defaults are safe for the local demo (SQLite, local test identity provider and sandbox).
Production mode (``PORTAL_ENV=production``) refuses to start with a default secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "demo-secret-not-for-production"
DEFAULT_CLIENT_SECRETS = {"citizen": "citizen-demo-secret", "staff": "staff-demo-secret"}
DEMO_SMTP_FROM = "Egna utrymmet <no-reply@egna-utrymmet.localhost>"
DEMO_SANDBOX_TOKEN = "sandbox-token"
#: The API clients' secrets in portal/data/api_clients.json, published in that file's comment.
DEMO_API_CLIENT_SECRETS = frozenset({"linkoping-demo-secret", "uppsala-demo-secret", "uppsala-reader-demo-secret"})
#: Every secret the repository publishes for the demo and the tests: refused in production, wherever
#: it is given (compared by content, not by where it came from).
DEMO_SECRETS = frozenset(
    {
        DEFAULT_SECRET,
        *DEFAULT_CLIENT_SECRETS.values(),
        DEMO_SANDBOX_TOKEN,
        *DEMO_API_CLIENT_SECRETS,
        "demo-webhook-secret",
        "bench-webhook-secret",
        "test-webhook-secret",
        "restart-webhook-secret",
    }
)
#: A secret of the portal's own (keys, tokens, client secrets) in production: at least this many
#: characters, and not one made of a few characters repeated (``secrets.token_urlsafe(32)`` gives 43).
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
WEBHOOK_SECRET_PREFIX = "PORTAL_WEBHOOK_SECRET_"  # as portal.delivery.webhook reads them
#: Rate limits per family (portal/web/limits.py says which endpoints and by what key), each a
#: Flask-Limiter string ("N per minute; M per day"), set by ``PORTAL_RATELIMIT_<FAMILY>``.
RATE_LIMITS = {
    "login": "60 per minute; 600 per hour",  # login callbacks, per IP (nobody is known yet)
    "token": "30 per minute; 300 per hour",  # /api/v1/token, per client id
    "token_failures": "10 per 15 minutes",  # wrong secrets per client id: then locked out until the window ends
    "mandate_grant": "5 per hour; 20 per day",  # per person
    "upload": "20 per 10 minutes; 200 per day",  # per person or API client
    "submit": "20 per hour; 50 per day",  # sending and co-signing (each press, refused ones too), per person
    "message": "20 per 10 minutes; 200 per day",  # per person, caseworker or API client
    "search": "60 per minute; 1000 per day",  # the inbox search, per caseworker
    "ip": "300 per minute",  # every limited endpoint together, per IP address
}


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent."""


def _env(name: str, default: str) -> str:
    return os.environ.get(f"PORTAL_{name}", default)


def _env_int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"PORTAL_{name} must be an integer") from exc


def _env_path(name: str) -> Path | None:
    value = _env(name, "")
    return Path(value) if value else None


def _env_bool(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def secret_problem(value: str) -> str | None:
    """Why ``value`` may not serve as a secret in production, or None. Never says the value."""
    if value.strip() in DEMO_SECRETS:
        return "is a published demo secret"
    if len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < MIN_SECRET_DISTINCT:
        return f"has fewer than {MIN_SECRET_DISTINCT} different characters"
    return None


def derived_receiver_url(base_url: str) -> str:
    """The demo's sample receiver beside the portal: the same host, the portal's port + 3."""

    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"http://{parts.hostname or 'localhost'}:{port + 3}"


@dataclass
class Config:
    env: str = "demo"
    secret_key: str = DEFAULT_SECRET
    base_url: str = "http://localhost:5000"
    database_url: str = ""
    idp_url: str = "http://localhost:5001"
    sandbox_url: str = "http://localhost:5002"
    sandbox_token: str = DEMO_SANDBOX_TOKEN
    citizen_client_id: str = "portal-citizen"
    citizen_client_secret: str = DEFAULT_CLIENT_SECRETS["citizen"]
    staff_client_id: str = "portal-staff"
    staff_client_secret: str = DEFAULT_CLIENT_SECRETS["staff"]
    # The OIDC Sweden profile, per provider (portal/auth/oidc.py): the issuer (default: idp_url), the
    # scopes asked for, client authentication (client_secret_basic or private_key_jwt with the key in
    # a PEM file, published at /auth/jwks.json) and the assurance level required (acr_values,
    # enforced on the answer; empty: none asked for).
    citizen_idp_url: str = ""
    citizen_scopes: str = (
        "openid https://id.oidc.se/scope/naturalPersonNumber https://id.oidc.se/scope/naturalPersonInfo"
    )
    citizen_client_auth: str = "client_secret_basic"
    citizen_private_key_path: Path | None = None
    citizen_acr: str = "http://id.elegnamnden.se/loa/1.0/loa3"
    staff_idp_url: str = ""
    staff_scopes: str = "openid profile"
    staff_client_auth: str = "client_secret_basic"
    staff_private_key_path: Path | None = None
    staff_acr: str = ""
    session_idle_minutes: int = 30
    session_absolute_minutes: int = 8 * 60
    session_warning_seconds: int = 120
    # Sessions live in the database; where this is set, in Redis instead (portal/auth/session.py).
    session_redis_url: str = ""
    # The staff directory (who is a caseworker or an administrator, of which municipality and unit),
    # re-read on every request: removing someone ends their access at once (portal/auth/staff.py).
    # Unset means no staff login. The demo (devstack/stack.py) and the tests give the cast's
    # devstack/testdata/staff.json; the product itself never defaults to test data.
    staff_directory: Path | None = None
    secure_cookies: bool = False
    provider_timeout_seconds: float = 3.0  # deadline per provider call, retries included
    fetch_in_background: bool = True
    delivery_lease_seconds: int = 60  # a worker that dies holds its claims this long
    seal_key_path: Path | None = None  # default: <instance>/seal-ed25519.pem
    # Notifications ("there is news"): the mail server, and the SMS gateway (an HTTP service).
    smtp_host: str = "127.0.0.1"  # the demo runs a local SMTP sink here (devstack/mailsink.py)
    smtp_port: int = 8025
    smtp_from: str = DEMO_SMTP_FROM
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = 10.0
    sms_url: str = ""  # default: the sandbox's /sms (demo); unset in production means no SMS is sent
    sms_token: str = ""  # default: the sandbox token
    demo_mailbox_url: str = "http://localhost:5004"  # the demo's page listing sent mails and SMS
    # Delgivning (portal/delgivning): the digital-mail infrastructure (Mina meddelanden) decisions are served
    # through. Default outside production: the sandbox's /digitalmail; unset in production means every
    # decision goes to the municipality's print queue (paper), said at start.
    digital_mail_url: str = ""
    digital_mail_token: str = ""  # default: the sandbox token
    # Where reports of accessibility problems are e-mailed (the operator; portal/rights). Unset: stored only.
    accessibility_email: str = "tillganglighet@egna-utrymmet.localhost"
    # The sample municipality receiver (webhook URLs "{receiver_url}/..." in the routing configuration).
    # Unset outside production: derived from the portal's own address, its port + 3 (5000 → 5003).
    receiver_url: str = ""
    instance_path: Path = field(default_factory=lambda: REPO_ROOT / "instance")
    # Rate limits (portal/web/limits.py): where the counters live, shared by every process (Redis in
    # production: redis://host:6379/0); memory:// counts per process, refused in production unless allowed.
    ratelimit_storage_uri: str = "memory://"
    ratelimit_allow_memory: bool = False
    ratelimit_key_prefix: str = "portal"
    ratelimits: dict[str, str] = field(default_factory=lambda: dict(RATE_LIMITS))
    # API bearer tokens: any token whose exp - iat is longer is refused, whoever signed it.
    api_token_max_lifetime_seconds: int = 3600

    def __post_init__(self) -> None:
        self.citizen_idp_url = (self.citizen_idp_url or self.idp_url).rstrip("/")
        self.staff_idp_url = (self.staff_idp_url or self.idp_url).rstrip("/")
        if self.seal_key_path is None:
            self.seal_key_path = self.instance_path / "seal-ed25519.pem"
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_path / 'portal.sqlite3'}"
        if not self.sms_url and not self.is_production:
            self.sms_url = f"{self.sandbox_url.rstrip('/')}/sms"
        if not self.sms_token and not self.is_production:
            self.sms_token = self.sandbox_token
        if not self.receiver_url and not self.is_production:
            self.receiver_url = derived_receiver_url(self.base_url)
        if not self.digital_mail_url and not self.is_production:
            self.digital_mail_url = f"{self.sandbox_url.rstrip('/')}/digitalmail"
        if not self.digital_mail_token and not self.is_production:
            self.digital_mail_token = self.sandbox_token
        self.receiver_url = self.receiver_url.rstrip("/")

    @classmethod
    def from_env(cls) -> Config:
        env = _env("ENV", "demo")
        instance = Path(_env("INSTANCE_PATH", str(REPO_ROOT / "instance")))
        base_url = _env("BASE_URL", "http://localhost:5000").rstrip("/")
        config = cls(
            env=env,
            secret_key=_env("SECRET_KEY", DEFAULT_SECRET),
            base_url=base_url,
            database_url=_env("DATABASE_URL", f"sqlite:///{instance / 'portal.sqlite3'}"),
            idp_url=_env("IDP_URL", "http://localhost:5001").rstrip("/"),
            sandbox_url=_env("SANDBOX_URL", "http://localhost:5002").rstrip("/"),
            sandbox_token=_env("SANDBOX_TOKEN", DEMO_SANDBOX_TOKEN),
            citizen_client_id=_env("CITIZEN_CLIENT_ID", "portal-citizen"),
            citizen_client_secret=_env("CITIZEN_CLIENT_SECRET", DEFAULT_CLIENT_SECRETS["citizen"]),
            staff_client_id=_env("STAFF_CLIENT_ID", "portal-staff"),
            staff_client_secret=_env("STAFF_CLIENT_SECRET", DEFAULT_CLIENT_SECRETS["staff"]),
            session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
            provider_timeout_seconds=float(_env("PROVIDER_DEADLINE_SECONDS", "3")),
            delivery_lease_seconds=_env_int("DELIVERY_LEASE_SECONDS", 60),
            session_absolute_minutes=_env_int("SESSION_ABSOLUTE_MINUTES", 8 * 60),
            session_redis_url=_env("SESSION_REDIS_URL", ""),
            # The two kinds' OIDC settings, by name: keyword arguments of several types to the checker.
            **cast(
                dict[str, Any],
                {
                    f"{kind}_{name}": _env(f"{kind.upper()}_{name.upper()}", default)
                    for kind in ("citizen", "staff")
                    for name, default in (
                        ("idp_url", ""),
                        ("scopes", getattr(cls, f"{kind}_scopes")),
                        ("client_auth", "client_secret_basic"),
                        ("acr", getattr(cls, f"{kind}_acr")),
                    )
                },
            ),
            citizen_private_key_path=_env_path("CITIZEN_PRIVATE_KEY"),
            staff_private_key_path=_env_path("STAFF_PRIVATE_KEY"),
            staff_directory=Path(os.environ["PORTAL_STAFF_DIRECTORY"])
            if os.environ.get("PORTAL_STAFF_DIRECTORY")
            else None,
            # Secure cookies everywhere except plain-HTTP local demo.
            secure_cookies=_env_bool("SECURE_COOKIES", base_url.startswith("https://")),
            instance_path=instance,
            seal_key_path=Path(os.environ["PORTAL_SEAL_KEY_PATH"]) if os.environ.get("PORTAL_SEAL_KEY_PATH") else None,
            # Production has no defaults for the mail server: validate() asks for them.
            smtp_host=_env("SMTP_HOST", "" if env == "production" else "127.0.0.1"),
            smtp_port=_env_int("SMTP_PORT", 587 if env == "production" else 8025),
            smtp_from=_env("SMTP_FROM", "" if env == "production" else DEMO_SMTP_FROM),
            smtp_starttls=_env_bool("SMTP_STARTTLS", env == "production"),
            smtp_username=_env("SMTP_USERNAME", ""),
            smtp_password=_env("SMTP_PASSWORD", ""),
            sms_url=_env("SMS_URL", ""),
            sms_token=_env("SMS_TOKEN", ""),
            digital_mail_url=_env("DIGITAL_MAIL_URL", "").rstrip("/"),
            digital_mail_token=_env("DIGITAL_MAIL_TOKEN", ""),
            demo_mailbox_url=_env("DEMO_MAILBOX_URL", "http://localhost:5004").rstrip("/"),
            accessibility_email=_env(
                "ACCESSIBILITY_EMAIL", "" if env == "production" else "tillganglighet@egna-utrymmet.localhost"
            ),
            receiver_url=_env("RECEIVER_URL", ""),
            ratelimit_storage_uri=_env("RATELIMIT_STORAGE_URI", "memory://"),
            ratelimit_allow_memory=_env_bool("RATELIMIT_ALLOW_MEMORY", False),
            ratelimit_key_prefix=_env("RATELIMIT_KEY_PREFIX", "portal"),
            ratelimits={
                family: _env(f"RATELIMIT_{family.upper()}", default) for family, default in RATE_LIMITS.items()
            },
            api_token_max_lifetime_seconds=_env_int("API_TOKEN_MAX_LIFETIME_SECONDS", 3600),
        )
        config.validate()
        return config

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def validate(self) -> None:
        if not self.is_production:
            return
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            raise ConfigError("Refusing to start in production with the default or a short PORTAL_SECRET_KEY")
        for name, value in (
            ("PORTAL_CITIZEN_CLIENT_SECRET", self.citizen_client_secret),
            ("PORTAL_STAFF_CLIENT_SECRET", self.staff_client_secret),
        ):
            if value in DEFAULT_CLIENT_SECRETS.values():
                raise ConfigError(f"Refusing to start in production with a default OIDC client secret in {name}")
        if self.database_url.startswith("sqlite"):
            raise ConfigError("Refusing to start in production on SQLite; set PORTAL_DATABASE_URL")
        if not self.base_url.startswith("https://") or not self.secure_cookies:
            raise ConfigError("Refusing to start in production without HTTPS and Secure cookies")
        if not self.smtp_host or not self.smtp_from or self.smtp_from == DEMO_SMTP_FROM:
            raise ConfigError(
                "Refusing to start in production without a mail server: set PORTAL_SMTP_HOST, "
                "PORTAL_SMTP_PORT and PORTAL_SMTP_FROM"
            )
        for kind in ("citizen", "staff"):
            if getattr(self, f"{kind}_client_auth") not in ("client_secret_basic", "private_key_jwt"):
                raise ConfigError(f"PORTAL_{kind.upper()}_CLIENT_AUTH must be client_secret_basic or private_key_jwt")
        if self.smtp_username and not self.smtp_starttls:
            raise ConfigError("Refusing to send the SMTP password unencrypted: set PORTAL_SMTP_STARTTLS=1")

    def check_rate_limits(self) -> None:
        """Production counts rate limits in a store every process shares (Redis): in memory each
        process would count alone, and behind a load balancer every limit would multiply. Run by
        ``portal.web.limits.install``; the error names the setting, never the URI (it may hold a password)."""
        memory = self.ratelimit_storage_uri.startswith("memory://")
        if self.is_production and memory and not self.ratelimit_allow_memory:
            raise ConfigError(
                "Refusing to start in production with rate limits counted in memory: set "
                "PORTAL_RATELIMIT_STORAGE_URI (redis://...), or PORTAL_RATELIMIT_ALLOW_MEMORY=1 "
                "for a single process"
            )

    def check_secrets(self) -> None:
        """Every secret a production portal uses: none of the published demo ones (by content, wherever
        it was given), each strong. The error names the setting, never the value. ``create_app`` runs it
        once every part has checked its own configuration (the API clients' file, for one)."""
        if not self.is_production:
            return
        named = {
            "PORTAL_SECRET_KEY": self.secret_key,
            "PORTAL_CITIZEN_CLIENT_SECRET": self.citizen_client_secret,
            "PORTAL_STAFF_CLIENT_SECRET": self.staff_client_secret,
            "PORTAL_SANDBOX_TOKEN": self.sandbox_token,
        }
        if self.sms_token or self.sms_url:
            named["PORTAL_SMS_TOKEN"] = self.sms_token
        if self.digital_mail_url:
            named["PORTAL_DIGITAL_MAIL_TOKEN"] = self.digital_mail_token
        named.update(
            {name: value for name, value in sorted(os.environ.items()) if name.startswith(WEBHOOK_SECRET_PREFIX)}
        )
        for name, value in named.items():
            problem = secret_problem(value or "")
            if problem:
                raise ConfigError(
                    f"Refusing to start in production: {name} {problem}; "
                    f"set it to a secret of its own (e.g. python -c 'import secrets; "
                    f"print(secrets.token_urlsafe(32))')"
                )
        if self.smtp_password and self.smtp_password.strip() in DEMO_SECRETS:
            raise ConfigError("Refusing to start in production: PORTAL_SMTP_PASSWORD is a published demo secret")

    def cookie_name(self, name: str) -> str:
        """The portal's cookies carry the ``__Host-`` prefix in production (Secure, Path=/, no Domain)."""
        return f"__Host-{name}" if self.is_production else name

    def flask_settings(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            # In production the __Host- prefix: the browser keeps the cookie only if it is Secure, for
            # Path=/ and without Domain, so no sibling host or plain-HTTP page can set or shadow it.
            "SESSION_COOKIE_NAME": self.cookie_name("portal_session"),
            "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_HTTPONLY": True,
            # Lax, not Strict: Strict drops the cookie on the redirect back from the IdP.
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "PERMANENT_SESSION_LIFETIME": self.session_absolute_minutes * 60,
            "WTF_CSRF_TIME_LIMIT": self.session_absolute_minutes * 60,
            "WTF_CSRF_SSL_STRICT": self.secure_cookies,
            "BABEL_DEFAULT_LOCALE": "sv",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
            "BABEL_TRANSLATION_DIRECTORIES": str(REPO_ROOT / "translations"),
            # Above the 10 MB file limit, so a too large file gets its own clear message.
            "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        }
