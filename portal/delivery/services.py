"""The outbox and its worker.

Claiming is safe with several workers: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` hands
each due record to one worker; on SQLite (the demo) a conditional UPDATE does the same, since
SQLite runs one writer at a time. A claim is a lease: a worker that dies mid-delivery leaves a
record whose lease runs out, and another worker takes it. Receivers deduplicate on the
idempotency key, so delivering twice never makes two cases.

Order: an inbox gets its applications in order of submission. Only an inbox's oldest open
record (its *head*) can start a claim, and a worker takes it together with the records right
behind it (a *batch*, up to :data:`BATCH` of them), so one inbox is delivered to by one worker at
a time. The worker sends them one after the other over one kept-alive connection, marks each
delivered as soon as it has arrived, and stops at the first failure, giving the rest back: a
later application never overtakes an earlier one. Submission order is the order in which the
records were made: :func:`enqueue` holds the inbox's queue until the submission commits, so a
record that a worker can see never has an earlier one still to come.

Failures are the inbox's or the record's (``kind``, see :mod:`portal.delivery.webhook`). No answer in time,
not reachable, an error answer, a configuration missing: the *inbox* backs off (its circuit,
:class:`~portal.delivery.models.DeliveryInbox`; the head waits until the inbox's next attempt), and after
:data:`PAUSE_AFTER` in a row it is paused as a whole: an alert is logged, administrators see it, its queue
stays intact and in order, and its head is tried every few minutes until the inbox answers again. Such
failures never dead-letter anything. Only a record the receiver refuses (or whose frozen document is
broken) backs off on its own and is dead-lettered after :data:`MAX_REFUSALS`, so the rest of its inbox
goes on; an administrator can put it back (:func:`requeue`).

A request never outlives its claim: each webhook call has one overall deadline, at most what is left of
the lease less :func:`safety_seconds`, so another worker never sends a record this one still waits for.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from datetime import timedelta
from functools import cache
from itertools import groupby
from typing import cast

from flask import current_app
from sqlalchemy import Table, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.application.models import Application
from portal.audit.services import record as audit
from portal.db import rowcounted, utcnow
from portal.delivery import webhook
from portal.delivery.models import Delivery, DeliveryInbox, InboxEntry
from portal.delivery.states import OPEN, DeliveryStatus, InboxState
from portal.extensions import db
from portal.ops import logs
from portal.rounds import run_rounds

log = logging.getLogger(__name__)
MAX_REFUSALS = 8  # a record refused this many times is dead-lettered (an administrator can requeue it)
PAUSE_AFTER = 6  # the inbox's failures in a row (about a minute of them) that pause it, with an alert
INBOX_BACKOFF_CAP = 300.0  # seconds: a paused inbox's head is tried again every 2.5 to 5 minutes
SAFETY_SECONDS = 5.0  # a request's deadline ends this long before the lease (a quarter of a short lease)
RECORD_KINDS = ("refused", "document")  # failures of the record itself; all others are the inbox's
BATCH = 50  # records of one inbox a worker claims at once and sends in order
# pg_advisory_xact_lock(QUEUE_LOCKS, hashtext(inbox)): the first key keeps these apart from other advisory locks.
QUEUE_LOCKS = 0x45474E41


class ChannelUnavailable(Exception):
    """This inbox's channel cannot take deliveries (yet); the record waits and is retried."""


def enqueue(application, municipality_code: str, inbox_id: str, channel: str) -> Delivery:
    """Called inside the submission's transaction (no commit here).

    The inbox's queue is held until that transaction ends (PostgreSQL: a transaction-level
    advisory lock per inbox; SQLite: the database's write lock, taken by the flush), and the
    record's time is taken while holding it: so records of one inbox become visible in the order
    of their ``created_at``, and a worker never delivers one before an earlier one has committed."""
    db.session.flush()  # the submission's own writes first (on SQLite: takes the write lock)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(QUEUE_LOCKS, func.hashtext(inbox_id))))
    delivery = Delivery(
        application_id=application.id,
        municipality_code=municipality_code,
        inbox_id=inbox_id,
        channel=channel,
        idempotency_key=f"{application.reference}/v1",
        created_at=utcnow(),
        request_id=logs.current_request_id(),
    )  # the submitting request's (portal/ops/logs.py)
    db.session.add(delivery)
    return delivery


def backoff(attempts: int, cap: float = 3600.0) -> timedelta:
    """Exponential with jitter (between half and all of ``2 ** attempts`` seconds), capped at ``cap``."""
    ceiling = min(cap, 2.0**attempts)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def inbox_backoff(failures: int) -> timedelta:
    return backoff(failures, INBOX_BACKOFF_CAP)


