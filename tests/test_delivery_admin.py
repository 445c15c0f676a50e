"""The administrators' delivery page: every inbox's health (a paused inbox stands out, here and on the
operations overview), stopped applications sent again with a reason (audited), "try again now"."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from portal.application.models import Application
from portal.audit.models import AuditEvent
from portal.auth.models import Person
from portal.db import utcnow
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, DeliveryInbox, InboxEntry
from portal.delivery.webhook import WebhookRefused
from portal.extensions import db
from tests.support import csrf_from, idp_login, page_checks, soup, sv

INBOX = "kommun-0380"


def queued(count: int) -> list[Delivery]:
    person = Person(oidc_subject="admin-page", personnummer="199006022397", given_name="Test", family_name="Person")
    db.session.add(person)
    db.session.flush()
    records = []
    for n in range(count):
        application = Application(
            reference=f"EU-ADM-{n:03d}",
            applicant_id=person.id,
            period=date(2026, 12, 1),
            status="submitted",
            municipality_code="0380",
        )
        db.session.add(application)
        db.session.flush()
        records.append(delivery.enqueue(application, "0380", INBOX, "inbox"))
        db.session.flush()
    db.session.commit()
    return records


def rounds(count: int) -> None:
    """``count`` worker rounds, each with the head due."""
    for _ in range(count):
        db.session.execute(update(Delivery).where(Delivery.status == "pending").values(next_attempt_at=utcnow()))
        db.session.commit()
        delivery.run_once()


@pytest.fixture
def admin(app):
    client = app.test_client()
    idp_login(client, "/auth/staff/login", {"subject": "staff-admin-1"})
    return client


@pytest.fixture
def broken(monkeypatch):
    """The built-in inbox failing as the test says: ``broken["with"]`` is raised while set."""
    real = delivery.CHANNELS["inbox"]
    state = {"with": None}

    def channel(record):
        if state["with"] is not None:
            raise state["with"]
        real(record)

    monkeypatch.setitem(delivery.CHANNELS, "inbox", channel)
    return state


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_paused_inbox_shows_on_the_delivery_page_and_the_operations_overview(app, admin, broken):
    records = queued(2)
    broken["with"] = ConnectionError("case system unavailable")
    rounds(delivery.PAUSE_AFTER)
    assert db.session.get(DeliveryInbox, INBOX).state == "paused"

    overview = page_checks(admin.get("/municipality/admin"))
    link = overview.find("a", href="/delivery/admin")
    assert link is not None
    (alert,) = overview.select("[role=alert]")
    assert "Uppsala" in alert.get_text()

    response = admin.get("/delivery/admin")
    assert response.status_code == 200
    page = page_checks(response)
    assert page.select("[role=alert]")
    rows = {
        row.find("td").get_text(strip=True): [c.get_text(" ", strip=True) for c in row.find_all("td")]
        for row in page.find_all("table")[0].find("tbody").find_all("tr")
    }
    (name,) = rows
    assert "Uppsala" in name
    cells = rows[name]
    assert cells[1].startswith(sv("Paused: not answering")) and cells[2] == "2"
    assert cells[5] == str(delivery.PAUSE_AFTER)
    assert cells[6].startswith(sv("Not reachable or answering with an error"))
    assert sv("No application is stopped.") in page.get_text()
    assert audit_events("read")[-1].object_type == "delivery_health"
    assert [r.status for r in records] == ["pending", "pending"]


def test_the_page_in_arabic_reads_right_to_left(app, admin, broken):
    queued(1)
    broken["with"] = ConnectionError("down")
    rounds(1)
    admin.set_cookie("portal_lang", "ar")
    page_checks(admin.get("/delivery/admin"), lang="ar", direction="rtl")


@pytest.mark.parametrize("subject", [None, "staff-uppsala-1"])
def test_only_administrators_see_or_change_delivery(app, subject):
    (record,) = queued(1)
    client = app.test_client()
    if subject:
        idp_login(client, "/auth/staff/login", {"subject": subject})
    db.session.execute(update(Delivery).values(status="dead"))
    db.session.commit()
    for path in ("/delivery/admin", f"/delivery/admin/{record.id}/requeue"):
        response = client.get(path)
        if subject is None:
            assert response.status_code == 302 and "/auth/staff/login" in response.location
        else:
            assert response.status_code == 403
    for path in (f"/delivery/admin/{record.id}/requeue", f"/delivery/admin/inboxes/{INBOX}/retry"):
        assert client.post(path, data={"reason": "let me"}).status_code in (302, 400, 403)
    db.session.expire_all()
    assert db.session.get(Delivery, record.id).status == "dead"
    assert audit_events("requeue") == [] and audit_events("retry") == []


def test_a_stopped_application_is_sent_again_from_the_admin_page_with_a_reason(app, admin, broken):
    first, second = queued(2)
    broken["with"] = WebhookRefused("answered 422")
    rounds(delivery.MAX_REFUSALS)
    db.session.expire_all()
    assert db.session.get(Delivery, first.id).status == "dead"
    broken["with"] = None
    rounds(1)  # the one behind it goes on
    db.session.expire_all()
    assert db.session.get(Delivery, second.id).status == "delivered"

    page = page_checks(admin.get("/delivery/admin"))
    send_again = page.find_all("table")[-1].find("a")
    assert send_again["href"] == f"/delivery/admin/{first.id}/requeue"
    form_page = admin.get(send_again["href"])
    doc = page_checks(form_page)
    assert "EU-ADM-000" in doc.get_text() and "422" in doc.get_text()
    read = audit_events("read")[-1]
    assert (read.object_type, read.object_id) == ("delivery", first.id) and read.subject_id == first_applicant(first)

    token = csrf_from(form_page)
    for reason, problem in (
        ("", "Write why the application is sent again"),
        ("Fixed for 19900602-2397", "Do not write a personal identity number in the reason"),
        ("x" * 151, "Write at most %(max)s characters"),
    ):
        refused = admin.post(send_again["href"], data={"csrf_token": token, "reason": reason})
        assert refused.status_code == 400
        summary = page_checks(refused).find(attrs={"data-error-summary": True})
        expected = sv(problem, max=150) if "%(max)s" in problem else sv(problem)
        assert expected in summary.get_text()
        assert soup(refused).title.get_text().startswith(sv("Error:"))
    db.session.expire_all()
    assert db.session.get(Delivery, first.id).status == "dead" and audit_events("requeue") == []

    done = admin.post(send_again["href"], data={"csrf_token": token, "reason": "  Uppsala fixed their schema  "})
    assert done.status_code == 302 and done.location.endswith("/delivery/admin")
    followed = soup(admin.get("/delivery/admin"))
    assert sv("The application is back in its inbox's queue and will be sent again.") in followed.get_text()
    db.session.expire_all()
    record = db.session.get(Delivery, first.id)
    assert (record.status, record.refusals, record.requeue_reason) == ("pending", 0, "Uppsala fixed their schema")
    assert record.requeued_at is not None
    (event,) = audit_events("requeue")
    assert (event.object_type, event.object_id, event.actor_role) == ("delivery", first.id, "administrator")
    assert event.subject_id == first_applicant(first) and event.actor_id

    assert delivery.run_once() == 1
    keys = list(db.session.scalars(select(InboxEntry.idempotency_key).order_by(InboxEntry.id)))
    assert keys == [second.idempotency_key, first.idempotency_key]  # arrived once each
    # Sending again what is no longer stopped changes nothing.
    again = admin.post(send_again["href"], data={"csrf_token": token, "reason": "twice"})
    assert again.status_code == 302 and len(audit_events("requeue")) == 1


def first_applicant(record) -> str:
    return db.session.scalar(select(Application.applicant_id).where(Application.id == record.application_id))


def test_try_again_now_makes_a_paused_inboxs_head_due_at_once(app, admin, broken):
    records = queued(2)
    broken["with"] = ConnectionError("down")
    rounds(delivery.PAUSE_AFTER)
    broken["with"] = None
    assert delivery.run_once() == 0  # the head waits for the inbox's next attempt, minutes away
    page = admin.get("/delivery/admin")
    form = soup(page).find("form", action=f"/delivery/admin/inboxes/{INBOX}/retry")
    assert admin.post(form["action"], data={}).status_code == 400  # no CSRF token
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    response = admin.post(form["action"], data={"csrf_token": token})
    assert response.status_code == 302
    assert [e.object_id for e in audit_events("retry")] == [INBOX]
    assert delivery.run_once() == 2
    db.session.expire_all()
    assert [db.session.get(Delivery, r.id).status for r in records] == ["delivered", "delivered"]
    assert db.session.get(DeliveryInbox, INBOX).state == "working"
    assert admin.post("/delivery/admin/inboxes/no-such-inbox/retry", data={"csrf_token": token}).status_code == 404
