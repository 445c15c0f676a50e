"""The outbox and its worker.

Claiming is safe with several workers: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` hands
each due record to one worker; on SQLite (the demo) a conditional UPDATE does the same, since
SQLite runs one writer at a time. A claim is a lease: a worker that dies mid-delivery leaves a
record whose lease runs out, and another worker takes it. Receivers deduplicate on the
idempotency key, so delivering twice never makes two cases.
"""

from __future__ import annotations

import logging
import random
import socket
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.db import utcnow
from portal.delivery import webhook
from portal.delivery.models import Delivery, InboxEntry
from portal.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12


class ChannelUnavailable(Exception):
    """This inbox's channel cannot take deliveries (yet); the record waits and is retried."""


def enqueue(application, municipality_code: str, inbox_id: str, channel: str) -> Delivery:
    """Called inside the submission's transaction (no commit here)."""
    delivery = Delivery(application_id=application.id, municipality_code=municipality_code, inbox_id=inbox_id,
                        channel=channel, idempotency_key=f"{application.reference}/v1")
    db.session.add(delivery)
    return delivery


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter, capped at an hour."""
    ceiling = min(3600.0, 2.0 ** attempts)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def worker_name() -> str:
    return f"{socket.gethostname()}:{id(object())}"


def claim(worker: str, limit: int = 20) -> list[str]:
    """Take up to ``limit`` due records, in order of submission per inbox: only the oldest record of an inbox
    that is not yet delivered (and not dead) can be taken, so a later application never overtakes an earlier
    one, and one inbox is delivered to by one worker at a time."""
    now = utcnow()
    due = or_(
        (Delivery.status == "pending") & (Delivery.next_attempt_at <= now),
        (Delivery.status == "delivering") & (Delivery.claimed_until < now),  # a worker died
    )
    earlier = aliased(Delivery)
    waits = exists().where(
        earlier.inbox_id == Delivery.inbox_id, earlier.status.in_(("pending", "delivering")),
        or_(earlier.created_at < Delivery.created_at,
            (earlier.created_at == Delivery.created_at) & (earlier.id < Delivery.id)))
    first = and_(due, ~waits)
    query = select(Delivery.id).where(first).order_by(Delivery.created_at, Delivery.id).limit(limit)
    lease = now + timedelta(seconds=current_app.config["PORTAL"].delivery_lease_seconds)
    if db.engine.dialect.name == "postgresql":
        # SKIP LOCKED: an inbox's first record being claimed by another worker is skipped, and the
        # records behind it still wait for it (the subquery sees it pending).
        ids = list(db.session.scalars(query.with_for_update(of=Delivery, skip_locked=True)))
        if ids:
            db.session.execute(update(Delivery).where(Delivery.id.in_(ids))
                               .values(status="delivering", claimed_by=worker, claimed_until=lease))
        db.session.commit()
        return ids
    claimed = []
    for candidate in list(db.session.scalars(query)):
        result = db.session.execute(update(Delivery).where(Delivery.id == candidate, first)
                                    .values(status="delivering", claimed_by=worker, claimed_until=lease))
        if result.rowcount == 1:
            claimed.append(candidate)
    db.session.commit()
    return claimed


def _to_inbox(delivery: Delivery) -> None:
    if db.session.scalar(select(InboxEntry.id).where(InboxEntry.idempotency_key == delivery.idempotency_key)):
        return  # already received: a repeated delivery is the same delivery
    try:
        with db.session.begin_nested():
            db.session.add(InboxEntry(idempotency_key=delivery.idempotency_key, application_id=delivery.application_id,
                                      municipality_code=delivery.municipality_code, inbox_id=delivery.inbox_id))
    except IntegrityError:
        pass  # another worker delivered it in the meantime


CHANNELS = {"inbox": _to_inbox, "webhook": webhook.deliver, "pull": _to_inbox}


def deliver(delivery_id: str, worker: str) -> str:
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.status != "delivering" or delivery.claimed_by != worker:
        db.session.rollback()
        return "skipped"
    delivery.attempts += 1
    try:
        channel = CHANNELS.get(delivery.channel)
        if channel is None:
            raise ChannelUnavailable(delivery.channel)
        channel(delivery)
    except Exception as exc:  # any failure: keep the record, try again later
        db.session.rollback()
        delivery = db.session.get(Delivery, delivery_id)
        delivery.attempts += 1
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:200]
        delivery.claimed_by = delivery.claimed_until = None
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "dead"
            log.error("delivery dead-lettered delivery=%s attempts=%s", delivery.id, delivery.attempts)
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
            log.warning("delivery failed delivery=%s attempt=%s", delivery.id, delivery.attempts)
        db.session.commit()
        return delivery.status
    delivery.status = "delivered"
    delivery.delivered_at = utcnow()
    delivery.claimed_by = delivery.claimed_until = None
    db.session.commit()
    log.info("delivered delivery=%s channel=%s", delivery.id, delivery.channel)
    return "delivered"


def run_once(worker: str | None = None, limit: int = 20) -> int:
    """Claim what is due and deliver it; returns how many were delivered."""
    worker = worker or worker_name()
    return sum(deliver(delivery_id, worker) == "delivered" for delivery_id in claim(worker, limit))


def run_forever(app, interval: float = 1.0, stop=None) -> None:
    worker = worker_name()
    while stop is None or not stop.is_set():
        with app.app_context():
            try:
                delivered = run_once(worker)
            except Exception as exc:  # the database may be restarting: wait and try again
                log.warning("worker round failed: %s", type(exc).__name__)
                try:
                    db.session.rollback()
                except Exception:
                    db.session.invalidate()
                delivered = 0
            finally:
                db.session.remove()
        if not delivered:
            time.sleep(interval)


def stuck() -> list[Delivery]:
    """For administrators: what has not arrived, oldest first."""
    return list(db.session.scalars(select(Delivery).where(Delivery.status.in_(("pending", "dead")))
                                   .order_by(Delivery.created_at)))
