"""Rate limits (issue 13, point 2): every limited endpoint answers 429 with Retry-After once its
family's budget is spent, counted per person, per API client and per IP address, in memory or in
Redis (portal/web/limits.py). Limits are set low through the configuration, one family at a time."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from devstack import STAFF_FILE
from portal.config import RATE_LIMITS, Config, ConfigError
from portal.extensions import db
from portal.web.limits import LIMITED
from tests.support import csrf_from, idp_login, page_checks, sv

ANDERS = "199006022397"  # Uppsala
EMMA = "199107172380"  # Stockholm
BOGUS = str(uuid.uuid4())  # the limit is counted before the view looks anything up
REDIS_URL = "redis://127.0.0.1:6379/0"


class IsolatedClient(FlaskClient):
    """Each request in its own context, as in production (see tests/conftest.py)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(FlaskClient.open, self, *args, **kwargs)


@pytest.fixture
def make_app(config):
    """``make_app(family=limit, ..., settings...)``: a portal with those limits, the others as configured
    by default; every app made shares the test's database."""
    from portal import create_app

    with contextlib.ExitStack() as stack:

        def make(storage: str = "memory://", prefix: str = "portal", **limits: str):
            assert set(limits) <= set(RATE_LIMITS), limits
            app = create_app(
                replace(
                    config,
                    ratelimits={**RATE_LIMITS, **limits},
                    ratelimit_storage_uri=storage,
                    ratelimit_key_prefix=prefix,
                )
            )
            app.config["TESTING"] = True
            app.test_client_class = IsolatedClient
            stack.enter_context(app.app_context())
            stack.callback(_close_database)  # runs first, while the app's context is still there
            return app

        yield make


def _close_database() -> None:
    db.session.remove()
    db.engine.dispose()


def citizen(app, who: str = ANDERS):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": who})
    return client


def caseworker(app, sub: str = "staff-uppsala-1"):
    client = app.test_client()
    idp_login(client, "/auth/staff/login", {"subject": sub})
    return client


