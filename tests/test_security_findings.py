"""Findings of the outside security test (issue 13), each with the test that would have caught it.
Anchor: OWASP ASVS 5.0 level 2."""

from __future__ import annotations

import logging
import os
import secrets

import httpx
import pytest
from flask import session

from portal.api import clients as api_clients
from portal.auth.access import requires
from portal.config import Config
from tests import factories
from tests.support import free_port, idp_login

ANDERS = "199006022397"
HUGE = "99999999999999999999999"


def strong() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture
def production(tmp_path, monkeypatch, live_services):
    """A production configuration that passes every check: strong secrets of its own, an API clients
    file of its own, PostgreSQL (never connected to: the requests made need no database). The identity
    provider is the run's own."""
    path = tmp_path / "api_clients.json"
    path.write_text(
        '{"clients": [{"client_id": "real-system", "municipality_code": "0380", '
        f'"scopes": ["applications:read"], "secret_hash": "{api_clients.hash_secret(strong())}"}}]}}',
        encoding="utf-8",
    )
    monkeypatch.setenv(api_clients.ENV, str(path))
    for name in [n for n in os.environ if n.startswith("PORTAL_WEBHOOK_SECRET_")]:
        monkeypatch.delenv(name)
    api_clients.clear_cache()

    def make(**overrides) -> Config:
        values = {
            "env": "production",
            "secret_key": strong(),
            "base_url": "https://portal.example",
            "database_url": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "secure_cookies": True,
            "citizen_client_secret": strong(),
            "staff_client_secret": strong(),
            "sandbox_token": strong(),
            "smtp_host": "smtp.portal.example",
            "smtp_from": "Egna utrymmet <no-reply@portal.example>",
            "idp_url": live_services["idp_url"],
            "sandbox_url": live_services["sandbox_url"],
            "instance_path": tmp_path / "instance",
            "ratelimit_allow_memory": True,
            # No database here: sessions (kept on the server, issue 12) in the tests' Redis.
            "session_redis_url": "redis://127.0.0.1:6379/15",
        }
        values.update(overrides)
        return Config(**values)

    # The OIDC clients are registered once per process (portal.extensions.oauth, the first app's
    # secrets win): the production app's must not outlive this test.
    from portal.extensions import oauth

    saved = dict(oauth._clients), dict(oauth._registry)
    yield make
    api_clients.clear_cache()
    for kept, now in zip(saved, (oauth._clients, oauth._registry), strict=True):
        now.clear()
        now.update(kept)


def production_app(config: Config):
    from portal import create_app

    app = create_app(config)
    app.config["TESTING"] = True

    @requires("public")
    def remember():
        session["seen"] = True
        return "ok"

    app.add_url_rule("/_remember", "remember", remember)
    return app


# --- 4. production transport: HSTS, __Host- cookies, no server banner ----------------------------


def test_production_sends_hsts_and_prefixes_its_cookies_with_host(production):
    client = production_app(production()).test_client()
    response = client.get("/_remember", base_url="https://portal.example")
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
    cookie = response.headers["Set-Cookie"]
    name, _, attributes = cookie.partition("=")
    attributes = [part.strip().lower() for part in attributes.split(";")]
    assert name == "__Host-portal_session"
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain") for part in attributes)
    language = client.get("/language?lang=en", base_url="https://portal.example")
    assert language.headers["Set-Cookie"].startswith("__Host-portal_lang=en;")
    assert "Secure" in language.headers["Set-Cookie"] and "Path=/" in language.headers["Set-Cookie"]
    english = client.get("/", base_url="https://portal.example")  # the prefixed cookie is the one read
    assert 'lang="en"' in english.get_data(as_text=True)


def test_the_demo_sends_no_hsts(app, client):
    response = client.get("/")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP on localhost
    assert app.config["SESSION_COOKIE_NAME"] == "portal_session"


def test_the_server_names_no_software(app):
    from devstack.stack import Stack

    stack = Stack()
    port = free_port()
    stack.add(app, "127.0.0.1", port)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
        missing = httpx.get(f"http://127.0.0.1:{port}/no-such-page", timeout=60)
    finally:
        stack.shutdown()
    assert response.status_code == 200 and missing.status_code == 404
    for answer in (response, missing):
        assert "server" not in answer.headers, answer.headers.get("server")
        assert "Werkzeug" not in str(answer.headers) and "Python" not in str(answer.headers)