def safety_seconds(lease_seconds: float) -> float:
    """How long before its lease runs out a request must have ended."""
    return min(SAFETY_SECONDS, lease_seconds / 4)


def failure_kind(exc: Exception) -> str:
    """Whose failure: ``refused``/``document`` (the record's) or ``timeout``/``unavailable``/``configuration``
    (the inbox's). Anything not known to be the record's is taken as the inbox's: it holds the queue (and
    pauses it, visibly) rather than dead-letter applications one after the other."""
    if isinstance(exc, ChannelUnavailable):
        return "configuration"
    return getattr(exc, "kind", "unavailable")


def worker_name() -> str:
    """Unique per worker (a lease taken over must never look like one's own): host, process, random."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{random.getrandbits(48):012x}"


def _due(now):
    return or_(
        (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
        (Delivery.status == DeliveryStatus.DELIVERING) & (Delivery.claimed_until < now),  # a worker died
    )


@cache
def _queue_heads():
    """The look at every inbox's first open records, built once (a worker asks many times a second):
    per inbox, its open records numbered in order, whether each is due at ``:now``, the first ``:batch``."""
    position = func.row_number().over(partition_by=Delivery.inbox_id, order_by=(Delivery.created_at, Delivery.id))
    ranked = (
        select(
            Delivery.id,
            Delivery.inbox_id,
            Delivery.created_at,
            position.label("position"),
            case((_due(bindparam("now")), 1), else_=0).label("due"),
        )
        .where(Delivery.status.in_(OPEN))
        .subquery()
    )
    return select(ranked).where(ranked.c.position <= bindparam("batch")).order_by(ranked.c.inbox_id, ranked.c.position)


def _queues(now, limit: int, batch: int) -> list[list[str]]:
    """Per inbox whose head is due: the ids of its first ``batch`` open records, in order, as long as they
    are due; inboxes in order of their head's age, until ``limit`` records in all."""
    rows = db.session.execute(_queue_heads(), {"now": now, "batch": batch}).all()
    queues = []
    for _, records in groupby(rows, key=lambda row: row.inbox_id):
        records = list(records)
        ids = []
        for record in records:
            if not record.due:
                break
            ids.append(record.id)
        if ids:
            queues.append(((records[0].created_at, records[0].id), ids))
    queues.sort(key=lambda queue: queue[0])
    chosen, taken = [], 0
    for _, ids in queues:
        if taken >= limit:
            break
        chosen.append(ids[: limit - taken])
        taken += len(chosen[-1])
    return chosen


def _claim(worker: str, limit: int, batch: int) -> list[list[str]]:
    now = utcnow()
    wanted = _queues(now, limit, batch)
    if not wanted:
        db.session.commit()  # ends the read (and commits what the caller had pending, as a claim always did)
        return []
    lease = now + timedelta(seconds=current_app.config["PORTAL"].delivery_lease_seconds)
    claimed = []
    if db.session.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED: a record another worker is claiming this moment is skipped, and so is the rest of its
        # inbox; the lock re-reads each record, so one claimed and committed since the look above is not due.
        locked = set(
            db.session.scalars(
                select(Delivery.id)
                .where(Delivery.id.in_([i for ids in wanted for i in ids]), _due(now))
                .with_for_update(skip_locked=True)
            )
        )
        for ids in wanted:
            taken = []
            for delivery_id in ids:  # the head and those right behind it; never one after a gap
                if delivery_id not in locked:
                    break
                taken.append(delivery_id)
            if taken:
                claimed.append(taken)
        if claimed:
            db.session.execute(
                update(Delivery)
                .where(Delivery.id.in_([i for ids in claimed for i in ids]))
                .values(status=DeliveryStatus.DELIVERING, claimed_by=worker, claimed_until=lease)
            )
        db.session.commit()
        return claimed
    # SQLite: each UPDATE checks again, under the write lock, that nothing earlier in the inbox is open
    # except what this very claim has taken.
    earlier = aliased(Delivery)
    waits = exists().where(
        earlier.inbox_id == Delivery.inbox_id,
        earlier.status.in_(OPEN),
        or_(
            earlier.created_at < Delivery.created_at,
            (earlier.created_at == Delivery.created_at) & (earlier.id < Delivery.id),
        ),
        ~and_(
            earlier.status == DeliveryStatus.DELIVERING, earlier.claimed_by == worker, earlier.claimed_until == lease
        ),
    )
    for ids in wanted:
        taken = []
        for delivery_id in ids:
            result = rowcounted(
                db.session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, _due(now), ~waits)
                    .values(status=DeliveryStatus.DELIVERING, claimed_by=worker, claimed_until=lease)
                )
            )
            if result.rowcount != 1:
                break
            taken.append(delivery_id)
        if taken:
            claimed.append(taken)
    db.session.commit()
    return claimed


