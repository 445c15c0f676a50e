"""The outbox and the worker: written with the submission, delivered once in effect."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from portal.application.models import Application
from portal.db import utcnow
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, DeliveryInbox, InboxEntry
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


def test_refusals_back_off_then_dead_letter_and_show_to_administrators(app, login, client, monkeypatch):
    from portal.delivery.webhook import WebhookRefused
    from tests.support import idp_login, soup

    sent(login, client)

    def refusing(record):
        raise WebhookRefused("answered 422")

    monkeypatch.setitem(delivery.CHANNELS, "inbox", refusing)
    for _ in range(delivery.MAX_REFUSALS):
        db.session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        db.session.commit()
        delivery.run_once()
    record = db.session.scalar(select(Delivery))
    assert (record.status, record.refusals, record.attempts) == ("dead", delivery.MAX_REFUSALS, delivery.MAX_REFUSALS)
    assert "422" in record.last_error and record.failure_kind == "refused"
    assert count(InboxEntry) == 0
    admin = app.test_client()
    idp_login(admin, "/auth/staff/login", {"subject": "staff-admin-1"})
    rows = soup(admin.get("/municipality/admin")).find_all("table")[-1].find("tbody").find_all("tr")
    assert any("Stoppad efter upprepade fel" in row.get_text() for row in rows)


def test_the_inboxs_failures_never_dead_letter_they_pause_the_inbox(app, login, client, caplog):
    """A channel that is not set up (the record names a webhook the routing does not have) is the inbox's
    failure, however long it lasts: the record keeps its place, the inbox is paused with an alert."""
    sent(login, client)
    db.session.execute(update(Delivery).values(channel="webhook"))
    db.session.commit()
    for _ in range(3 * delivery.MAX_REFUSALS):
        db.session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        db.session.commit()
        delivery.run_once()
    record = db.session.scalar(select(Delivery))
    assert (record.status, record.refusals, record.failure_kind) == ("pending", 0, "configuration")
    assert record.attempts == 3 * delivery.MAX_REFUSALS
    inbox = db.session.get(DeliveryInbox, record.inbox_id)
    assert (inbox.state, inbox.failures) == ("paused", 3 * delivery.MAX_REFUSALS)
    alerts = [r for r in caplog.records if r.getMessage().startswith("ALERT delivery inbox paused")]
    assert len(alerts) == 1 and f"inbox={record.inbox_id}" in alerts[0].getMessage()
    assert alerts[0].levelname == "WARNING"


def test_backoff_grows_and_is_jittered():
    waits = [delivery.backoff(n).total_seconds() for n in range(1, 8)]
    assert all(2 ** (n - 1) / 2 <= w <= 2**n for n, w in zip(range(1, 8), waits, strict=True))
    assert delivery.backoff(30).total_seconds() <= 3600


def test_applicant_sees_sent_until_the_municipality_registers(login, client):
    application = sent(login, client)
    delivery.run_once()
    assert application.status == "submitted" and application.received_at is None


# --- batches: an inbox's records taken together, sent in order, stopped at the first failure ---


def queued(count: int, inbox: str = "kommun-0380") -> list[Delivery]:
    """``count`` submitted applications to one inbox with their outbox records, oldest first."""
    from datetime import date

    from portal.auth.models import Person

    person = db.session.scalar(select(Person).where(Person.oidc_subject == "batch"))
    if person is None:
        person = Person(oidc_subject="batch", personnummer="199006022397", given_name="Test", family_name="Person")
        db.session.add(person)
        db.session.flush()
    records = []
    for n in range(count):
        application = Application(
            reference=f"EU-BAT-{inbox[-4:]}-{n:03d}",
            applicant_id=person.id,
            period=date(2026, 12, 1),
            status="submitted",
            municipality_code="0380",
        )
        db.session.add(application)
        db.session.flush()
        records.append(delivery.enqueue(application, "0380", inbox, "inbox"))
        db.session.flush()
    db.session.commit()
    return records


def statuses(records) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(db.session.get(Delivery, r.id).status, db.session.get(Delivery, r.id).attempts) for r in records]


def arrived() -> list[str]:
    return list(db.session.scalars(select(InboxEntry.idempotency_key).order_by(InboxEntry.id)))


def test_a_batch_is_the_inboxs_head_and_those_right_behind_it_and_no_other_worker_touches_the_inbox(app):
    first = queued(3)
    other = queued(1, inbox="kommun-0180")
    assert delivery.claim("worker-a", limit=10, batch=5) == [r.id for r in first] + [other[0].id]
    assert delivery.claim("worker-b", limit=10, batch=5) == []
    assert delivery.run_once("worker-b") == 0  # not its claims
    ids = delivery.claim("worker-c", limit=2, batch=5)  # nothing due: all claimed
    assert ids == []


def test_a_failure_in_a_batch_stops_it_and_gives_the_rest_back_in_place(app, monkeypatch):
    records = queued(4)
    real = delivery.CHANNELS["inbox"]
    failing = {records[1].id}

    def flaky(record):
        if record.id in failing:
            raise ConnectionError("case system unavailable")
        real(record)

    monkeypatch.setitem(delivery.CHANNELS, "inbox", flaky)
    assert delivery.run_once("worker-a") == 1
    assert statuses(records) == [("delivered", 1), ("pending", 1), ("pending", 0), ("pending", 0)]
    assert all(db.session.get(Delivery, r.id).claimed_by is None for r in records[1:])
    assert arrived() == [records[0].idempotency_key]
    # Waiting out the second's back-off holds up the ones behind it, whoever asks.
    assert delivery.run_once("worker-b") == 0 and arrived() == [records[0].idempotency_key]
    failing.clear()
    db.session.execute(update(Delivery).where(Delivery.status == "pending").values(next_attempt_at=utcnow()))
    db.session.commit()
    assert delivery.run_once("worker-b") == 3
    assert arrived() == [r.idempotency_key for r in records]  # each once, in order of submission
    assert statuses(records) == [("delivered", 1), ("delivered", 2), ("delivered", 1), ("delivered", 1)]


def test_a_batch_stops_before_its_lease_runs_out(app):
    """Another worker may take over a record whose lease has run out: a batch sends nothing so late."""
    records = queued(3)
    app.config["PORTAL"].delivery_lease_seconds = 1  # less than the one second a record needs left
    assert delivery.run_once("worker-a") == 1  # the head is always tried; the rest goes back
    assert statuses(records) == [("delivered", 1), ("pending", 0), ("pending", 0)]
    app.config["PORTAL"].delivery_lease_seconds = 60
    assert delivery.run_once("worker-b") == 2
    assert arrived() == [r.idempotency_key for r in records]


def test_a_claim_whose_lease_ran_out_is_taken_over_with_the_rest_of_its_batch(app):
    records = queued(3)
    assert delivery.claim("worker-that-dies", batch=3) == [r.id for r in records]
    db.session.execute(update(Delivery).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert delivery.run_once("worker-b") == 3
    assert arrived() == [r.idempotency_key for r in records]


def test_a_worker_never_marks_what_another_has_taken_over(app):
    (record,) = queued(1)
    (claimed,) = delivery.claim("slow-worker")
    db.session.execute(update(Delivery).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert delivery.claim("worker-b") == [claimed]
    assert delivery.deliver(claimed, "slow-worker") == "skipped"
    assert statuses([record]) == [("delivering", 0)] and arrived() == []
    assert delivery.deliver(claimed, "worker-b") == "delivered"


def test_enqueue_holds_the_inboxs_queue_until_the_submission_commits(app, databases):
    """A record a worker can see never has an earlier one of the same inbox still uncommitted: a second
    submission to the inbox waits at enqueue until the first has committed, and takes its time after that;
    a submission to another inbox does not wait."""
    import threading
    import time

    import pytest
    from sqlalchemy import text

    if databases.dialect != "postgresql":
        pytest.skip("the queue lock is PostgreSQL's advisory lock (SQLite has one writer at a time anyway)")
    from datetime import date

    from portal.auth.models import Person

    person = Person(oidc_subject="queue", personnummer="199006022397", given_name="Test", family_name="Person")
    db.session.add(person)
    db.session.flush()
    applications = []
    for n in range(3):
        application = Application(
            reference=f"EU-QUE-{n}",
            applicant_id=person.id,
            period=date(2026, 12, 1),
            status="submitted",
            municipality_code="0380",
        )
        db.session.add(application)
        applications.append(application)
    db.session.commit()
    ids = [a.id for a in applications]

    first = delivery.enqueue(applications[0], "0380", "kommun-0380", "inbox")
    db.session.flush()  # the first submission's transaction is open, holding kommun-0380's queue
    done = {}

    def submit_other(index: int, inbox: str) -> None:
        with app.app_context():
            delivery.enqueue(db.session.get(Application, ids[index]), "0380", inbox, "inbox")
            db.session.commit()
            done[inbox] = utcnow()
            db.session.remove()

    same = threading.Thread(target=submit_other, args=(1, "kommun-0380"))
    elsewhere = threading.Thread(target=submit_other, args=(2, "kommun-0180"))
    same.start()
    elsewhere.start()
    elsewhere.join(timeout=30)
    assert "kommun-0180" in done  # another inbox's queue is not held
    # The same inbox's submission is seen waiting for the queue's lock (not merely slow to start).
    with db.engine.connect() as probe:
        waiting = (
            f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            f"AND classid = {delivery.QUEUE_LOCKS} "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        deadline = time.monotonic() + 30
        while not probe.execute(text(waiting)).scalar() and time.monotonic() < deadline:
            probe.rollback()
            time.sleep(0.05)
        assert probe.execute(text(waiting)).scalar() == 1
    assert same.is_alive() and "kommun-0380" not in done  # waits for the first submission
    committed = utcnow()
    db.session.commit()
    same.join(timeout=30)
    assert not same.is_alive()
    second = db.session.scalar(select(Delivery).where(Delivery.application_id == ids[1]))
    assert first.created_at < committed < second.created_at