# --- 8. an integer id too large for the database is a 404, not a 500 ---------------------------


@pytest.mark.parametrize(
    "path",
    [
        "costs/{n}",
        "costs/{n}/remove",
        "incomes/{n}",
        "incomes/{n}/remove",
        "assets/{n}",
        "assets/{n}/remove",
        "items/{n}/comment",
    ],
)
@pytest.mark.parametrize("number", [HUGE, str(2**31), "9" * 5000])
def test_an_id_beyond_the_database_integer_is_not_found(app, client, caplog, path, number):
    anders = factories.person(ANDERS)
    draft = factories.draft(anders)
    idp_login(client, "/auth/login", {"subject": ANDERS})
    url = f"/applications/{draft.id}/{path.format(n=number)}"
    caplog.set_level(logging.ERROR)
    response = client.post(url) if url.endswith("/remove") else client.get(url)
    assert response.status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_consent_id_beyond_the_database_integer_is_not_found(app, client, caplog):
    factories.person(ANDERS)
    idp_login(client, "/auth/login", {"subject": ANDERS})
    caplog.set_level(logging.ERROR)
    assert client.post(f"/consents/{HUGE}/revoke").status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_every_integer_route_uses_the_bounded_converter(app):
    from werkzeug.routing.converters import NumberConverter

    from portal.web.converters import MAX_ID, BoundedInt

    numeric = [
        (rule.rule, converter)
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, NumberConverter)
    ]
    assert numeric, "the portal has integer ids in its paths"
    assert all(isinstance(converter, BoundedInt) and converter.max == MAX_ID for _, converter in numeric), numeric


# --- 9. Cache-Control: no-store on everything that may carry personal data ------------------------


def _uppsala_token(client) -> str:
    response = client.post(
        "/api/v1/token", data={"grant_type": "client_credentials"}, auth=("uppsala-system", "uppsala-demo-secret")
    )
    assert response.status_code == 200
    return response.get_json()["access_token"]


def test_the_api_and_the_session_probe_are_never_stored(app, client):
    from datetime import timedelta

    from portal import clock
    from portal.case import services as case

    application = factories.under_handling(factories.received(factories.sent(ANDERS)))
    case.request_supplement(
        application, "Hyreskontrakt", "Vi behöver se kontraktet.", clock.today() + timedelta(days=14), "Per Handläggare"
    )
    factories.decided(application)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {_uppsala_token(api)}"}
    base = f"/api/v1/applications/{application.id}"
    for path in (
        "/api/v1/applications",
        base,
        f"{base}/case",
        f"{base}/events",
        f"{base}/messages",
        f"{base}/decisions",
        f"{base}/payments",
        f"{base}/supplement-requests",
        f"{base}/documents",
        f"{base}/documents/1",
    ):
        response = api.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    idp_login(client, "/auth/login", {"subject": ANDERS})
    status = client.get("/auth/session-status")
    assert status.status_code == 200 and status.mimetype == "application/json"
    assert "no-store" in status.headers.get("Cache-Control", "")


def _example_url(app, rule, application_id: str) -> str:
    import uuid

    values = {}
    for name, converter in rule._converters.items():
        if name == "application_id":
            values[name] = application_id
        elif type(converter).__name__ == "AnyConverter":
            values[name] = converter.regex.strip("(?:)").split("|")[0].replace("\\", "")
        elif type(converter).__name__ in ("BoundedInt", "IntegerConverter"):
            values[name] = 1
        else:
            values[name] = str(uuid.uuid4())
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])


#: static files and documents published for anyone (keys, schemas, the API description): cacheable
PUBLIC_DOCUMENTS = {"static", "web.seal_keys", "api.openapi", "exchange.schema"}


