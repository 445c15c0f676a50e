"""The webhook channel against the sample municipality receiver on a real port: signed, digested,
deduplicated, in order of submission per inbox, through a receiver that is down, slow and failing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from devstack.receiver import create_receiver_app
from devstack.sandbox.testing import serve
from portal.application.models import Application
from portal.db import utcnow
from portal.delivery import services as delivery
from portal.delivery import webhook
from portal.delivery.models import Delivery, DeliveryInbox
from portal.extensions import db
from portal.routing import config as routing
from portal.submission.models import FrozenDocument
from tests.support import idp_login, send_application
from tests.test_journey import start_application

SECRET = "test-webhook-secret"
TOKEN = "test-receiver-token"  # the receiver's own pages
# Both live in Västerås (1980), at the same address: sambos.
FIRST = "199912282382"  # pending-bostadsbidrag
SECOND = "200001042399"  # pending-bostadsbidrag-sambo


@pytest.fixture
def receiver(app, tmp_path, monkeypatch):
    """The sample receiver on a free port; Västerås's webhook inbox pointed at it."""
    receiver_app = create_receiver_app({"vasteras": SECRET}, token=TOKEN, store=tmp_path / "receiver.sqlite3")
    with serve(receiver_app) as base_url:
        raw = json.loads(routing.DEFAULT_PATH.read_text(encoding="utf-8"))
        (inbox,) = raw["municipalities"]["1980"]["inboxes"]
        assert (inbox["channel"], inbox["secret"]) == ("webhook", "vasteras")
        inbox["url"] = f"{base_url}/webhook/vasteras"
        path = tmp_path / "routing.json"
        path.write_text(json.dumps(raw), encoding="utf-8")
        monkeypatch.setenv(routing.ENV, str(path))
        monkeypatch.setenv("PORTAL_WEBHOOK_SECRET_VASTERAS", SECRET)
        monkeypatch.setenv(webhook.TIMEOUT_ENV, "0.5")
        routing.clear_cache()
        control = httpx.Client(base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {TOKEN}"})
        control.state = receiver_app.extensions["receiver"]
        control.store = tmp_path / "receiver.sqlite3"
        yield control
        control.close()
        monkeypatch.undo()
        routing.clear_cache()


def apply(app, personnummer: str, partner: str) -> Application:
    """Start, sign and send an application; a joint one is co-signed by the partner from their own login."""
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": personnummer})
    path = start_application(client)
    send_application(client, path, personnummer)
    db.session.expire_all()
    application = db.session.scalar(select(Application).order_by(Application.created_at.desc()))
    if application.awaiting_cosignature:
        from tests.support import cosign_application

        other = app.test_client()
        idp_login(other, "/auth/login", {"subject": partner})
        cosign_application(other, path, partner)
        db.session.expire_all()
    assert application.status == "submitted" and application.municipality_code == "1980"
    return application


def record_of(application: Application) -> Delivery:
    db.session.expire_all()
    return db.session.scalar(select(Delivery).where(Delivery.application_id == application.id))


def retry_now() -> None:
    db.session.execute(update(Delivery).where(Delivery.status == "pending").values(next_attempt_at=utcnow()))
    db.session.commit()


def wait_until(condition, seconds: float = 30.0):
    """Poll ``condition`` until it holds (returns its value) or ``seconds`` have passed (returns a false value)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


def cases(receiver) -> dict:
    return receiver.get("/cases").json()


def frozen_body(application: Application) -> bytes:
    return db.session.scalar(select(FrozenDocument.body).where(FrozenDocument.application_id == application.id)).encode(
        "utf-8"
    )


def test_delivered_signed_and_digested_as_the_receiver_checks(app, receiver):
    application = apply(app, FIRST, SECOND)
    record = record_of(application)
    assert (record.channel, record.inbox_id) == ("webhook", "vasteras")
    assert delivery.run_once() == 1
    assert record_of(application).status == "delivered"
    listed = cases(receiver)
    (case,) = listed["cases"]
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    assert case["idempotency_key"] == f"{application.reference}/v1" and case["sha256"] == frozen.sha256
    assert listed["refused"] == 0
    document = receiver.get(f"/cases/{case['case']}").json()["document"]
    assert document == json.loads(frozen.body)


def test_a_tampered_body_a_bad_signature_a_stale_timestamp_are_refused(app, receiver):
    application = apply(app, FIRST, SECOND)
    body = frozen_body(application)
    key = f"{application.reference}/v1"
    url = "/webhook/vasteras"
    headers = webhook.signed_headers(body, key, SECRET)
    assert headers["webhook-id"] == key and headers["webhook-signature"].startswith("v1,")
    tampered = body.replace(b'"', b"'", 1)

    assert receiver.post(url, content=tampered, headers=headers).status_code == 401  # signature no longer fits
    bad_signature = {
        **headers,
        "webhook-signature": webhook.signature("wrong", key, headers["webhook-timestamp"], body),
    }
    assert receiver.post(url, content=body, headers=bad_signature).status_code == 401
    # Signed correctly over the changed body, but the digest is the original body's.
    resigned = {**webhook.signed_headers(tampered, key, SECRET), "Content-Digest": webhook.content_digest(body)}
    assert receiver.post(url, content=tampered, headers=resigned).status_code == 400
    stale = webhook.signed_headers(body, key, SECRET, timestamp=int(time.time()) - 301)
    assert receiver.post(url, content=body, headers=stale).status_code == 401
    ahead = webhook.signed_headers(body, key, SECRET, timestamp=int(time.time()) + 120)
    assert receiver.post(url, content=body, headers=ahead).status_code == 401
    unsigned = {k: v for k, v in headers.items() if k != "webhook-signature"}
    assert receiver.post(url, content=body, headers=unsigned).status_code == 401
    assert receiver.post("/webhook/unknown", content=body, headers=headers).status_code == 404
    assert cases(receiver)["cases"] == []

    assert receiver.post(url, content=body, headers=headers).status_code == 201
    assert receiver.post(url, content=body, headers=headers).status_code == 200  # repeated: the same case
    listed = cases(receiver)
    assert len(listed["cases"]) == 1 and listed["repeats"] == 1 and listed["refused"] == 7


def test_a_replay_under_a_new_key_makes_no_second_case(app, receiver):
    """The finding (issue 13, point 7): a correctly signed request sent again with a new Idempotency-Key made a
    second case. Now the id is signed with the time and the body: a new key no longer fits the signature."""
    application = apply(app, FIRST, SECOND)
    body = frozen_body(application)
    url = "/webhook/vasteras"
    headers = webhook.signed_headers(body, f"{application.reference}/v1", SECRET)
    assert receiver.post(url, content=body, headers=headers).status_code == 201
    new_key = "replayed-under-a-new-key"
    assert receiver.post(url, content=body, headers={**headers, "Idempotency-Key": new_key}).status_code == 400
    assert receiver.post(url, content=body, headers={**headers, "webhook-id": new_key}).status_code == 401
    both = {**headers, "webhook-id": new_key, "Idempotency-Key": new_key}
    assert receiver.post(url, content=body, headers=both).status_code == 401
    # Another id with the same body needs the secret: signed by the portal it would be a new delivery.
    assert len(cases(receiver)["cases"]) == 1


def test_a_signature_seen_before_is_refused_even_after_a_restart(app, receiver):
    """A request that made no case (refused, say) replayed byte for byte is a replay; the ids and the signatures
    seen are kept in the receiver's store, so a restarted receiver still knows them."""
    application = apply(app, FIRST, SECOND)
    body = frozen_body(application)
    url = "/webhook/vasteras"
    key = f"{application.reference}/v1"
    first = webhook.signed_headers(body, key, SECRET)
    receiver.post("/_control", json={"mode": "refuse"})
    assert receiver.post(url, content=body, headers=first).status_code == 422
    receiver.post("/_control", json={"mode": "ok"})
    # its signature was not noted (refused before): the same request may come again, once
    second = webhook.signed_headers(body, "other-id", SECRET, timestamp=int(time.time()) - 1)
    assert receiver.post(url, content=body, headers=second).status_code == 201
    assert receiver.post(url, content=body, headers=first).status_code == 201  # its own id: a case
    assert len(cases(receiver)["cases"]) == 2
    # a new receiver on the same store: the same ids are known, nothing is made twice
    restarted = create_receiver_app({"vasteras": SECRET}, token=TOKEN, store=receiver.store)
    with restarted.test_client() as again:
        assert again.post(url, data=body, headers=first).status_code == 200
        listed = again.get("/cases", headers={"Authorization": f"Bearer {TOKEN}"}).get_json()
        assert [case["idempotency_key"] for case in listed["cases"]] == ["other-id", key]
        # a signature seen before whose id made no case there (written directly: a replay of a refused one)
        state = restarted.extensions["receiver"]
        lost = webhook.signed_headers(body, "never-made", SECRET)
        from devstack.receiver import Store

        Store(receiver.store).note_signature(lost["webhook-signature"], time.time())
        assert again.post(url, data=body, headers=lost).status_code == 409
        assert len(state.cases) == 2


def test_the_receiver_s_own_pages_need_its_token(app, receiver):
    base = str(receiver.base_url)
    for method, path in (("GET", "/cases"), ("GET", "/cases/1"), ("POST", "/_control")):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            assert (
                httpx.request(method, base + path, headers=headers, json={"mode": "down"}, timeout=10).status_code
                == 401
            ), (method, path, headers)
    assert receiver.state.mode == "ok"  # the refused control changed nothing
    assert receiver.get("/cases").status_code == 200
    assert httpx.get(base + "/health", timeout=10).status_code == 200  # open: a load balancer's probe
    without_token = create_receiver_app({"vasteras": SECRET})  # no token configured: nobody gets in
    assert without_token.test_client().get("/cases", headers={"Authorization": "Bearer "}).status_code == 401


def test_down_slow_failing_then_recovered_everything_arrives_once_in_order(app, receiver):
    first = apply(app, FIRST, SECOND)
    second = apply(app, SECOND, FIRST)
    assert first.submitted_at < second.submitted_at

    # Only the inbox's oldest undelivered record can be claimed: the second waits behind the first.
    assert delivery.claim("peek") == [record_of(first).id]
    db.session.execute(update(Delivery).values(status="pending", claimed_by=None, claimed_until=None))
    db.session.commit()

    receiver.post("/_control", json={"mode": "down"})
    assert delivery.run_once() == 0
    assert (record_of(first).attempts, record_of(first).status, record_of(second).attempts) == (1, "pending", 0)
    assert "503" in record_of(first).last_error

    # Slower than the timeout: the portal gives up, but the receiver makes the case — the answer is lost.
    receiver.post("/_control", json={"mode": "slow", "seconds": 1.5})
    retry_now()
    assert delivery.run_once() == 0
    assert record_of(first).failure_kind == "timeout" and "no answer within" in record_of(first).last_error
    assert record_of(second).attempts == 0
    assert wait_until(lambda: cases(receiver)["cases"])

    receiver.post("/_control", json={"mode": "error"})
    retry_now()
    assert delivery.run_once() == 0
    assert "500" in record_of(first).last_error and record_of(second).attempts == 0
    assert record_of(first).refusals == 0  # all three were the inbox's failures, none the record's

    receiver.post("/_control", json={"mode": "ok"})
    delivered = 0
    for _ in range(5):
        retry_now()
        delivered += delivery.run_once()
    assert delivered == 2
    assert [record_of(a).status for a in (first, second)] == ["delivered", "delivered"]
    assert record_of(second).attempts == 1 and record_of(first).delivered_at <= record_of(second).delivered_at
    listed = cases(receiver)
    keys = [case["idempotency_key"] for case in listed["cases"]]
    assert keys == [f"{first.reference}/v1", f"{second.reference}/v1"]  # each once, in order of submission
    assert listed["repeats"] == 1  # the lost answer's retry: deduplicated


def test_delivered_twice_after_a_lost_answer_is_one_case(app, receiver):
    application = apply(app, FIRST, SECOND)
    assert delivery.run_once() == 1
    # The portal never saw the answer (say it crashed before committing): it delivers again.
    db.session.execute(update(Delivery).values(status="pending", next_attempt_at=utcnow()))
    db.session.commit()
    assert delivery.run_once() == 1
    listed = cases(receiver)
    assert [c["idempotency_key"] for c in listed["cases"]] == [f"{application.reference}/v1"]
    assert listed["repeats"] == 1


def test_refused_until_dead_lettered_and_the_next_in_line_goes_on(app, receiver):
    first = apply(app, FIRST, SECOND)
    second = apply(app, SECOND, FIRST)
    receiver.post("/_control", json={"mode": "refuse"})
    for _ in range(delivery.MAX_REFUSALS):
        retry_now()
        delivery.run_once()
    record = record_of(first)
    assert (record.status, record.refusals) == ("dead", delivery.MAX_REFUSALS) and "422" in record.last_error
    assert record_of(second).attempts == 0 and delivery.stuck()[0].id == record.id
    assert db.session.get(DeliveryInbox, "vasteras") is None  # the inbox answered every time: nothing held it
    receiver.post("/_control", json={"mode": "ok"})
    retry_now()
    assert delivery.run_once() == 1  # a dead record no longer holds up the inbox
    assert [c["idempotency_key"] for c in cases(receiver)["cases"]] == [f"{second.reference}/v1"]


def test_a_missing_secret_keeps_the_record_pending_with_a_clear_error(app, receiver, monkeypatch):
    application = apply(app, FIRST, SECOND)
    monkeypatch.delenv("PORTAL_WEBHOOK_SECRET_VASTERAS")
    assert delivery.run_once() == 0
    record = record_of(application)
    assert record.status == "pending" and "PORTAL_WEBHOOK_SECRET_VASTERAS" in record.last_error
    assert (record.failure_kind, record.refusals) == ("configuration", 0)
    assert SECRET not in record.last_error and cases(receiver)["cases"] == []


def test_secret_names_map_to_environment_variables():
    assert webhook.secret_env_name("vasteras") == "PORTAL_WEBHOOK_SECRET_VASTERAS"
    assert webhook.secret_env_name("ekbist/uppsala-2.key") == "PORTAL_WEBHOOK_SECRET_EKBIST_UPPSALA_2_KEY"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://ekbist.example/inbox", True),
        ("http://localhost:5003/webhook/x", True),
        ("http://127.0.0.1:8080/x", True),
        ("http://ekbist.example/inbox", False),
        ("http://localhost.example.com/x", False),
        ("ftp://localhost/x", False),
    ],
)
def test_plain_http_webhooks_only_to_localhost(url, ok):
    assert routing._webhook_url_ok(url) is ok


