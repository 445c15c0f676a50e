"""The outbox and the worker: written with the submission, delivered once in effect."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from portal.application.models import Application
from portal.db import utcnow
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, InboxEntry
from portal.extensions import db
from tests.support import send_application
from tests.test_journey import start_application

SINGLE_ADULT = "199006022397"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def sent(login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    send_application(client, path, SINGLE_ADULT)
    return db.session.scalar(select(Application))


def test_submission_writes_the_outbox_record_in_the_same_transaction(login, client):
    application = sent(login, client)
    record = db.session.scalar(select(Delivery))
    assert application.status == "submitted"
    assert (record.application_id, record.status, record.channel) == (application.id, "pending", "inbox")
    assert record.idempotency_key == f"{application.reference}/v1"


def test_the_worker_delivers_once_and_a_repeat_makes_no_second_case(login, client):
    application = sent(login, client)
    assert delivery.run_once() == 1
    assert delivery.run_once() == 0
    record = db.session.scalar(select(Delivery))
    assert record.status == "delivered" and record.delivered_at is not None
    # Delivered again (a retry after a lost answer): the receiver deduplicates.
    db.session.execute(update(Delivery).values(status="pending", next_attempt_at=utcnow()))
    db.session.commit()
    assert delivery.run_once() == 1
    assert count(InboxEntry) == 1
    assert db.session.scalar(select(InboxEntry)).application_id == application.id


def test_two_workers_never_claim_the_same_record(login, client):
    sent(login, client)
    first = delivery.claim("worker-a")
    second = delivery.claim("worker-b")
    assert len(first) == 1 and second == []
    assert delivery.deliver(first[0], "worker-b") == "skipped"  # not its claim
    assert delivery.deliver(first[0], "worker-a") == "delivered"


def test_a_dead_workers_claim_expires_and_another_delivers(login, client):
    sent(login, client)
    (claimed,) = delivery.claim("worker-that-dies")
    db.session.execute(update(Delivery).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert delivery.claim("worker-b") == [claimed]
    assert delivery.deliver(claimed, "worker-b") == "delivered"


def test_failures_back_off_then_dead_letter_and_show_to_administrators(app, login, client):
    from tests.support import idp_login, soup

    sent(login, client)
    db.session.execute(update(Delivery).values(channel="webhook"))  # a channel not built yet
    db.session.commit()
    for _ in range(delivery.MAX_ATTEMPTS):
        db.session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        db.session.commit()
        delivery.run_once()
    record = db.session.scalar(select(Delivery))
    assert record.status == "dead" and record.attempts == delivery.MAX_ATTEMPTS and "webhook" in record.last_error
    assert count(InboxEntry) == 0
    admin = app.test_client()
    idp_login(admin, "/auth/staff/login", {"subject": "staff-admin-1"})
    rows = soup(admin.get("/municipality/admin")).find_all("table")[-1].find("tbody").find_all("tr")
    assert any("Stoppad efter upprepade fel" in row.get_text() for row in rows)


def test_backoff_grows_and_is_jittered():
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 8)]
    assert all(2 ** (n - 1) / 2 <= w <= 2 ** n for n, w in zip(range(1, 8), waits, strict=True))
    assert delivery.backoff(30).total_seconds() <= 3600


def test_applicant_sees_sent_until_the_municipality_registers(login, client):
    application = sent(login, client)
    delivery.run_once()
    assert application.status == "submitted" and application.received_at is None