def test_every_route_answers_no_store_whoever_asks(app):
    """Over the route inventory: each route, every method, asked anonymously, by the applicant, by a
    caseworker and by a municipality system; whatever the answer (page, JSON, file, redirect, refusal),
    it may not be stored, except the public documents."""
    from tests.test_access import INVENTORY, inventory

    assert INVENTORY.read_text(encoding="utf-8").splitlines() == inventory(app)
    application = factories.sent(ANDERS)
    anonymous, citizen, staff, system = (app.test_client() for _ in range(4))
    idp_login(citizen, "/auth/login", {"subject": ANDERS})
    idp_login(staff, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    token = {"Authorization": f"Bearer {_uppsala_token(system)}"}
    checked, stored = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_DOCUMENTS or rule.endpoint in ("auth.logout", "auth.login", "auth.staff_login"):
            continue  # logging out or in again would end the other clients' sessions: below
        url = _example_url(app, rule, application.id)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, client, headers in (
                ("anonymous", anonymous, {}),
                ("citizen", citizen, {}),
                ("staff", staff, {}),
                ("system", system, token),
            ):
                response = client.open(url, method=method, headers=headers)
                checked += 1
                if "no-store" not in response.headers.get("Cache-Control", ""):
                    stored.append(
                        f"{method} {url} as {who}: {response.status_code} {response.headers.get('Cache-Control')}"
                    )
    for path in ("/auth/login", "/auth/staff/login", "/no-such-page", "/api/v1/no-such-thing"):
        response = anonymous.get(path)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            stored.append(f"GET {path}: {response.status_code} {response.headers.get('Cache-Control')}")
    assert checked > 400 and not stored, stored
    assert "max-age" in anonymous.get("/.well-known/seal-keys.json").headers["Cache-Control"]  # public: cacheable


# --- 3. the demo's published secrets are refused in production, wherever they come from ----------


@pytest.mark.parametrize(
    "field,setting",
    [
        ("sandbox_token", "PORTAL_SANDBOX_TOKEN"),
        ("secret_key", "PORTAL_SECRET_KEY"),
        ("staff_client_secret", "PORTAL_STAFF_CLIENT_SECRET"),
    ],
)
def test_production_does_not_start_with_a_demo_or_weak_secret(production, field, setting):
    from portal.config import ConfigError

    for value in ("sandbox-token", "x" * 40, "uppsala-demo-secret"):
        with pytest.raises(ConfigError, match=setting) as refused:
            production_app(production(**{field: value}))
        assert value not in str(refused.value)


def test_a_copy_of_the_demo_api_clients_file_at_another_path_does_not_start(production, tmp_path, monkeypatch):
    from portal.config import ConfigError

    copy = tmp_path / "elsewhere" / "clients.json"
    copy.parent.mkdir()
    copy.write_bytes(api_clients.DEFAULT_PATH.read_bytes())
    monkeypatch.setenv(api_clients.ENV, str(copy))
    api_clients.clear_cache()
    with pytest.raises(ConfigError) as refused:
        production_app(production())
    message = str(refused.value)
    assert api_clients.ENV in message and "uppsala-system" in message
    assert "demo-secret" not in message and "scrypt" not in message


def test_demo_entries_copied_into_a_real_file_do_not_start(production, tmp_path, monkeypatch):
    import json

    from portal.config import ConfigError

    demo = json.loads(api_clients.DEFAULT_PATH.read_text(encoding="utf-8"))["clients"]
    own = {
        "client_id": "real-system",
        "municipality_code": "0380",
        "scopes": ["applications:read"],
        "secret_hash": api_clients.hash_secret(strong()),
    }
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps({"clients": [own, {**demo[1], "client_id": "renamed"}]}), encoding="utf-8")
    monkeypatch.setenv(api_clients.ENV, str(mixed))
    api_clients.clear_cache()
    with pytest.raises(ConfigError, match="renamed"):
        production_app(production())