# --- a receiver that never finishes answering: one deadline per request, within the lease ------------------


def in_thread(app, work, seconds: float = 60.0):
    """Run ``work()`` in a worker's own thread (and app context); fail, rather than hang, if it is still
    running after ``seconds``. Returns its result and when it returned (the portal's clock)."""
    import threading

    done = {}

    def run():
        with app.app_context():
            try:
                done["result"] = work()
                done["at"] = utcnow()
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"the worker is still held after {seconds} s"
    return done["result"], done["at"]


def test_a_trickling_receiver_holds_a_worker_no_longer_than_the_deadline(app, receiver, monkeypatch):
    """A byte every 0.2 s: no single read ever waits long, so only an overall deadline ends the request."""
    application = apply(app, FIRST, SECOND)
    monkeypatch.setenv(webhook.TIMEOUT_ENV, "2")
    receiver.post("/_control", json={"mode": "trickle", "seconds": 0.2})
    started = time.monotonic()
    delivered, _ = in_thread(app, delivery.run_once)
    held = time.monotonic() - started
    assert delivered == 0 and held >= 2.0  # it waited out its deadline, and then let go
    record = record_of(application)
    assert (record.status, record.claimed_by, record.failure_kind) == ("pending", None, "timeout")
    assert record.refusals == 0  # no answer in time is not a refusal: it may well have arrived
    assert db.session.get(DeliveryInbox, "vasteras").failures == 1  # the inbox backs off, not the record
    # The receiver made the case before trickling, and saw the portal hang up.
    assert len(cases(receiver)["cases"]) == 1
    assert wait_until(lambda: all(r["ended"] for r in cases(receiver)["requests"]))
    # Delivered again when the receiver answers: the same case, no second one.
    receiver.post("/_control", json={"mode": "ok"})
    retry_now()
    assert delivery.run_once() == 1
    listed = cases(receiver)
    assert len(listed["cases"]) == 1 and listed["repeats"] == 1


