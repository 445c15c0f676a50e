"""Sessions kept on the server (issue 12, point 3): the cookie is a random id only; logout, an
administrator and the staff directory end a session at once, in every portal process; sessions
outlive the process; the id changes at login and at step-up. On SQLite and PostgreSQL, and in Redis."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock, create_app
from portal.audit.models import AuditEvent
from portal.auth.models import Person, WebSession
from portal.auth.session import RedisStore, _hash, store_for
from portal.config import REPO_ROOT
from portal.extensions import db
from tests.conftest import IsolatedClient
from tests.support import csrf_from, idp_login, send_application

APPLICANT = "199006022397"  # Anders Testsson
COOKIE = "portal_session"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def _client_with(app, session_id: str):
    """Another browser (or an attacker) presenting ``session_id``."""
    app.test_client_class = IsolatedClient
    other = app.test_client()
    other.set_cookie(COOKIE, session_id)
    return other


def _second_app(config):
    """Another portal process: a new app object on the same database (and Redis, if set)."""
    other = create_app(config)
    other.config["TESTING"] = True
    return other


def _logout(client, page="/overview"):
    return client.post("/auth/logout", data={"csrf_token": csrf_from(client.get(page))})


def _logged_out(response, login_path="/auth/login") -> bool:
    return response.status_code == 302 and response.location.startswith(login_path)


def test_a_replayed_cookie_after_logout_gets_the_login_page(client, app):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    stolen = _cookie(client)
    assert client.get("/overview").status_code == 200
    assert _logout(client).status_code == 302
    assert _cookie(client) is None  # the browser is told to forget it ...
    replay = _client_with(app, stolen)  # ... and a copy kept elsewhere opens nothing
    assert _logged_out(replay.get("/overview"))
    page = replay.post("/applications/new", data={})
    assert page.status_code in (302, 400) and "/overview" not in (page.location or "")
    assert (
        db.session.scalar(select(func.count()).select_from(WebSession).where(WebSession.actor_kind.is_not(None))) == 0
    )


def test_a_replayed_staff_cookie_after_logout_gets_the_staff_login(client, app):
    idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    stolen = _cookie(client)
    assert _logout(client, "/municipality/inbox").status_code == 302
    assert _logged_out(_client_with(app, stolen).get("/municipality/inbox"), "/auth/staff/login")


def test_the_cookie_holds_a_random_id_and_no_personal_data(client, app):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    value = _cookie(client)
    assert len(value) == 43 and "." not in value  # token_urlsafe(32); not a signed payload
    person = db.session.scalar(select(Person))
    for secret in (APPLICANT, person.id, person.given_name, "citizen"):
        assert secret not in value
    row = db.session.get(WebSession, _hash(value))
    assert row is not None and row.actor_id == person.id and row.actor_kind == "citizen"
    assert db.session.get(WebSession, value) is None  # the table holds only the id's hash
    assert APPLICANT not in row.data
    assert "id_token" in row.data  # kept here for logout's id_token_hint, never in the cookie


def test_the_id_changes_at_login_and_the_old_one_opens_nothing(client, app):
    client.get("/auth/login")  # a login in progress has a session (state, nonce) of its own
    before = _cookie(client)
    assert before
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    after = _cookie(client)
    assert after and after != before
    assert db.session.get(WebSession, _hash(before)) is None
    assert _logged_out(_client_with(app, before).get("/overview"))


def test_the_id_changes_at_signing(client, app):
    from tests import factories

    idp_login(client, "/auth/login", {"subject": APPLICANT})
    path = f"/applications/{factories.draft(APPLICANT).id}"
    before = _cookie(client)
    assert send_application(client, path, APPLICANT).location == path
    assert _cookie(client) != before
    assert _logged_out(_client_with(app, before).get("/overview"))
    assert client.get("/overview").status_code == 200


def test_sessions_survive_a_restart_and_work_across_two_processes(client, app, config):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    session_id = _cookie(client)
    restarted = _second_app(config)  # the portal process restarted: nothing in memory survives
    other = _client_with(restarted, session_id)
    assert other.get("/overview").status_code == 200
    # Logout on the second process ends the session on the first as well.
    assert _logout(other).status_code == 302
    assert _logged_out(client.get("/overview"))


def test_a_removed_caseworker_is_refused_on_the_next_click(client, app, tmp_path, caplog):
    directory = tmp_path / "staff.json"
    shutil.copyfile(REPO_ROOT / "devstack/testdata/staff.json", directory)
    app.extensions["portal.staff_directory"].path = directory
    idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert client.get("/municipality/inbox").status_code == 200
    staff = [entry for entry in json.loads(directory.read_text()) if entry["sub"] != "staff-uppsala-1"]
    directory.write_text(json.dumps(staff))
    assert _logged_out(client.get("/municipality/inbox"), "/auth/staff/login")
    assert "reason=staff_directory" in caplog.text
    # ... and cannot log in again.
    refused = idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert refused.status_code == 400


def test_a_caseworker_moved_to_another_unit_must_log_in_again(client, app, tmp_path):
    directory = tmp_path / "staff.json"
    shutil.copyfile(REPO_ROOT / "devstack/testdata/staff.json", directory)
    app.extensions["portal.staff_directory"].path = directory
    idp_login(client, "/auth/staff/login", {"subject": "staff-stockholm-1"})
    assert client.get("/municipality/inbox").status_code == 200
    staff = json.loads(directory.read_text())
    for entry in staff:
        if entry["sub"] == "staff-stockholm-1":
            entry["unit"] = "stockholm-rinkeby-kista"
    directory.write_text(json.dumps(staff))
    assert _logged_out(client.get("/municipality/inbox"), "/auth/staff/login")
    idp_login(client, "/auth/staff/login", {"subject": "staff-stockholm-1"})
    assert client.get("/municipality/inbox").status_code == 200  # now in the new unit


def test_the_role_comes_from_the_staff_directory_not_the_claims(client, app, tmp_path):
    directory = tmp_path / "staff.json"
    staff = json.loads((REPO_ROOT / "devstack/testdata/staff.json").read_text())
    for entry in staff:
        if entry["sub"] == "staff-admin-1":
            entry.update(role="caseworker", municipality_code="0380")
    directory.write_text(json.dumps(staff))
    app.extensions["portal.staff_directory"].path = directory
    idp_login(client, "/auth/staff/login", {"subject": "staff-admin-1"})  # the IdP says administrator
    assert client.get("/municipality/inbox").status_code == 200
    assert client.get("/auth/admin/sessions").status_code == 403


def test_an_administrator_ends_all_sessions_of_a_citizen(client, app):
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        idp_login(browser, "/auth/login", {"subject": APPLICANT})
        assert browser.get("/overview").status_code == 200
    person = db.session.scalar(select(Person))
    idp_login(client, "/auth/staff/login", {"subject": "staff-admin-1"})
    form = client.get("/auth/admin/sessions")
    assert form.status_code == 200
    done = client.post("/auth/admin/sessions", data={"csrf_token": csrf_from(form), "identity": "19900602-2397"})
    assert done.status_code == 200
    assert _logged_out(phone.get("/overview")) and _logged_out(laptop.get("/overview"))
    assert client.get("/municipality/admin").status_code == 200  # the administrator's own goes on
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "end_sessions"))
    assert event.subject_id == person.id and event.actor_id == "staff-admin-1"
    assert APPLICANT not in repr(vars(event))


def test_an_administrator_ends_a_caseworker_s_sessions_and_bad_input_is_kept(client, app):
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    idp_login(client, "/auth/staff/login", {"subject": "staff-admin-1"})
    form = client.get("/auth/admin/sessions")
    wrong = client.post("/auth/admin/sessions", data={"csrf_token": csrf_from(form), "identity": "199006022398"})
    assert wrong.status_code == 400 and 'value="199006022398"' in wrong.get_data(as_text=True)
    assert caseworker.get("/municipality/inbox").status_code == 200
    client.post("/auth/admin/sessions", data={"csrf_token": csrf_from(form), "identity": "staff-uppsala-1"})
    assert _logged_out(caseworker.get("/municipality/inbox"), "/auth/staff/login")


def test_a_caseworker_may_not_end_sessions(client):
    idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert client.get("/auth/admin/sessions").status_code == 403


def test_idle_and_absolute_timeouts_follow_the_portal_clock(client, app):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    idle = app.config["PORTAL"].session_idle_minutes
    clock.travel(clock.now() + timedelta(minutes=idle - 1))
    assert client.get("/overview").status_code == 200
    clock.travel(clock.now() + timedelta(minutes=idle + 1))
    assert client.get("/overview").location == "/auth/session-expired"
    assert _logged_out(client.get("/overview"))


# --- Redis ----------------------------------------------------------------------------------------


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_config(config):
    _redis_or_skip()
    from dataclasses import replace

    yield replace(config, session_redis_url=REDIS_URL)


def test_in_redis_a_session_works_across_processes_and_ends_at_logout(redis_config):
    first, second = _second_app(redis_config), _second_app(redis_config)
    assert isinstance(store_for(first), RedisStore)
    first.test_client_class = IsolatedClient
    browser = first.test_client()
    with first.app_context():
        idp_login(browser, "/auth/login", {"subject": APPLICANT})
        session_id = _cookie(browser)
        assert db.session.scalar(select(func.count()).select_from(WebSession)) == 0  # not in the database
    other = _client_with(second, session_id)
    clock.travel(clock.now() + timedelta(minutes=1))  # a click a minute later: the session is updated
    with second.app_context():
        assert other.get("/overview").status_code == 200
        store = store_for(second)
        assert store.redis.ttl(store._key(_hash(session_id))) > 0
        assert store.redis.ttl(store._actor_key(store.load(_hash(session_id))["actor"]["id"])) > 0
        assert _logout(other).status_code == 302
    with first.app_context():
        assert _logged_out(browser.get("/overview"))
        assert _logged_out(_client_with(first, session_id).get("/overview"))


def test_in_redis_an_administrator_ends_all_sessions_of_a_person(redis_config):
    portal = _second_app(redis_config)
    portal.test_client_class = IsolatedClient
    with portal.app_context():
        citizen, admin = portal.test_client(), portal.test_client()
        idp_login(citizen, "/auth/login", {"subject": APPLICANT})
        assert citizen.get("/overview").status_code == 200
        idp_login(admin, "/auth/staff/login", {"subject": "staff-admin-1"})
        form = admin.get("/auth/admin/sessions")
        admin.post("/auth/admin/sessions", data={"csrf_token": csrf_from(form), "identity": APPLICANT})
        assert _logged_out(citizen.get("/overview"))


def test_static_files_do_not_read_the_session(client, app, monkeypatch):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    store, reads = store_for(app), []
    load = store.load
    monkeypatch.setattr(store, "load", lambda id_hash: reads.append(id_hash) or load(id_hash))
    assert client.get("/static/css/portal.css").status_code == 200
    assert reads == [] and _cookie(client)  # not read, and the cookie kept
    assert client.get("/overview").status_code == 200 and len(reads) == 1


def test_a_visitor_with_nothing_to_keep_costs_no_session_row_and_forms_still_carry_their_token(client, app):
    """The start page keeps nothing for an anonymous visitor: no row, no cookie (issue 15, point 5; a row per
    visit would also fill the table for anyone who asked). A page with a form makes its token then, and a
    post without it is still refused."""
    rows = select(func.count()).select_from(WebSession)
    before = db.session.scalar(rows)
    start = client.get("/")
    assert start.status_code == 200 and "hx-headers" not in start.get_data(as_text=True)
    assert db.session.scalar(rows) == before and _cookie(client) is None
    form = client.get("/accessibility/feedback")
    assert db.session.scalar(rows) == before + 1 and _cookie(client)
    assert client.post("/accessibility/feedback", data={"problem": "A link"}).status_code == 400  # no token
    sent = client.post("/accessibility/feedback", data={"problem": "A link", "csrf_token": csrf_from(form)})
    assert sent.status_code == 302
    page = client.get("/").get_data(as_text=True)  # a session kept anyway: htmx's header is there again
    assert "X-CSRFToken" in page