@pytest.mark.parametrize("secret", ["uppsala-demo-secret", "a-weak-secret"])
def test_production_issues_no_token_for_a_demo_secret_hashed_again_or_a_weak_one(
    production, tmp_path, monkeypatch, caplog, secret
):
    path = tmp_path / "rehashed.json"
    path.write_text(
        '{"clients": [{"client_id": "uppsala-system", "municipality_code": "0380", '
        '"scopes": ["applications:read", "case:write"], '
        f'"secret_hash": "{api_clients.hash_secret(secret)}"}}]}}',
        encoding="utf-8",
    )
    monkeypatch.setenv(api_clients.ENV, str(path))
    api_clients.clear_cache()
    client = production_app(production()).test_client()
    response = client.post(
        "/api/v1/token",
        data={"grant_type": "client_credentials", "scope": "case:write"},
        auth=("uppsala-system", secret),
        base_url="https://portal.example",
    )
    assert response.status_code == 401 and "access_token" not in response.get_json()
    assert any("uppsala-system" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert not any(secret in r.getMessage() for r in caplog.records)


def test_production_issues_a_token_for_a_strong_secret_of_its_own(production, tmp_path, monkeypatch):
    secret = strong()
    path = tmp_path / "own.json"
    path.write_text(
        '{"clients": [{"client_id": "uppsala-system", "municipality_code": "0380", '
        f'"scopes": ["applications:read"], "secret_hash": "{api_clients.hash_secret(secret)}"}}]}}',
        encoding="utf-8",
    )
    monkeypatch.setenv(api_clients.ENV, str(path))
    api_clients.clear_cache()
    client = production_app(production()).test_client()
    response = client.post(
        "/api/v1/token",
        data={"grant_type": "client_credentials"},
        auth=("uppsala-system", secret),
        base_url="https://portal.example",
    )
    assert response.status_code == 200 and response.get_json()["access_token"]


# --- 10. image bombs --------------------------------------------------------------------------------


def test_a_picture_declaring_100000_by_100000_pixels_is_refused_on_the_page(app, client):
    import io
    import struct
    import zlib

    from tests.support import csrf_from, soup

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
    draft = factories.draft(factories.person(ANDERS))
    idp_login(client, "/auth/login", {"subject": ANDERS})
    client.set_cookie("portal_lang", "en")
    page = client.get(f"/applications/{draft.id}/attachments")
    response = client.post(
        f"/applications/{draft.id}/attachments",
        content_type="multipart/form-data",
        data={"csrf_token": csrf_from(page), "documents": "", "file": (io.BytesIO(bomb), "photo.png")},
    )
    assert response.status_code == 400
    summary = soup(response).find(class_="error-summary")
    assert summary is not None and "too many pixels" in summary.get_text()
    from portal.attachments.models import Attachment
    from portal.extensions import db

    assert db.session.query(Attachment).count() == 0


# --- 11. smaller holes: content type, token lifetime, cross-site requests, GETs that changed state ----


def _api(app) -> tuple:
    api = app.test_client()
    return api, {"Authorization": f"Bearer {_uppsala_token(api)}"}


def test_the_api_refuses_a_body_that_is_not_declared_as_json(app):
    application = factories.sent(ANDERS)
    api, auth = _api(app)
    base = f"/api/v1/applications/{application.id}"
    # text/plain is what a browser sends to another site without asking first (no CORS preflight)
    for path in (f"{base}/acknowledge", f"{base}/register", f"{base}/messages/read", f"{base}/events"):
        refused = api.post(path, data=b'{"type": "underHandling"}', headers={**auth, "Content-Type": "text/plain"})
        assert refused.status_code == 415 and refused.mimetype == "application/problem+json", path
        assert refused.get_json()["error"] == "unsupported_media_type"
    from portal.extensions import db

    db.session.refresh(application)
    assert application.received_at is None  # nothing was registered
    assert api.post(f"{base}/acknowledge", headers=auth).status_code == 200  # no body: as before
    event = api.post(
        f"{base}/events",
        data=b'{"type": "underHandling"}',
        headers={**auth, "Content-Type": "application/vnd.egna-utrymmet.event+json"},
    )
    assert event.status_code == 201  # a +json type is JSON


def _signed_token(app, issued: int, expires: int | None, **claims) -> str:
    from itsdangerous import URLSafeSerializer

    from portal.api import tokens

    payload = {"cid": "uppsala-system", "mun": "0380", "scp": [api_clients.READ], "iat": issued, **claims}
    if expires is not None:
        payload["exp"] = expires
    # Signed with the portal's own key, as a leaked key or an old version of the portal would.
    return URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens._SALT).dumps(payload)


def test_a_bearer_token_living_for_years_is_refused_whoever_signed_it(app):
    import time

    now = int(time.time())
    api = app.test_client()

    def status(token: str) -> int:
        return api.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"}).status_code

    assert status(_signed_token(app, now, now + 5 * 365 * 24 * 3600)) == 401
    assert status(_signed_token(app, now - 10, now + 3600 + 1)) == 401  # just over the hour
    assert status(_signed_token(app, now + 3600, now + 3700)) == 401  # issued in the future
    without_iat = _signed_token(app, now, now + 600)
    assert status(without_iat) == 200
    from itsdangerous import URLSafeSerializer

    from portal.api import tokens

    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens._SALT)
    payload = serializer.loads(without_iat)
    del payload["iat"]
    assert status(serializer.dumps(payload)) == 401  # no issue time: no lifetime to check
    assert status(_uppsala_token(api)) == 200  # the portal's own tokens live 15 minutes
    app.config["PORTAL"].api_token_max_lifetime_seconds = 300  # the cap is a setting
    assert status(_signed_token(app, now, now + 600)) == 401