def test_the_deadline_ends_before_the_lease_so_no_other_worker_sends_it_meanwhile(app, receiver, monkeypatch):
    """A timeout configured longer than the lease is cut to the lease less the safety margin: the worker gives
    the record back before its lease runs out, so another worker never sends it while this one still waits."""
    application = apply(app, FIRST, SECOND)
    monkeypatch.setenv(webhook.TIMEOUT_ENV, "600")
    lease = app.config["PORTAL"].delivery_lease_seconds = 12
    receiver.post("/_control", json={"mode": "trickle", "seconds": 0.2})
    (claimed,) = delivery.claim("worker-a")
    claimed_until = record_of(application).claimed_until
    outcome, returned_at = in_thread(app, lambda: delivery.deliver(claimed, "worker-a"), seconds=lease + 60)
    assert outcome == "pending"
    assert returned_at < claimed_until  # given back while the lease still held
    record = record_of(application)
    assert (record.status, record.claimed_by, record.failure_kind) == ("pending", None, "timeout")
    assert delivery.claim("worker-b") == []  # the inbox backs off: nobody sends it again at once
    (request,) = wait_until(lambda: [r for r in cases(receiver)["requests"] if r["ended"]])
    assert request["ended"] - request["started"] < lease - delivery.safety_seconds(lease) + 1.0