def api_client(app, client_id: str = "uppsala-system", secret: str = "uppsala-demo-secret"):
    client = app.test_client()
    answer = client.post("/api/v1/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert answer.status_code == 200, answer.get_json()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {answer.get_json()['access_token']}"
    return client


def _post(client, path: str, page: str = "/overview", **data):
    return client.post(path, data={"csrf_token": csrf_from(client.get(page)), **data})


# Who makes the request, and the request: one per limited endpoint.
REQUESTS = {
    "auth.callback": ("anonymous", lambda c: c.get("/auth/callback/citizen?code=x&state=y")),
    "auth.sign_callback": ("citizen", lambda c: c.get("/auth/sign/callback?code=x&state=y")),
    "mandates.admin_stepup": ("admin", lambda c: c.get("/mandates/admin/step-up?code=x&state=y")),
    "api.token": (
        "anonymous",
        lambda c: c.post(
            "/api/v1/token", data={"grant_type": "client_credentials"}, auth=("uppsala-system", "not-the-secret")
        ),
    ),
    "mandates.new": ("citizen", lambda c: _post(c, "/mandates/new")),
    "attachments.manage": ("citizen", lambda c: _post(c, f"/applications/{BOGUS}/attachments")),
    "case.answer": ("citizen", lambda c: _post(c, f"/cases/{BOGUS}/requests/{BOGUS}")),
    "case.send_document": ("citizen", lambda c: _post(c, f"/cases/{BOGUS}/documents/dental_estimate")),
    "submission.submit": ("citizen", lambda c: _post(c, f"/applications/{BOGUS}/submit")),
    "submission.cosign": ("citizen", lambda c: _post(c, f"/applications/{BOGUS}/cosign")),
    "case.messages": ("citizen", lambda c: _post(c, f"/cases/{BOGUS}/messages", body="Hej")),
    "case.reply": ("citizen", lambda c: _post(c, f"/cases/{BOGUS}/messages/{BOGUS}/reply", body="Hej")),
    "municipality.message": (
        "staff",
        lambda c: _post(c, f"/municipality/inbox/{BOGUS}/messages", page="/municipality/inbox", body="Hej"),
    ),
    "api.send_message": (
        "api",
        lambda c: c.post(f"/api/v1/applications/{BOGUS}/messages", json={"body": "Hej", "authorName": "Per"}),
    ),
    "municipality.inbox": ("staff", lambda c: c.get("/municipality/inbox?q=EU-AAAA-BBBB")),
    "rights.feedback": (
        "anonymous",
        lambda c: _post(c, "/accessibility/feedback", page="/accessibility/feedback", problem="Knappen syns inte."),
    ),
}
MAKE_CLIENT = {
    "anonymous": lambda app: app.test_client(),
    "citizen": citizen,
    "staff": caseworker,
    "admin": lambda app: caseworker(app, "staff-admin-1"),
    "api": api_client,
}


def test_every_limited_endpoint_exists_and_is_limited(make_app):
    """A renamed or removed endpoint would silently lose its limit: the list must follow the routes."""
    app = make_app()
    missing = [endpoint for endpoint in LIMITED if endpoint not in app.view_functions]
    assert not missing, f"portal/web/limits.py names endpoints that do not exist: {missing}"
    for endpoint, spec in LIMITED.items():
        view = app.view_functions[endpoint]
        assert view.rate_limit_family == spec.family
        assert getattr(view, "access_rule", None), f"{endpoint} lost its access rule when wrapped"
    assert set(REQUESTS) == set(LIMITED), "every limited endpoint is tested below"


@pytest.fixture(scope="module")
def every_family_low(databases, live_services, tmp_path_factory):
    """One portal for the per-endpoint tests, every family at 2 a minute, its counters cleared before
    each (one app and one database for all of them keeps the module fast)."""
    from portal import create_app

    url = databases.fresh()
    config = Config(
        base_url="http://localhost",
        staff_directory=STAFF_FILE,
        database_url=url,
        idp_url=live_services["idp_url"],
        sandbox_url=live_services["sandbox_url"],
        fetch_in_background=False,
        instance_path=tmp_path_factory.mktemp("limits") / "instance",
        ratelimits=dict.fromkeys(RATE_LIMITS, "2 per minute"),
    )
    app = create_app(config)
    app.config["TESTING"] = True
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _close_database()
    databases.drop(url)


@pytest.mark.parametrize("endpoint", sorted(LIMITED))
def test_each_limited_endpoint_answers_429_with_retry_after_past_its_limit(every_family_low, endpoint):
    app = every_family_low
    limiter = app.extensions["portal.limiter"]
    limiter.reset()
    who, send = REQUESTS[endpoint]
    client = MAKE_CLIENT[who](app)
    limiter.reset()  # logging in counted as a login callback
    first, second = send(client), send(client)
    assert first.status_code != 429 and second.status_code != 429, (first.status_code, second.status_code)
    refused = send(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    if refused.request.path.startswith("/api/"):
        assert refused.mimetype == "application/problem+json"
        problem = refused.get_json()
        assert problem["status"] == 429 and problem["error"] == "rate_limited"
    else:
        doc = page_checks(refused)
        assert doc.find("h1").get_text(strip=True) == sv("Too many attempts in a short time")


def test_the_429_page_says_when_to_try_again_in_swedish_and_arabic(make_app):
    app = make_app(login="1 per minute")
    client = app.test_client()
    client.get("/auth/callback/citizen?code=x&state=y")
    refused = client.get("/auth/callback/citizen?code=x&state=y")
    seconds = int(refused.headers["Retry-After"])
    assert refused.status_code == 429 and 0 < seconds <= 60
    text = page_checks(refused).find("main").get_text(" ", strip=True)
    assert "sekund" in text or "minut" in text  # "om 58 sekunder, kl. 14:35"
    client.get("/language?lang=ar")
    refused = client.get("/auth/callback/citizen?code=x&state=y")
    assert refused.status_code == 429
    page_checks(refused, lang="ar", direction="rtl")


def test_a_method_or_a_listing_outside_the_limit_is_not_counted(make_app):
    app = make_app(mandate_grant="1 per minute", search="1 per minute")
    anders = citizen(app)
    _post(anders, "/mandates/new")
    assert _post(anders, "/mandates/new").status_code == 429
    assert anders.get("/mandates/new").status_code == 200  # showing the form is not granting
    per = caseworker(app)
    per.get("/municipality/inbox?q=EU-AAAA-BBBB")
    assert per.get("/municipality/inbox?q=EU-AAAA-CCCC").status_code == 429
    assert per.get("/municipality/inbox").status_code == 200  # listing without a search term


def test_one_persons_burst_does_not_block_another(make_app):
    app = make_app(upload="2 per minute")
    anders, emma = citizen(app, ANDERS), citizen(app, EMMA)
    for _ in range(2):
        _post(anders, f"/applications/{BOGUS}/attachments")
    assert _post(anders, f"/applications/{BOGUS}/attachments").status_code == 429
    assert _post(emma, f"/applications/{BOGUS}/attachments").status_code != 429
    # One budget per family: the other upload endpoint is spent for Anders too, not for Emma.
    assert _post(anders, f"/cases/{BOGUS}/requests/{BOGUS}").status_code == 429
    assert _post(emma, f"/cases/{BOGUS}/requests/{BOGUS}").status_code != 429


def test_one_caseworkers_searches_do_not_block_another(make_app):
    app = make_app(search="1 per minute")
    per, nadia = caseworker(app, "staff-uppsala-1"), caseworker(app, "staff-uppsala-2")
    per.get("/municipality/inbox?q=EU-AAAA-BBBB")
    assert per.get("/municipality/inbox?q=EU-AAAA-BBBB").status_code == 429
    assert nadia.get("/municipality/inbox?q=EU-AAAA-BBBB").status_code == 200


def test_one_api_clients_messages_do_not_block_another(make_app):
    app = make_app(message="1 per minute")
    uppsala = api_client(app)
    linkoping = api_client(app, "linkoping-system", "linkoping-demo-secret")
    body = {"body": "Hej", "authorName": "Per"}
    uppsala.post(f"/api/v1/applications/{BOGUS}/messages", json=body)
    assert uppsala.post(f"/api/v1/applications/{BOGUS}/messages", json=body).status_code == 429
    assert linkoping.post(f"/api/v1/applications/{BOGUS}/messages", json=body).status_code == 404


def test_wrong_secrets_lock_the_client_id_out_even_with_the_right_secret(make_app):
    app = make_app(token_failures="3 per 15 minutes")
    client = app.test_client()

    def token(client_id: str, secret: str):
        return client.post("/api/v1/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))

    assert token("uppsala-system", "uppsala-demo-secret").status_code == 200  # a right secret is not a failure
    for _ in range(3):
        assert token("uppsala-system", "guess").status_code == 401
    locked = token("uppsala-system", "uppsala-demo-secret")
    assert locked.status_code == 429 and locked.mimetype == "application/problem+json"
    assert 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert token("linkoping-system", "linkoping-demo-secret").status_code == 200  # another client id


def test_the_ip_limit_counts_every_person_from_one_address_together(make_app):
    app = make_app(ip="3 per minute")
    anders, emma = citizen(app, ANDERS), citizen(app, EMMA)  # the login callbacks count: 2 of 3
    assert _post(anders, f"/applications/{BOGUS}/submit").status_code != 429
    assert _post(emma, f"/applications/{BOGUS}/submit").status_code == 429
    other = app.test_client()
    refused = other.get("/auth/callback/citizen?code=x&state=y", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert refused.status_code == 429
    elsewhere = other.get("/auth/callback/citizen?code=x&state=y", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code != 429


def test_apps_with_memory_stores_count_alone(make_app):
    """Why production refuses memory://: two processes would each allow the whole limit."""
    first, second = make_app(login="1 per minute"), make_app(login="1 per minute")
    assert first.test_client().get("/auth/callback/citizen").status_code != 429
    assert first.test_client().get("/auth/callback/citizen").status_code == 429
    assert second.test_client().get("/auth/callback/citizen").status_code != 429


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the machine's Redis (127.0.0.1:6379), its keys removed after."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (bin/test starts it)")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield prefix, server
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def test_two_portal_apps_sharing_redis_share_their_limits(make_app, redis_prefix):
    prefix, server = redis_prefix
    first = make_app(storage=REDIS_URL, prefix=prefix, login="2 per minute")
    second = make_app(storage=REDIS_URL, prefix=prefix, login="2 per minute")
    assert first.test_client().get("/auth/callback/citizen").status_code != 429
    assert second.test_client().get("/auth/callback/citizen").status_code != 429
    refused = first.test_client().get("/auth/callback/citizen")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert second.test_client().get("/auth/callback/citizen").status_code == 429
    assert list(server.scan_iter(f"*{prefix}*")), "the counters are in Redis, under the prefix"
    # Another prefix is another portal: it counts on its own.
    third = make_app(storage=REDIS_URL, prefix=f"{prefix}-other", login="2 per minute")
    assert third.test_client().get("/auth/callback/citizen").status_code != 429


# --- configuration ----------------------------------------------------------------------------------


def _production(**overrides) -> Config:
    import secrets

    values = {
        "env": "production",
        "secret_key": secrets.token_urlsafe(32),
        "base_url": "https://portal.example",
        "database_url": "postgresql+psycopg://u@h/db",
        "secure_cookies": True,
    }
    values.update(overrides)
    return Config(**values)


def test_production_refuses_rate_limits_counted_in_memory_unless_allowed():
    with pytest.raises(ConfigError, match="PORTAL_RATELIMIT_STORAGE_URI"):
        _production().check_rate_limits()
    _production(ratelimit_storage_uri="redis://:secret@redis.internal:6379/0").check_rate_limits()
    _production(ratelimit_allow_memory=True).check_rate_limits()
    Config().check_rate_limits()  # the demo counts in memory


def test_the_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_RATELIMIT_UPLOAD", "3 per hour")
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URI", REDIS_URL)
    monkeypatch.setenv("PORTAL_RATELIMIT_KEY_PREFIX", "eu")
    config = Config.from_env()
    assert config.ratelimits["upload"] == "3 per hour" and config.ratelimits["login"] == RATE_LIMITS["login"]
    assert (config.ratelimit_storage_uri, config.ratelimit_key_prefix) == (REDIS_URL, "eu")


def test_a_limit_that_is_not_one_stops_the_start_naming_the_setting(make_app):
    with pytest.raises(ConfigError, match="PORTAL_RATELIMIT_MESSAGE"):
        make_app(message="many per hour")