def test_a_post_from_another_sites_page_is_refused_though_session_and_csrf_token_are_valid(app, client):
    idp_login(client, "/auth/login", {"subject": ANDERS})
    from tests.support import csrf_from

    def save(email: str, **headers):
        page = client.get("/contact-details")
        return client.post(
            "/contact-details", headers=headers, data={"csrf_token": csrf_from(page), "email": email, "language": "sv"}
        )

    assert save("evil@example.org", Origin="https://evil.example").status_code == 403
    assert save("evil@example.org", Origin="null").status_code == 403
    assert save("evil@example.org", **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert save("evil@example.org", **{"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert "evil@example.org" not in client.get("/contact-details").get_data(as_text=True)
    # The portal's own pages, and a client that sends neither header, go on as before.
    base = app.config["PORTAL"].base_url
    assert save("a@example.org", Origin=base, **{"Sec-Fetch-Site": "same-origin"}).status_code == 302
    assert save("b@example.org", Origin="http://localhost").status_code == 302  # the address the request came to
    assert save("c@example.org").status_code == 302
    assert "c@example.org" in client.get("/contact-details").get_data(as_text=True)


def test_an_api_write_from_another_sites_page_is_refused_though_the_token_is_valid(app):
    application = factories.sent(ANDERS)
    api, auth = _api(app)
    path = f"/api/v1/applications/{application.id}/acknowledge"
    refused = api.post(path, headers={**auth, "Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api.post(path, headers={**auth, "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert api.post(path, headers=auth).status_code == 200  # a system calling the API sends neither


def test_opening_a_reply_page_marks_nothing_read(app, client):
    from portal.case import services as case
    from portal.extensions import db

    application = factories.received(factories.sent(ANDERS))
    asking = case.send_message(application, case.MUNICIPALITY, "Per Handläggare", "Bor du kvar?", reply_requested=True)
    idp_login(client, "/auth/login", {"subject": ANDERS})
    assert client.get(f"/cases/{application.id}/messages/{asking.id}/reply").status_code == 200
    db.session.expire_all()
    assert asking.read_at is None
    assert case.unread(application, case.APPLICANT) == 1


def test_the_mandates_page_does_not_mark_notices_told_a_post_does(app, client):
    from datetime import timedelta

    from portal import clock
    from portal.extensions import db
    from portal.mandates import services as mandates
    from portal.mandates.models import Mandate
    from portal.mandates.states import MandateStatus
    from tests.support import csrf_from

    anders = factories.person(ANDERS)
    now = clock.now()
    mandate = Mandate(
        reference="GM-TEST-0011",
        kind="god_man",
        principal_personnummer=ANDERS,
        principal_id=anders.id,
        proxy_personnummer="196404153832",
        proxy_name="Lars Berglund",
        scopes="view",
        valid_from=now,
        valid_until=now + timedelta(days=365),
        status=MandateStatus.ACTIVE,
        decision_reference="ÖF 2026-1111",
        registered_by="staff-admin-1",
        accepted_at=now,
    )
    if hasattr(Mandate, "approved_at"):  # four eyes: a registration is in force once approved
        mandate.approved_by, mandate.approved_at = "staff-admin-2", now
    db.session.add(mandate)
    db.session.commit()
    assert mandates.untold_legal(anders.id) == [mandate]
    idp_login(client, "/auth/login", {"subject": ANDERS})
    assert "ÖF 2026-1111" in client.get("/mandates").get_data(as_text=True)
    assert "ÖF 2026-1111" in client.get("/overview").get_data(as_text=True)
    db.session.expire_all()
    assert mandate.principal_told_at is None  # looking changed nothing
    page = client.get("/overview")
    seen = client.post("/mandates/notices/seen", data={"csrf_token": csrf_from(page), "next": "/overview"})
    assert seen.status_code == 302 and seen.location.endswith("/overview")
    db.session.expire_all()
    assert mandate.principal_told_at is not None
    assert "ÖF 2026-1111" not in client.get("/overview").get_data(as_text=True)
