"""Sending is signing: a fresh authentication of the same person at the identity provider."""

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from portal.application.models import Application
from portal.extensions import db
from tests import factories
from tests.support import at_idp, csrf_from, page_checks, send_application

SINGLE_ADULT = "199006022397"
SOMEONE_ELSE = "196108283166"


def confirm(client, path):
    return client.post(f"{path}/submit", data={"csrf_token": csrf_from(client.get(path)), "confirm": "y"})


def test_confirming_asks_for_a_fresh_login(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"  # the draft (starting: test_journey)
    response = confirm(client, path)
    query = parse_qs(urlsplit(response.location).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    assert query["redirect_uri"] == ["http://localhost/auth/sign/callback"]
    assert db.session.scalar(select(Application)).status == "draft"


def test_signed_and_sent_once(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"  # the draft (starting: test_journey)
    done = send_application(client, path, SINGLE_ADULT)
    assert done.status_code == 302 and done.location == path
    application = db.session.scalar(select(Application))
    assert application.status == "submitted" and application.signed_at is not None
    assert application.signature_acr == "http://id.elegnamnden.se/loa/1.0/loa3"
    assert send_application(client, path, SINGLE_ADULT).status_code == 302  # a second send changes nothing
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_a_signature_by_someone_else_is_refused(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"  # the draft (starting: test_journey)
    response = at_idp(client, confirm(client, path), {"subject": SOMEONE_ELSE})
    assert response.status_code == 400
    page_checks(response)
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft"


def test_a_cancelled_or_replayed_signature_sends_nothing(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"  # the draft (starting: test_journey)
    confirm(client, path)
    cancelled = client.get("/auth/sign/callback?error=access_denied&state=x")
    assert cancelled.status_code == 400
    page_checks(cancelled)
    assert client.get("/auth/sign/callback?code=x&state=y").status_code == 400  # nothing pending any more
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft"