def test_a_receiver_trickling_its_status_line_is_given_up_at_the_deadline(app, receiver, monkeypatch, tmp_path):
    """Even the headers may trickle (a byte every 0.2 s, for ever): the deadline covers the whole request."""
    import json as jsonlib
    import socket
    import threading

    application = apply(app, FIRST, SECOND)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle_forever():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in iter(lambda: b"H", None):
                if stop.is_set():
                    return
                try:
                    connection.sendall(byte)
                except OSError:
                    return
                time.sleep(0.2)

    server = threading.Thread(target=trickle_forever, daemon=True)
    server.start()
    raw = jsonlib.loads(routing.config_path().read_text(encoding="utf-8"))
    raw["municipalities"]["1980"]["inboxes"][0]["url"] = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    path = tmp_path / "trickling.json"
    path.write_text(jsonlib.dumps(raw), encoding="utf-8")
    monkeypatch.setenv(routing.ENV, str(path))
    monkeypatch.setenv(webhook.TIMEOUT_ENV, "2")
    routing.clear_cache()
    try:
        started = time.monotonic()
        delivered, _ = in_thread(app, delivery.run_once)
        assert delivered == 0 and time.monotonic() - started >= 2.0
    finally:
        stop.set()
        listener.close()
        routing.clear_cache()
    record = record_of(application)
    assert (record.status, record.claimed_by, record.failure_kind) == ("pending", None, "timeout")


