"""Login, logout and sessions against the live test identity provider; bad OIDC answers."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import requests
from flask import session
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Person
from portal.extensions import db
from tests.support import csrf_from, h1, idp_login, page_checks, soup

SINGLE_ADULT = "199006022397"


def _authorize(client, path="/auth/login"):
    """Play the browser at the IdP and return the callback URL it redirects to."""
    response = client.get(path)
    browser = requests.Session()
    picker = browser.get(response.location, timeout=10)
    form = soup(picker.text).find("form", attrs={"method": lambda m: m and m.lower() == "post"})
    data = {f["name"]: f.get("value", "") for f in form.find_all("input", attrs={"type": "hidden"})}
    data["subject"] = SINGLE_ADULT if path == "/auth/login" else "staff-uppsala-1"
    answer = browser.post(response.location, data=data, allow_redirects=False, timeout=10)
    return urlsplit(answer.headers["Location"])


def test_login_uses_pkce_state_and_nonce(client):
    response = client.get("/auth/login")
    query = parse_qs(urlsplit(response.location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]
    assert query["redirect_uri"] == ["http://localhost/auth/callback/citizen"]


def test_login_creates_person_without_personnummer_in_session_or_audit(client):
    with client.session_transaction() as before:
        before["leftover"] = "from before login"
    response = idp_login(client, "/auth/login", {"subject": SINGLE_ADULT})
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert person.personnummer == SINGLE_ADULT and person.given_name == "Anders"
    with client.session_transaction() as after:
        assert "leftover" not in after  # session.clear() on login
        assert SINGLE_ADULT not in repr(dict(after))
    events = db.session.scalars(select(AuditEvent)).all()
    assert events and all(SINGLE_ADULT not in repr(vars(e)) for e in events)


def test_session_cookie_flags(client):
    # The cookie is set when the session gets its id (here: at login, a new id): only then.
    header = idp_login(client, "/auth/login", {"subject": SINGLE_ADULT}).headers.get("Set-Cookie", "")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_tampered_state_is_refused_with_a_page(client, caplog):
    callback = _authorize(client)
    query = parse_qs(callback.query)
    response = client.get(f"{callback.path}?code={query['code'][0]}&state=tampered")
    assert response.status_code == 400
    page_checks(response)
    assert client.get("/overview").status_code == 302  # not logged in


def test_replayed_code_is_refused(client):
    callback = _authorize(client)
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/overview"))})
    assert client.get(f"{callback.path}?{callback.query}").status_code == 400


def test_cancelled_login_is_a_clear_page(client):
    client.get("/auth/login")
    response = client.get("/auth/callback/citizen?error=access_denied&state=x")
    assert response.status_code == 400
    page_checks(response)


def test_invalid_personnummer_refused_and_not_logged(app, client, caplog):
    caplog.set_level(logging.INFO)
    from portal.auth.services import LoginRefused, citizen_from_claims

    with app.test_request_context():
        try:
            citizen_from_claims({"sub": "x", "https://id.oidc.se/claim/personalIdentityNumber": "199006022398"})
        except LoginRefused as refused:
            assert refused.reason == "invalid_personnummer"
        else:
            raise AssertionError("accepted a personnummer with a bad check digit")
    assert not [r for r in caplog.records if "199006022398" in r.getMessage()]


def test_staff_login_and_logout_at_both_ends(client, live_services):
    idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    inbox = client.get("/municipality/inbox")
    assert inbox.status_code == 200
    response = client.post("/auth/logout", data={"csrf_token": csrf_from(inbox)})
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert response.location.startswith(live_services["idp_url"])
    assert parse_qs(target.query)["post_logout_redirect_uri"] == ["http://localhost/auth/logged-out"]
    at_idp = requests.get(response.location, allow_redirects=False, timeout=10)
    assert at_idp.status_code in (302, 303)
    assert at_idp.headers["Location"].startswith("http://localhost/auth/logged-out")
    assert client.get("/municipality/inbox").status_code == 302


def test_missing_csrf_token_is_refused_with_a_page(client):
    idp_login(client, "/auth/login", {"subject": SINGLE_ADULT})
    response = client.post("/auth/logout", data={})
    assert response.status_code == 400
    page_checks(response)
    assert client.get("/overview").status_code == 200  # still logged in


def test_idle_timeout(client, app):
    idp_login(client, "/auth/login", {"subject": SINGLE_ADULT})
    with client.session_transaction() as s:
        s["last_seen"] = int(time.time()) - app.config["PORTAL"].session_idle_minutes * 60 - 1
    response = client.get("/overview")
    assert response.status_code == 302 and response.location == "/auth/session-expired"
    page_checks(client.get(response.location))
    assert client.get("/overview").location.startswith("/auth/login")


def test_absolute_timeout_despite_activity(client, app):
    idp_login(client, "/auth/login", {"subject": SINGLE_ADULT})
    with client.session_transaction() as s:
        s["login_at"] = int(time.time()) - app.config["PORTAL"].session_absolute_minutes * 60 - 1
    assert client.get("/overview").location == "/auth/session-expired"


def test_status_probe_does_not_extend_the_session(client, app):
    idp_login(client, "/auth/login", {"subject": SINGLE_ADULT})
    stale = int(time.time()) - 100
    with client.session_transaction() as s:
        s["last_seen"] = stale
    status = client.get("/auth/session-status")
    assert 0 < status.json["seconds_left"] <= app.config["PORTAL"].session_idle_minutes * 60 - 99
    with client.session_transaction() as s:
        assert s["last_seen"] == stale
    kept = client.post(
        "/auth/keepalive",
        data={"csrf_token": csrf_from(client.get("/overview"))},
        headers={"Accept": "application/json"},
    )
    assert kept.json["seconds_left"] >= app.config["PORTAL"].session_idle_minutes * 60 - 2


def test_next_is_followed_only_on_the_same_host(client):
    client.get("/auth/login?next=https://evil.example/")
    callback = _authorize_from_current(client)
    assert client.get(callback).location == "/overview"


def _authorize_from_current(client):
    # The login above stored state in the session; finish it with the same flow.
    url = _authorize(client, "/auth/login")
    return f"{url.path}?{url.query}"


def test_logged_out_and_expired_pages(client):
    for path in ("/auth/logged-out", "/auth/session-expired"):
        response = client.get(path)
        assert response.status_code == 200
        assert h1(response)
        page_checks(response)


def test_session_context_is_clean(app):
    with app.test_request_context():
        assert "actor" not in session


def test_callback_without_a_login_in_progress_is_a_page_not_a_crash(client):
    for query in ("code=abc&state=xyz", "", "state=only", "error=server_error&error_description=%3Cscript%3E"):
        response = client.get(f"/auth/callback/citizen?{query}")
        assert response.status_code == 400
        page_checks(response)
    assert client.get("/auth/callback/somebody").status_code == 404
