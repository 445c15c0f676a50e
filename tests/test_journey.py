"""The thin journey through the Flask client, with the real test IdP and sandbox over HTTP."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select

from portal.application.models import Application, HouseholdMember
from portal.audit.models import AuditEvent
from portal.delivery.services import run_once
from portal.extensions import db
from tests.support import csrf_from, h1, page_checks, send_application, soup

SINGLE_ADULT = "199006022397"  # Uppsala (0380)
FAMILY = "196108283166"  # Göteborg (1480), spouse and children
PROTECTED = "199001252387"  # Malmö (1280), sekretessmarkering


def start_application(client):
    form = client.get("/applications/new")
    period = soup(form).find("input", attrs={"name": "period"})["value"]
    response = client.post(
        "/applications/new", data={"csrf_token": csrf_from(form), "period": period, "folkbokforing": "y"}
    )
    assert response.status_code == 302
    return response.location


def submit(client, path, confirm=True):
    if confirm:
        return send_application(client, path, SINGLE_ADULT)
    return client.post(f"{path}/submit", data={"csrf_token": csrf_from(client.get(path))})


def test_start_page_is_public_and_well_formed(client):
    response = client.get("/")
    assert response.status_code == 200
    doc = page_checks(response)
    assert doc.find("a", href="/auth/login")
    assert doc.find("a", class_="skip-link")["href"] == "#main"


def test_whole_thin_journey(app, login, caplog):
    caplog.set_level(logging.DEBUG)
    applicant = app.test_client()
    from tests.support import idp_login

    response = idp_login(applicant, "/auth/login", {"subject": SINGLE_ADULT})
    assert response.status_code == 302 and response.location == "/overview"
    overview = applicant.get("/overview")
    page_checks(overview)
    assert "Anders Testsson" in soup(overview).find("header").get_text()

    path = start_application(applicant)
    page = applicant.get(path)
    doc = page_checks(page)
    assert "Uppsala" in doc.find("dl").get_text()
    assert "Anders" in doc.find("table").get_text()

    refused = submit(applicant, path, confirm=False)
    assert refused.status_code == 400
    doc = page_checks(refused)
    assert doc.find(class_="error-summary").find("a")["href"] == "#confirm"

    assert submit(applicant, path).status_code == 302
    assert submit(applicant, path).status_code == 302  # a repeated POST changes nothing
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    application = db.session.scalar(select(Application))
    assert application.status == "submitted" and application.municipality_code == "0380"
    assert run_once() == 1  # the delivery worker takes it to Uppsala's inbox

    uppsala = app.test_client()
    idp_login(uppsala, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    inbox = uppsala.get("/municipality/inbox")
    page_checks(inbox)
    link = soup(inbox).find("a", string=application.reference)
    assert link is not None
    case = uppsala.get(link["href"])
    page_checks(case)
    registered = uppsala.post(f"{link['href']}/register", data={"csrf_token": csrf_from(case)})
    assert registered.status_code == 302

    stockholm = app.test_client()
    idp_login(stockholm, "/auth/staff/login", {"subject": "staff-stockholm-1"})
    assert application.reference not in stockholm.get("/municipality/inbox").get_data(as_text=True)
    assert stockholm.get(link["href"]).status_code == 404

    overview = applicant.get("/overview")
    assert (
        "Received by the municipality" in soup(overview).find("table").get_text()
        or "Mottagen" in soup(overview).find("table").get_text()
    )
    db.session.refresh(application)
    assert application.status == "received" and application.received_at is not None

    # Never a personnummer in a log line.
    assert not [r for r in caplog.records if SINGLE_ADULT in r.getMessage()]
    # Reads and changes are audited with actor and subject.
    events = db.session.scalars(select(AuditEvent)).all()
    reads = [e for e in events if e.action == "read" and e.object_type == "application"]
    assert {e.actor_type for e in reads} == {"citizen", "staff"}
    assert all(e.subject_id == application.applicant_id for e in reads)
    assert {"login", "create", "fetch", "submit", "register"} <= {e.action for e in events}


def test_household_from_folkbokforing(login, client):
    login(FAMILY)
    path = start_application(client)
    doc = soup(client.get(path))
    rows = [tr.get_text(" ", strip=True) for tr in doc.find("table").find("tbody").find_all("tr")]
    assert len(rows) == 4
    assert "Göteborg" in doc.find("dl").get_text()


def test_protected_identity_address_never_shown_or_stored(login, client):
    login(PROTECTED)
    path = start_application(client)
    page = client.get(path)
    text = page.get_data(as_text=True)
    application = db.session.scalar(select(Application))
    assert application.protected and application.municipality_code == "1280"
    assert (application.street, application.postal_code, application.post_town) == (None, None, None)
    assert db.session.scalar(select(func.count()).select_from(HouseholdMember)) == 1
    assert "Malmö" in text
    assert soup(page).find(class_="address") is None


def test_provider_failure_keeps_the_draft_and_retry_works(login, client, live_services):
    control = httpx.Client(base_url=live_services["sandbox_url"], headers={"Authorization": "Bearer sandbox-token"})
    control.post(
        "/_control/faults",
        json={
            "rules": [
                {"provider": "skatteverket", "person": "single-adult", "kind": "status", "status": 503, "first": 1}
            ]
        },
    ).raise_for_status()
    try:
        login(SINGLE_ADULT)
        path = start_application(client)
        page = client.get(path)
        doc = page_checks(page)
        assert doc.find(class_="notice--warning") is not None
        assert db.session.scalar(select(Application)).folkbokforing_error == "unavailable"
        retried = client.post(f"{path}/folkbokforing", data={"csrf_token": csrf_from(page)})
        assert retried.status_code == 302
        doc = soup(client.get(path))
        assert doc.find(class_="notice--warning") is None
        assert "Uppsala" in doc.find("dl").get_text()
    finally:
        control.delete("/_control/faults")


def test_another_citizen_cannot_see_the_application(app, login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    other = app.test_client()
    from tests.support import idp_login

    idp_login(other, "/auth/login", {"subject": FAMILY})
    assert other.get(path).status_code == 404
    assert other.post(f"{path}/submit", data={}).status_code in (400, 404)
    assert db.session.scalar(select(Application)).status == "draft"


@pytest.mark.parametrize("path", ["/overview", "/applications/new"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_staff_cannot_use_citizen_pages_and_citizen_not_inbox(app, login, client):
    login(SINGLE_ADULT)
    assert client.get("/municipality/inbox").status_code == 403
    assert client.get("/municipality/admin").status_code == 403
    staff = app.test_client()
    from tests.support import idp_login

    idp_login(staff, "/auth/staff/login", {"subject": "staff-admin-1"})
    assert staff.get("/overview").status_code == 403
    admin = staff.get("/municipality/admin")
    assert admin.status_code == 200
    page_checks(admin)
    assert h1(admin)
    # The counts by status are in the staff's words, not the applicant's "you".
    shown = admin.get_data(as_text=True)
    assert "Ny – inte registrerad" in shown and "Väntar på medsökandens underskrift" in shown
    assert "Skickad – väntar på kommunen" not in shown and "Underskriven av dig" not in shown


def test_htmx_post_needs_the_csrf_header_or_field(login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    token = csrf_from(client.get(path))
    assert client.post(f"{path}/folkbokforing", headers={"HX-Request": "true"}).status_code == 400
    ok = client.post(f"{path}/folkbokforing", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert ok.status_code == 302
    assert "HX-Request" in ok.headers.get("Vary", "")


NOT_CONNECTED = "197912309296"  # Kiruna


def test_a_not_connected_municipality_is_told_at_the_start(login, client):
    login(NOT_CONNECTED)
    path = start_application(client)
    doc = page_checks(client.get(path))
    notice = doc.find(id="not-receiving-title")
    assert notice is not None and "Kiruna" in notice.get_text()
    assert doc.find("ol", class_="task-list") is None  # no work is asked of them
    assert doc.find("a", href="https://www.kiruna.se") is not None
    refused = send_application(client, path, NOT_CONNECTED)
    assert refused.status_code == 409
    assert db.session.scalar(select(Application)).status == "draft"


def test_districts_and_protected_identity_pick_the_inbox(login, client, app):
    from portal.delivery.models import Delivery

    for pnr, expected in (("199107172380", "stockholm-sodermalm"), (PROTECTED, "malmo-skyddade")):
        other = app.test_client()
        from tests.support import idp_login

        idp_login(other, "/auth/login", {"subject": pnr})
        path = start_application(other)
        send_application(other, path, pnr)
        application_id = path.rsplit("/", 1)[1]
        assert db.session.scalar(select(Delivery.inbox_id).where(Delivery.application_id == application_id)) == expected
