import pytest

from portal.config import DEFAULT_SECRET, Config, ConfigError


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


def _production(**overrides):
    values = dict(env="production", secret_key="x" * 40, base_url="https://portal.example",
                  database_url="postgresql+psycopg://u@h/db", secure_cookies=True,
                  citizen_client_secret="c" * 32, staff_client_secret="s" * 32,
                  smtp_host="smtp.portal.example", smtp_from="Egna utrymmet <no-reply@portal.example>")
    values.update(overrides)
    return Config(**values)


def test_production_with_real_secrets_starts():
    _production().validate()


@pytest.mark.parametrize("overrides", [
    {"secret_key": DEFAULT_SECRET},
    {"secret_key": "short"},
    {"citizen_client_secret": "citizen-demo-secret"},
    {"database_url": "sqlite:///x.db"},
    {"base_url": "http://portal.example", "secure_cookies": False},
])
def test_production_refuses_unsafe_settings(overrides):
    with pytest.raises(ConfigError):
        _production(**overrides).validate()


def test_create_app_refuses_production_default_secret(monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError):
        create_app()
