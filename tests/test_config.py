import os
import secrets

import pytest

from portal.config import DEFAULT_SECRET, DEMO_API_CLIENT_SECRETS, DEMO_SECRETS, Config, ConfigError


def test_demo_defaults_are_accepted():
    Config().validate()


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "7")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example/")
    config = Config.from_env()
    assert config.database_url == "postgresql+psycopg://u@h/db"
    assert config.session_idle_minutes == 7
    assert config.base_url == "https://portal.example"
    assert config.secure_cookies is True


def test_plain_http_demo_has_no_secure_cookie(monkeypatch):
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    assert Config.from_env().secure_cookies is False
    assert Config.from_env().flask_settings()["SESSION_COOKIE_HTTPONLY"] is True
    assert Config.from_env().flask_settings()["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_bad_integer_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "soon")
    with pytest.raises(ConfigError, match="PORTAL_SESSION_IDLE_MINUTES"):
        Config.from_env()


def _strong() -> str:
    return secrets.token_urlsafe(32)


def _production(**overrides):
    values = {
        "env": "production",
        "secret_key": _strong(),
        "base_url": "https://portal.example",
        "database_url": "postgresql+psycopg://u@h/db",
        "secure_cookies": True,
        "citizen_client_secret": _strong(),
        "staff_client_secret": _strong(),
        "sandbox_token": _strong(),
        "smtp_host": "smtp.portal.example",
        "smtp_from": "Egna utrymmet <no-reply@portal.example>",
    }
    values.update(overrides)
    return Config(**values)


def test_production_with_real_secrets_starts():
    _production().validate()


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret_key": DEFAULT_SECRET},
        {"secret_key": "short"},
        {"citizen_client_secret": "citizen-demo-secret"},
        {"database_url": "sqlite:///x.db"},
        {"base_url": "http://portal.example", "secure_cookies": False},
    ],
)
def test_production_refuses_unsafe_settings(overrides):
    with pytest.raises(ConfigError):
        _production(**overrides).validate()


def test_create_app_refuses_production_default_secret(monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError):
        create_app()


# --- issue 13, point 3: no published demo secret in production, and strong secrets ------------------

SETTING = {
    "secret_key": "PORTAL_SECRET_KEY",
    "citizen_client_secret": "PORTAL_CITIZEN_CLIENT_SECRET",
    "staff_client_secret": "PORTAL_STAFF_CLIENT_SECRET",
    "sandbox_token": "PORTAL_SANDBOX_TOKEN",
    "sms_token": "PORTAL_SMS_TOKEN",
}


@pytest.mark.parametrize("field", list(SETTING))
@pytest.mark.parametrize("value", sorted(DEMO_SECRETS) + ["x" * 40, "ab" * 20, "0123456789abcdef0123456789", ""])
def test_production_refuses_a_demo_or_weak_secret_naming_the_setting_not_the_secret(field, value, monkeypatch):
    for name in [n for n in os.environ if n.startswith("PORTAL_WEBHOOK_SECRET_")]:
        monkeypatch.delenv(name)
    extra = {"sms_url": "https://sms.portal.example/send"} if field == "sms_token" else {}
    with pytest.raises(ConfigError) as refused:
        config = _production(**{field: value}, **extra)
        config.validate()
        config.check_secrets()
    assert SETTING[field] in str(refused.value)
    assert not value or value not in str(refused.value)


def test_the_default_sandbox_token_is_refused_when_started_from_the_environment(monkeypatch, tmp_path):
    for name, value in {
        "ENV": "production",
        "SECRET_KEY": _strong(),
        "BASE_URL": "https://portal.example",
        "DATABASE_URL": "postgresql+psycopg://u@h/db",
        "CITIZEN_CLIENT_SECRET": _strong(),
        "STAFF_CLIENT_SECRET": _strong(),
        "SMTP_HOST": "smtp.portal.example",
        "SMTP_FROM": "Egna utrymmet <no-reply@portal.example>",
        "INSTANCE_PATH": str(tmp_path),
    }.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    monkeypatch.delenv("PORTAL_SANDBOX_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="PORTAL_SANDBOX_TOKEN"):
        Config.from_env().check_secrets()
    monkeypatch.setenv("PORTAL_SANDBOX_TOKEN", _strong())
    Config.from_env().check_secrets()


@pytest.mark.parametrize("value", ["demo-webhook-secret", "bench-webhook-secret", "k9#Qz"])
def test_production_refuses_a_demo_or_weak_webhook_secret(monkeypatch, value):
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET_VASTERAS", value)
    with pytest.raises(ConfigError, match="PORTAL_WEBHOOK_SECRET_VASTERAS") as refused:
        _production().check_secrets()
    assert value not in str(refused.value)
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET_VASTERAS", _strong())
    _production().check_secrets()


def test_the_smtp_password_may_not_be_a_demo_secret(monkeypatch):
    with pytest.raises(ConfigError, match="PORTAL_SMTP_PASSWORD"):
        _production(smtp_username="portal", smtp_password="demo-webhook-secret", smtp_starttls=True).check_secrets()


def test_the_demo_passes_the_secret_check_it_needs_none():
    Config().check_secrets()


def test_the_demo_secrets_listed_are_those_the_repository_publishes():
    """The list refused in production must keep up with the demo: the API clients' file, the receiver
    and the stack's webhook secret, the sandbox's token."""
    import inspect
    import json

    from devstack import stack
    from devstack.receiver.__main__ import DEMO_SECRETS as RECEIVER_DEMO_SECRETS
    from devstack.sandbox.app import create_sandbox_app
    from portal.api import clients

    demo = json.loads(clients.DEFAULT_PATH.read_text(encoding="utf-8"))["clients"]
    for entry in demo:
        assert any(clients.verify_secret(secret, entry["secret_hash"]) for secret in DEMO_API_CLIENT_SECRETS), entry
    assert set(RECEIVER_DEMO_SECRETS.values()) <= DEMO_SECRETS
    assert '"demo-webhook-secret"' in inspect.getsource(stack) and "demo-webhook-secret" in DEMO_SECRETS
    assert inspect.signature(create_sandbox_app).parameters["api_token"].default in DEMO_SECRETS