def claim(worker: str, limit: int = 20, batch: int = 1) -> list[str]:
    """Take up to ``limit`` due records, in order of submission per inbox: an inbox's head (its oldest record
    not yet delivered and not dead) and up to ``batch - 1`` records right behind it, so a later application
    never overtakes an earlier one, and one inbox is delivered to by one worker at a time."""
    return [delivery_id for ids in _claim(worker, limit, batch) for delivery_id in ids]


def _to_inbox(delivery) -> None:
    if db.session.scalar(select(InboxEntry.id).where(InboxEntry.idempotency_key == delivery.idempotency_key)):
        return  # already received: a repeated delivery is the same delivery
    try:
        with db.session.begin_nested():
            db.session.add(
                InboxEntry(
                    idempotency_key=delivery.idempotency_key,
                    application_id=delivery.application_id,
                    municipality_code=delivery.municipality_code,
                    inbox_id=delivery.inbox_id,
                )
            )
    except IntegrityError:
        pass  # another worker delivered it in the meantime


CHANNELS = {"inbox": _to_inbox, "webhook": webhook.deliver, "pull": _to_inbox}


def _mine(delivery_id: str, worker: str):
    return and_(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.DELIVERING, Delivery.claimed_by == worker)


# Built once (a statement per delivery): only the worker holding the claim marks the record delivered.
_table = cast(Table, Delivery.__table__)  # the declarative base types it as a plain FromClause
_MARK_DELIVERED = (
    update(_table)
    .where(
        _table.c.id == bindparam("record"),
        _table.c.status == DeliveryStatus.DELIVERING,
        _table.c.claimed_by == bindparam("worker"),
    )
    .values(
        status=DeliveryStatus.DELIVERED,
        delivered_at=bindparam("at"),
        attempts=bindparam("attempts"),
        claimed_by=None,
        claimed_until=None,
    )
)


def _failed(record, worker: str, exc: Exception) -> str:
    """Record a failed try of a claimed record, by whose failure it was (:func:`failure_kind`)."""
    kind = failure_kind(exc)
    error = f"{type(exc).__name__}: {exc}"[:200]
    values = {
        "attempts": record.attempts + 1,
        "last_error": error,
        "failure_kind": kind,
        "claimed_by": None,
        "claimed_until": None,
    }
    if kind in RECORD_KINDS:
        refusals = record.refusals + 1
        values["refusals"] = refusals
        if refusals >= MAX_REFUSALS:
            values["status"] = DeliveryStatus.DEAD
            log.error(
                "delivery dead-lettered delivery=%s inbox=%s kind=%s refusals=%s",
                record.id,
                record.inbox_id,
                kind,
                refusals,
            )
        else:
            values.update(status=DeliveryStatus.PENDING, next_attempt_at=utcnow() + backoff(refusals))
            log.warning(
                "delivery refused delivery=%s inbox=%s kind=%s refusals=%s", record.id, record.inbox_id, kind, refusals
            )
        _inbox_answered(record.inbox_id)  # the inbox itself answered
    else:
        # The inbox's failure: the record keeps its place and is not counted towards dead-lettering; it waits
        # for the inbox's next attempt.
        values.update(status=DeliveryStatus.PENDING, next_attempt_at=_inbox_failed(record.inbox_id, kind, error))
    result = rowcounted(db.session.execute(update(Delivery).where(_mine(record.id, worker)).values(**values)))
    if result.rowcount != 1:  # the lease ran out meanwhile and another worker has it: leave both alone
        db.session.rollback()
        return "skipped"
    db.session.commit()
    return values["status"]


