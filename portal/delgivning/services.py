"""Serving decisions (delgivning), digital first, paper as the fallback.

:func:`enqueue` writes the service record in the decision's own transaction, so a decision is never without
one. The worker (:func:`serve_pending`, run beside the notifications) claims due records with a lease, asks
the digital-mail infrastructure whether the person has a mailbox, and sends the decision PDF as a secure
message under the record's id as ``Idempotency-Key`` (a try repeated after a crash gets the first receipt,
never a second message). The receipt's id and date are kept; the decision is then served digitally on the
receipt's (Swedish) date. No mailbox, a refused message, no service configured, or a service still failing
after :data:`MAX_ATTEMPTS` tries (about half an hour of backoff): the record goes to its municipality's print
queue, from which a caseworker takes a PDF/A batch to the post room and confirms it sent, which serves it by
post on that day. Nothing is dropped on the way: a record is only ever pending, in the print queue or served.
"""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portal import clock
from portal.application.models import Application
from portal.audit.services import record
from portal.auth.models import Person
from portal.case.models import Decision
from portal.case.pdf import OUTCOME_SV, kronor
from portal.case.services import event
from portal.db import rowcounted, utcnow
from portal.delgivning.mailbox import DigitalMail, MailboxError, NotReachable
from portal.delgivning.models import Delgivning
from portal.delgivning.states import DelgivningStatus, ServedChannel
from portal.exchange.pdf import ARCHIVED, write_pdf
from portal.extensions import db
from portal.routing.services import municipality

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6  # tries of the lookup and sending before the decision goes to paper
LEASE = timedelta(minutes=2)
SUBJECT = "Beslut om ekonomiskt bistånd"