# --- an inbox down far longer than any retry budget -----------------------------------------------------


def queued_to_vasteras(count: int) -> list[Delivery]:
    """``count`` sent applications to Västerås with their frozen documents and outbox records, in order."""
    import hashlib
    from datetime import date

    from portal.auth.models import Person

    person = Person(oidc_subject="outage", personnummer="199006022397", given_name="Test", family_name="Person")
    db.session.add(person)
    db.session.flush()
    records = []
    for n in range(count):
        application = Application(
            reference=f"EU-OUT-{n:03d}",
            applicant_id=person.id,
            period=date(2026, 12, 1),
            status="submitted",
            municipality_code="1980",
        )
        db.session.add(application)
        db.session.flush()
        body = json.dumps({"reference": application.reference, "n": n}, separators=(",", ":"))
        db.session.add(
            FrozenDocument(
                application_id=application.id,
                schema_version="test",
                language="sv",
                body=body,
                sha256=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
        records.append(delivery.enqueue(application, "1980", "vasteras", "webhook"))
        db.session.flush()
    db.session.commit()
    return records


def test_an_inbox_down_for_hours_is_paused_whole_nothing_dead_and_delivered_in_order_after(app, receiver, caplog):
    from portal import clock

    records = queued_to_vasteras(5)
    receiver.post("/_control", json={"mode": "down"})
    start = utcnow()
    rounds = 0
    while utcnow() - start < timedelta(hours=4):  # twice the old budget's worst case, and more
        delivery.run_once()
        rounds += 1
        db.session.expire_all()
        head = db.session.get(Delivery, records[0].id)
        clock.travel(head.next_attempt_at + timedelta(seconds=1))  # the next attempt is due
    db.session.expire_all()
    statuses = [db.session.get(Delivery, r.id).status for r in records]
    assert statuses == ["pending"] * 5  # nothing dead-lettered, nothing overtaken
    head = db.session.get(Delivery, records[0].id)
    assert head.attempts == rounds > 12 and head.refusals == 0
    assert [db.session.get(Delivery, r.id).attempts for r in records[1:]] == [0, 0, 0, 0]  # queue intact
    inbox = db.session.get(DeliveryInbox, "vasteras")
    assert inbox.state == "paused" and inbox.failures == rounds and inbox.last_failure_kind == "unavailable"
    # A paused inbox is still tried, every 2.5 to 5 minutes: at most ~100 tries in four hours, not a flood.
    assert rounds <= 4 * 60 * 60 / (delivery.INBOX_BACKOFF_CAP / 2) + delivery.PAUSE_AFTER + 10
    alerts = [r for r in caplog.records if r.getMessage().startswith("ALERT delivery inbox paused inbox=vasteras")]
    assert len(alerts) == 1 and alerts[0].levelname == "WARNING" and "open=5" in alerts[0].getMessage()
    assert cases(receiver)["cases"] == []

    receiver.post("/_control", json={"mode": "ok"})  # back; the clock is at the paused inbox's next attempt
    assert delivery.run_once() == 5
    assert [c["idempotency_key"] for c in cases(receiver)["cases"]] == [r.idempotency_key for r in records]
    db.session.expire_all()
    inbox = db.session.get(DeliveryInbox, "vasteras")
    assert (inbox.state, inbox.failures, inbox.paused_at) == ("working", 0, None) and inbox.resumed_at
    assert any(r.getMessage().startswith("delivery inbox resumed inbox=vasteras") for r in caplog.records)