def _inbox_failed(inbox_id: str, kind: str, error: str):
    """Count a failure of the inbox (in the caller's transaction); returns when it is to be tried next.
    Pauses the inbox, with an alert, after :data:`PAUSE_AFTER` failures in a row."""
    now = utcnow()
    inbox = db.session.get(DeliveryInbox, inbox_id, with_for_update=_locking())
    if inbox is None:
        inbox = DeliveryInbox(inbox_id=inbox_id, state=InboxState.WORKING, failures=0)
        db.session.add(inbox)
    inbox.failures = (inbox.failures or 0) + 1
    inbox.last_failure_kind, inbox.last_error, inbox.last_failure_at = kind, error, now
    inbox.next_attempt_at = next_attempt = now + inbox_backoff(inbox.failures)
    wait = (next_attempt - now).total_seconds()
    if inbox.failures >= PAUSE_AFTER:
        if inbox.state != InboxState.PAUSED:
            inbox.state, inbox.paused_at = InboxState.PAUSED, now
            log.warning(
                "ALERT delivery inbox paused inbox=%s failures=%s kind=%s open=%s next_attempt_in_s=%.0f",
                inbox_id,
                inbox.failures,
                kind,
                _open_count(inbox_id),
                wait,
            )
        else:
            log.warning(
                "delivery inbox still paused inbox=%s failures=%s kind=%s paused_for_s=%.0f next_attempt_in_s=%.0f",
                inbox_id,
                inbox.failures,
                kind,
                (now - inbox.paused_at).total_seconds() if inbox.paused_at else 0,
                wait,
            )
    else:
        inbox.state = InboxState.FAILING
        log.warning(
            "delivery inbox failed inbox=%s failures=%s kind=%s next_attempt_in_s=%.0f",
            inbox_id,
            inbox.failures,
            kind,
            wait,
        )
    return inbox.next_attempt_at


def _inbox_answered(inbox_id: str) -> None:
    """The inbox took a delivery or answered about a record: its circuit closes (in the caller's transaction)."""
    inbox = db.session.get(DeliveryInbox, inbox_id, with_for_update=_locking())
    if inbox is None or not inbox.failures:
        return
    now = utcnow()
    if inbox.state == InboxState.PAUSED:
        log.warning(
            "delivery inbox resumed inbox=%s paused_for_s=%.0f failures=%s",
            inbox_id,
            (now - inbox.paused_at).total_seconds() if inbox.paused_at else 0,
            inbox.failures,
        )
    inbox.state, inbox.failures, inbox.next_attempt_at, inbox.paused_at, inbox.resumed_at = (
        InboxState.WORKING,
        0,
        None,
        None,
        now,
    )


def _locking() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _open_count(inbox_id: str) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.inbox_id == inbox_id, Delivery.status.in_(OPEN))
        )
        or 0
    )


def _release(ids: list[str], worker: str) -> None:
    """Give back claimed records not tried (behind a failure): due again, in their place."""
    if ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == DeliveryStatus.DELIVERING, Delivery.claimed_by == worker)
            .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_until=None)
        )
        db.session.commit()


def _margin(record, lease_seconds: float) -> float:
    """Lease left that a record behind the head needs before it is sent (another worker takes over when the
    lease runs out): a webhook its whole deadline and the safety margin, any other a second."""
    if record.channel == "webhook":
        return webhook.timeout_seconds() + safety_seconds(lease_seconds)
    return 1.0


def _deliver_queue(ids: list[str], worker: str) -> list[str]:
    """Send one inbox's claimed records in order; stop at the first that does not arrive and give back the
    rest. Each is marked delivered (one commit) as soon as it has arrived. Returns the outcomes."""
    records = {r.id: r for r in db.session.execute(select(Delivery.__table__).where(Delivery.id.in_(ids)))}
    documents = webhook.documents([records[i] for i in ids if i in records and records[i].channel == "webhook"])
    first = records.get(ids[0]) if ids else None
    failing = first is not None and bool(
        db.session.scalar(select(DeliveryInbox.failures).where(DeliveryInbox.inbox_id == first.inbox_id))
    )
    db.session.commit()  # no transaction held open while sending
    lease_seconds = current_app.config["PORTAL"].delivery_lease_seconds
    outcomes = []
    for position, delivery_id in enumerate(ids):
        record = records.get(delivery_id)
        if record is None or record.status != DeliveryStatus.DELIVERING or record.claimed_by != worker:
            outcomes.append("skipped")
            break
        logs.set_request_id(record.request_id)  # this delivery's lines (and its webhook) carry the submitter's id
        left = (record.claimed_until - utcnow()).total_seconds() if record.claimed_until else 0.0
        if position and left < _margin(record, lease_seconds):
            break  # the lease is running out: the rest waits for the next claim
        # The request's overall deadline: its own, but ending well before the lease does.
        seconds = min(webhook.timeout_seconds(), left - safety_seconds(lease_seconds))
        try:
            channel = CHANNELS.get(record.channel)
            if channel is None:
                raise ChannelUnavailable(record.channel)
            if record.channel == "webhook":
                if seconds <= 0:
                    break  # claimed too late to send within the lease: given back, due again at once
                channel(record, document=documents.get(record.id), seconds=seconds)
            else:
                channel(record)
        except Exception as exc:  # any failure: keep the record, try again later
            db.session.rollback()
            outcomes.append(_failed(record, worker, exc))
            break
        result = rowcounted(
            db.session.execute(
                _MARK_DELIVERED,
                {"record": record.id, "worker": worker, "at": utcnow(), "attempts": record.attempts + 1},
            )
        )
        if result.rowcount != 1:  # the lease ran out and another worker took over: it delivers again
            db.session.rollback()
            outcomes.append("skipped")
            break
        if failing:
            _inbox_answered(record.inbox_id)
            failing = False
        db.session.commit()
        log.info("delivered delivery=%s channel=%s", record.id, record.channel)
        outcomes.append("delivered")
    logs.set_request_id(None)
    _release(ids[len(outcomes) :], worker)
    return outcomes