def enqueue(application: Application, decision: Decision) -> Delgivning:
    """Inside the decision's transaction (no commit here)."""
    entry = Delgivning(
        decision_id=decision.id,
        application_id=application.id,
        municipality_code=application.municipality_code,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def backoff(attempts: int) -> timedelta:
    """About 30 s, 1, 2, 4, 8 minutes, with jitter: six tries take some 15 to 30 minutes in all."""
    ceiling = min(1800.0, 30.0 * 2 ** (attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def mail_service() -> DigitalMail | None:
    """The configured infrastructure; tests may put their own in ``app.extensions["portal.digitalmail"]``."""
    custom = current_app.extensions.get("portal.digitalmail")
    if custom is not None:
        return custom
    config = current_app.config["PORTAL"]
    if not config.digital_mail_url:
        return None
    return DigitalMail(config.digital_mail_url, config.digital_mail_token, timeout=config.smtp_timeout_seconds)


def _due(now: datetime):
    return or_(
        (Delgivning.status == DelgivningStatus.PENDING) & (Delgivning.next_attempt_at <= now),
        (Delgivning.status == DelgivningStatus.SENDING) & (Delgivning.next_attempt_at < now),
    )  # a worker died


def claim(limit: int = 20) -> list[str]:
    now = utcnow()
    candidates = list(
        db.session.scalars(select(Delgivning.id).where(_due(now)).order_by(Delgivning.next_attempt_at).limit(limit))
    )
    claimed = []
    for candidate in candidates:
        result = rowcounted(
            db.session.execute(
                update(Delgivning)
                .where(Delgivning.id == candidate, _due(now))
                .values(status=DelgivningStatus.SENDING, next_attempt_at=now + LEASE, attempts=Delgivning.attempts + 1)
            )
        )
        if result.rowcount == 1:
            claimed.append(candidate)
    db.session.commit()
    return claimed


def _swedish_day(moment: datetime) -> date:
    return moment.astimezone(clock.SWEDEN).date()


def _served(entry: Delgivning, channel: str, on: date, source: str, extra: dict | None = None) -> None:
    decision = db.session.get_one(Decision, entry.decision_id)
    application = db.session.get_one(Application, entry.application_id)
    decision.served_on, decision.served_channel = on, channel
    entry.status = DelgivningStatus.SERVED
    event(
        application,
        "served",
        source,
        {"decision_id": decision.id, "channel": channel, "served_on": on.isoformat(), **(extra or {})},
    )
    record("serve", "application", application.id, f"decision served ({channel})", subject_id=application.applicant_id)


def _to_paper(entry: Delgivning, reason: str) -> None:
    entry.status, entry.paper_reason, entry.queued_at = DelgivningStatus.PRINTING, reason, utcnow()
    log.info(
        "delgivning to the print queue delgivning=%s municipality=%s reason=%s",
        entry.id,
        entry.municipality_code,
        reason,
    )


def _parse_receipt_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    return moment if moment.tzinfo else utcnow()


def serve_one(entry_id: str) -> str:
    """One try for one claimed record; returns its status after the try."""
    entry = db.session.get(Delgivning, entry_id)
    if entry is None or entry.status != DelgivningStatus.SENDING:
        db.session.rollback()
        return "skipped"
    service = mail_service()
    if service is None:
        _to_paper(entry, "not_configured")
        db.session.commit()
        return entry.status
    decision = db.session.get_one(Decision, entry.decision_id)
    application = db.session.get_one(Application, entry.application_id)
    person = db.session.get_one(Person, application.applicant_id)
    # The lookup and the message read the person's number: audited as the service's own reading.
    record("read", "person", person.id, "delgivning: digital mailbox lookup", subject_id=person.id)
    assert application.municipality_code is not None  # a decided case, so routed to a municipality
    try:
        mailbox = service.reachable(person.personnummer)
        if mailbox is None:
            _to_paper(entry, "no_mailbox")
        else:
            entry.mailbox = mailbox[:80]
            receipt = service.send(
                person.personnummer,
                f"{SUBJECT} {application.case_number or ''}".strip(),
                municipality(application.municipality_code).name,
                f"beslut-{application.case_number or application.reference}.pdf",
                decision.document,
                key=f"delgivning/{entry.id}",
            )
            entry.receipt_id = str(receipt["id"])[:80]
            entry.delivered_at = delivered_at = _parse_receipt_time(str(receipt["deliveredAt"]))
            entry.last_error = None
            _served(
                entry,
                ServedChannel.DIGITAL,
                _swedish_day(delivered_at),
                "system",
                {"receipt_id": entry.receipt_id, "mailbox": entry.mailbox},
            )
    except NotReachable:
        _to_paper(entry, "no_mailbox")
    except MailboxError as exc:
        entry.last_error = exc.reason[:200]
        if exc.permanent:
            _to_paper(entry, "send_failed")
        elif entry.attempts >= MAX_ATTEMPTS:
            _to_paper(entry, "lookup_failed")
        else:
            entry.status, entry.next_attempt_at = DelgivningStatus.PENDING, utcnow() + backoff(entry.attempts)
            log.info(
                "delgivning not served yet delgivning=%s attempt=%s reason=%s", entry.id, entry.attempts, exc.reason
            )
    db.session.commit()
    return entry.status


def serve_pending(limit: int = 20) -> int:
    """Try what is due; returns how many records moved on (served or to paper). Needs an app context."""
    return sum(serve_one(entry_id) in (DelgivningStatus.SERVED, DelgivningStatus.PRINTING) for entry_id in claim(limit))


# --- the print queue ------------------------------------------------------------------------------


def print_queue(municipality_code: str) -> list[Delgivning]:
    return list(
        db.session.scalars(
            select(Delgivning)
            .where(Delgivning.municipality_code == municipality_code, Delgivning.status == DelgivningStatus.PRINTING)
            .order_by(Delgivning.queued_at)
        )
    )


def _queued(municipality_code: str, ids: list[str]) -> list[Delgivning]:
    entries = [e for e in print_queue(municipality_code) if e.id in set(ids)]
    if not ids or len(entries) != len(set(ids)):
        raise LookupError("not_in_queue")
    return entries


def batch_pdf(municipality_code: str, ids: list[str]) -> bytes:
    """The chosen letters as one PDF/A-2a for the post room: per letter a cover naming the recipient and
    the case, then the decision. Marks them printed (they stay in the queue until confirmed sent)."""
    letters = []
    for entry in _queued(municipality_code, ids):
        application = db.session.get_one(Application, entry.application_id)
        decision = db.session.get_one(Decision, entry.decision_id)
        person = db.session.get_one(Person, application.applicant_id)
        letters.append(
            {
                "application": application,
                "decision": decision,
                "name": f"{person.given_name} {person.family_name}",
                "outcome": OUTCOME_SV[decision.outcome],
                "amount": kronor(decision.amount) if decision.amount is not None else None,
                "decided_at": decision.decided_at.isoformat(),
                "month": application.period.strftime("%Y-%m"),
            }
        )
        entry.batch_printed_at = utcnow()
        record(
            "read",
            "application",
            application.id,
            "delgivning: decision printed for posting",
            subject_id=application.applicant_id,
        )
    pdf = write_pdf(
        "delgivning_batch.html",
        ARCHIVED,
        letters=letters,
        municipality=municipality(municipality_code).name,
        printed_on=clock.today().isoformat(),
    )
    db.session.commit()
    return pdf


def confirm_sent(municipality_code: str, ids: list[str], confirmed_by: str, sent_on: date | None = None) -> int:
    """The post room has posted these: each is served by post on ``sent_on`` (today by default)."""
    sent_on = sent_on or clock.today()
    if sent_on > clock.today():
        raise ValueError("date_future")
    entries = _queued(municipality_code, ids)
    for entry in entries:
        entry.confirmed_by = confirmed_by[:200]
        _served(entry, ServedChannel.PAPER, sent_on, "municipality")
    db.session.commit()
    return len(entries)


def of_decision(decision_id: str) -> Delgivning | None:
    return db.session.scalar(select(Delgivning).where(Delgivning.decision_id == decision_id))
