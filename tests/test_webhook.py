"""The webhook channel against the sample municipality receiver on a real port: signed, digested,
deduplicated, in order of submission per inbox, through a receiver that is down, slow and failing."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy import select, update

from portal.application.models import Application
from portal.db import utcnow
from portal.delivery import services as delivery
from portal.delivery import webhook
from portal.delivery.models import Delivery, DeliveryInbox, FrozenDocument
from portal.extensions import db
from portal.receiver import create_receiver_app
from portal.routing import config as routing
from portal.sandbox.testing import serve
from tests.support import idp_login, send_application
from tests.test_journey import start_application

SECRET = "test-webhook-secret"
# Both live in Västerås (1980), at the same address: sambos.
FIRST = "199912282382"  # pending-bostadsbidrag
SECOND = "200001042399"  # pending-bostadsbidrag-sambo


@pytest.fixture
def receiver(app, tmp_path, monkeypatch):
    """The sample receiver on a free port; Västerås's webhook inbox pointed at it."""
    receiver_app = create_receiver_app({"vasteras": SECRET})
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
        control = httpx.Client(base_url=base_url, timeout=10)
        control.state = receiver_app.extensions["receiver"]
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
    return db.session.scalar(select(FrozenDocument.body).where(FrozenDocument.application_id == application.id)
                             ).encode("utf-8")


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
    tampered = body.replace(b'"', b"'", 1)

    assert receiver.post(url, content=tampered, headers=headers).status_code == 401  # signature no longer fits
    bad_signature = {**headers, "X-Egna-Signature": "v1=" + webhook.signature("wrong", headers["X-Egna-Timestamp"],
                                                                                 body)}
    assert receiver.post(url, content=body, headers=bad_signature).status_code == 401
    # Signed correctly over the changed body, but the digest is the original body's.
    resigned = {**webhook.signed_headers(tampered, key, SECRET), "Content-Digest": webhook.content_digest(body)}
    assert receiver.post(url, content=tampered, headers=resigned).status_code == 400
    stale = webhook.signed_headers(body, key, SECRET, timestamp=int(time.time()) - 600)
    assert receiver.post(url, content=body, headers=stale).status_code == 401
    assert receiver.post("/webhook/unknown", content=body, headers=headers).status_code == 404
    assert cases(receiver)["cases"] == []

    assert receiver.post(url, content=body, headers=headers).status_code == 201
    assert receiver.post(url, content=body, headers=headers).status_code == 200  # repeated: the same case
    listed = cases(receiver)
    assert len(listed["cases"]) == 1 and listed["repeats"] == 1 and listed["refused"] == 5


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


@pytest.mark.parametrize(("url", "ok"), [
    ("https://ekbist.example/inbox", True), ("http://localhost:5003/webhook/x", True),
    ("http://127.0.0.1:8080/x", True), ("http://ekbist.example/inbox", False),
    ("http://localhost.example.com/x", False), ("ftp://localhost/x", False),
])
def test_plain_http_webhooks_only_to_localhost(url, ok):
    assert routing._webhook_url_ok(url) is ok