def deliver(delivery_id: str, worker: str) -> str:
    """Deliver one claimed record; "skipped" unless ``worker`` holds its claim."""
    outcomes = _deliver_queue([delivery_id], worker)
    return outcomes[0] if outcomes else "skipped"


def run_once(worker: str | None = None, limit: int = BATCH, batch: int = BATCH) -> int:
    """Claim what is due and deliver it; returns how many were delivered."""
    worker = worker or worker_name()
    return sum(
        outcome == "delivered" for ids in _claim(worker, limit, batch) for outcome in _deliver_queue(ids, worker)
    )


def run_forever(app, interval: float = 1.0, stop=None) -> None:
    """Delivery rounds until ``stop`` (the demo stack's and the bench's worker; ``portal worker`` runs
    them with its heartbeat, portal/ops/heartbeat.py)."""
    worker = worker_name()
    run_rounds(app, lambda: run_once(worker), name="worker", interval=interval, stop=stop)


def stuck() -> list[Delivery]:
    """For administrators: what has not arrived, oldest first."""
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.DEAD)))
            .order_by(Delivery.created_at)
        )
    )


# --- administrators ----------------------------------------------------------------------------------


class NotRequeueable(Exception):
    """Only a dead letter can be put back in its queue."""


def requeue(delivery_id: str, reason: str) -> Delivery:
    """Put a dead letter back in its inbox's queue, with the administrator's reason (and an audit row, in the
    same transaction). Being older than what its inbox has had since, it is that inbox's head again: due now,
    or at the inbox's next attempt while the inbox backs off or is paused."""

    delivery = db.session.get(Delivery, delivery_id, with_for_update=_locking())
    if delivery is None or delivery.status != DeliveryStatus.DEAD:
        db.session.rollback()
        raise NotRequeueable(delivery_id)
    now = utcnow()
    held = db.session.scalar(
        select(DeliveryInbox.next_attempt_at).where(
            DeliveryInbox.inbox_id == delivery.inbox_id, DeliveryInbox.failures > 0
        )
    )
    delivery.status, delivery.refusals, delivery.claimed_by, delivery.claimed_until = (
        DeliveryStatus.PENDING,
        0,
        None,
        None,
    )
    delivery.next_attempt_at = max(now, held) if held else now
    delivery.requeued_at, delivery.requeue_reason = now, reason[:200]
    applicant = db.session.scalar(select(Application.applicant_id).where(Application.id == delivery.application_id))
    audit(
        "requeue",
        "delivery",
        delivery.id,
        "administrator puts a dead-lettered delivery back in its queue",
        subject_id=applicant,
    )
    db.session.commit()
    log.warning("delivery requeued delivery=%s inbox=%s", delivery.id, delivery.inbox_id)
    return delivery


def retry_inbox_now(inbox_id: str) -> int:
    """An administrator's "try again now" for an inbox that backs off or is paused (say its municipality says
    the system is back): its head is due at once. Returns how many records were made due (0 or 1)."""

    now = utcnow()
    inbox = db.session.get(DeliveryInbox, inbox_id, with_for_update=_locking())
    if inbox is not None:
        inbox.next_attempt_at = now
    head = db.session.scalar(
        select(Delivery.id)
        .where(Delivery.inbox_id == inbox_id, Delivery.status.in_(OPEN))
        .order_by(Delivery.created_at, Delivery.id)
        .limit(1)
    )
    made_due = 0
    if head is not None:
        made_due = rowcounted(
            db.session.execute(
                update(Delivery)
                .where(Delivery.id == head, Delivery.status == DeliveryStatus.PENDING)
                .values(next_attempt_at=now)
            )
        ).rowcount
    audit("retry", "delivery_inbox", inbox_id, "administrator asks for a new delivery attempt now")
    db.session.commit()
    log.warning("delivery inbox retry requested inbox=%s", inbox_id)
    return made_due
