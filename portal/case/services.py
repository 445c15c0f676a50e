"""Case handling: one set of operations for the built-in inbox, for municipality systems over
the API, and for the applicant. Views and API handlers stay thin over these.

Every operation records a timeline event (``ApplicationEvent``) with its source, audits the
change with actor and subject, and, when the applicant needs to know, writes a notification to
the notification outbox in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal import clock
from portal.application.models import Application, ApplicationEvent
from portal.application.services import lock
from portal.application.states import FINISHED, OPEN_CASE, REGISTERED, ApplicationStatus, WrongState, move
from portal.attachments.models import Attachment
from portal.audit.services import record
from portal.case.models import (
    CaseNumberSeries,
    ContactDetails,
    Decision,
    Message,
    Notification,
    Payment,
    SupplementRequest,
)
from portal.case.states import GRANTING, DecisionOutcome, PaymentState
from portal.db import rowcounted, utcnow
from portal.delivery.models import Delivery
from portal.extensions import db
from portal.information.models import InformationItem
from portal.mandates.services import reading_messages_for
from portal.routing.config import routing_config
from portal.routing.services import NotReceiving, UnknownMunicipality, ensure_receiving, route
from portal.submission.models import FrozenDocument

log = logging.getLogger(__name__)

APPLICANT = "applicant"
MUNICIPALITY = "municipality"
SYSTEM = "system"

# Events that ask something of the applicant or bring a result: they trigger a notification.
NOTIFYING = {
    "received",
    "forwarded",
    "supplement_requested",
    "interim_reply",
    "decision",
    "payment",
    "not_handled",
    "message",
}  # "served" (portal/delgivning) is not news: the decision was


class CaseError(Exception):
    """The operation does not fit the case's state; ``reason`` is a stable key for a message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- the timeline ----------------------------------------------------------------------------


def event(application: Application, kind: str, source: str, data: dict | None = None) -> ApplicationEvent:
    """Add a timeline event; notify the applicant when it is news for them."""
    entry = ApplicationEvent(kind=kind, source=source, data=data or None)
    application.events.append(entry)
    if kind in NOTIFYING and source != APPLICANT:
        notify(application, kind)
    return entry


def notify(application: Application, reason: str, person_id: str | None = None) -> None:
    """Queue "there is news" for the applicant and whoever reads their messages under a mandate (or only
    ``person_id``: a co-applicant whose signature is awaited) on the channels each chose. The text never says
    what the news is (see portal/case/notify.py); only the reason is kept, for statistics."""
    people = [person_id] if person_id else [application.applicant_id, *reading_messages_for(application.applicant_id)]
    for to in dict.fromkeys(people):  # once each, in order
        contact = db.session.get(ContactDetails, to)
        if contact is None:
            continue
        if contact.email and contact.notify_email:
            db.session.add(Notification(person_id=to, application_id=application.id, channel="email", reason=reason))
        if contact.phone and contact.notify_sms:
            db.session.add(Notification(person_id=to, application_id=application.id, channel="sms", reason=reason))


def _require(application: Application, *states: str) -> None:
    if application.status not in states:
        raise CaseError("wrong_state")


def _move(application: Application, to: ApplicationStatus) -> None:
    try:
        move(application, to)
    except WrongState:
        raise CaseError("wrong_state") from None


def _audit(action: str, application: Application, purpose: str) -> None:
    record(action, "application", application.id, purpose, subject_id=application.applicant_id)


# --- arrival registration ----------------------------------------------------------------------


def next_case_number(municipality_code: str, year: int) -> str:
    """The next number in the municipality's series for the year, gap-free: the increment is a
    row-locking UPDATE inside the registering transaction, so a rolled-back registration gives
    its number back and two concurrent ones queue on the row."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CaseNumberSeries).values(municipality_code=municipality_code, year=year, last=0).on_conflict_do_nothing()
    )
    number = db.session.execute(
        update(CaseNumberSeries)
        .where(CaseNumberSeries.municipality_code == municipality_code, CaseNumberSeries.year == year)
        .values(last=CaseNumberSeries.last + 1)
        .returning(CaseNumberSeries.last)
    ).scalar_one()
    return f"EB-{year}-{number:06d}"


def register(application: Application, source: str = MUNICIPALITY) -> str:
    """Ankomstregistrering: the arrival time and a case number from the municipality's series.
    From then the application is an allmän handling and the applicant sees "received" with
    the number. A repeat returns the number already given."""
    # Lock the application's row and read it afresh, so that registrations of the same application
    # at the same moment (two caseworkers, a double click, the inbox and the API) give one number
    # and take no more from the series.
    db.session.flush()
    lock(application)
    if application.case_number and application.status != ApplicationStatus.SUBMITTED:
        return application.case_number
    _require(application, ApplicationStatus.SUBMITTED)
    now = utcnow()
    _move(application, ApplicationStatus.RECEIVED)
    application.received_at = now
    # The year of the case number is the Swedish year: a case registered at 00:30 on New Year's Day is
    # next year's, although it is still 31 December in UTC.
    assert application.municipality_code is not None  # sent, so routed to a municipality
    number = next_case_number(application.municipality_code, now.astimezone(clock.SWEDEN).year)
    application.case_number = number
    event(application, "received", source, {"case_number": number})
    _audit("register", application, "arrival registration")
    db.session.commit()
    return number


# --- handling -----------------------------------------------------------------------------------


def start_handling(application: Application, source: str = MUNICIPALITY) -> None:
    _require(application, ApplicationStatus.RECEIVED)
    _move(application, ApplicationStatus.UNDER_HANDLING)
    event(application, "under_handling", source)
    _audit("change", application, "handling started")
    db.session.commit()


def assign(application: Application, staff_id: str, name: str, source: str = MUNICIPALITY) -> None:
    """A caseworker takes the case; received cases go under handling with it. The applicant is
    told that a caseworker handles it, not who (names reach them with messages and decisions)."""
    _require(application, *REGISTERED)
    application.assigned_to = staff_id
    application.assigned_name = name
    if application.status == ApplicationStatus.RECEIVED:
        _move(application, ApplicationStatus.UNDER_HANDLING)
    event(application, "assigned", source)
    _audit("change", application, "assigned to a caseworker")
    db.session.commit()


def forward(
    application: Application, to_municipality: str, to_inbox: str | None, reason: str, source: str = MUNICIPALITY
) -> None:
    """Send the case on to another unit of the municipality or to another municipality. The
    sending unit loses access at once. Another municipality receives it as a new delivery and
    registers it in its own series."""
    _require(application, *OPEN_CASE)
    reason = reason.strip()
    if not reason:
        raise CaseError("reason_missing")
    try:
        ensure_receiving(to_municipality)
    except (NotReceiving, UnknownMunicipality):
        raise CaseError("not_receiving") from None
    if to_inbox:
        target = inboxes_of(to_municipality).get(to_inbox)
        if target is None:
            raise CaseError("unknown_inbox")
    else:
        target = route(
            to_municipality, None if application.protected else application.postal_code, protected=application.protected
        ).inbox
    if to_municipality == application.municipality_code and target.id == application.inbox_id:
        raise CaseError("same_inbox")
    data = {
        "from_municipality": application.municipality_code,
        "to_municipality": to_municipality,
        "to_inbox": target.id,
        "reason": reason,
    }
    if to_municipality != application.municipality_code:
        count = sum(1 for e in application.events if e.kind == "forwarded") + 1
        db.session.add(
            Delivery(
                application_id=application.id,
                municipality_code=to_municipality,
                inbox_id=target.id,
                channel=target.channel,
                idempotency_key=f"{application.reference}/v1/forward-{count}",
            )
        )
        application.municipality_code = to_municipality
        _move(application, ApplicationStatus.SUBMITTED)
        application.case_number = None
        application.received_at = None
    application.inbox_id = target.id
    application.assigned_to = application.assigned_name = None
    event(application, "forwarded", source, data)
    _audit("forward", application, f"forwarded to {to_municipality}/{target.id}")
    db.session.commit()


def inboxes_of(municipality_code: str | None) -> dict:
    """The municipality's inboxes (units) by id; empty for one that is not configured."""
    entry = routing_config().municipalities.get(municipality_code) if municipality_code is not None else None
    return dict(entry.inboxes) if entry else {}


def request_supplement(
    application: Application,
    what: str,
    why: str,
    due_date: date,
    requested_by: str,
    item_id: int | None = None,
    source: str = MUNICIPALITY,
) -> SupplementRequest:
    """Komplettering: what is needed, why, and by when; optionally about one fetched item."""
    _require(application, *REGISTERED)
    if due_date < clock.today():
        raise CaseError("due_date_past")
    if item_id is not None:
        item = db.session.get(InformationItem, item_id)
        if item is None or item.application_id != application.id:
            raise CaseError("unknown_item")
    request = SupplementRequest(
        application_id=application.id,
        what=what.strip(),
        why=why.strip(),
        due_date=due_date,
        item_id=item_id,
        requested_by=requested_by,
    )
    db.session.add(request)
    db.session.flush()
    event(application, "supplement_requested", source, {"request_id": request.id, "due_date": due_date.isoformat()})
    _audit("change", application, "supplement requested")
    db.session.commit()
    return request


def open_requests(application: Application) -> list[SupplementRequest]:
    return [r for r in requests(application) if r.is_open]


def requests(application: Application) -> list[SupplementRequest]:
    return list(
        db.session.scalars(
            select(SupplementRequest)
            .where(SupplementRequest.application_id == application.id)
            .order_by(SupplementRequest.requested_at)
        )
    )


def answer_request(request: SupplementRequest, text: str, attachment_ids: Sequence[str] = (), source: str = APPLICANT):
    """The applicant answers with text and files. The answer is frozen as a new document that
    refers to the application's, with its own digest, and the caseworker sees the case as
    supplemented until they open it."""
    application = db.session.get_one(Application, request.application_id)
    _require(application, *OPEN_CASE)
    if not request.is_open:
        raise CaseError("already_answered")
    text = text.strip()
    found = [db.session.get(Attachment, a) for a in attachment_ids]
    files = [f for f in found if f is not None]
    if len(files) < len(found) or any(
        f.application_id != application.id or f.message_id or (f.request_id and f.request_id != request.id)
        for f in files
    ):
        raise CaseError("unknown_attachment")
    if not text and not files:
        raise CaseError("answer_empty")
    for file in files:
        file.request_id = request.id
    request.answer = text
    request.answered_at = utcnow()
    frozen = freeze_supplement(application, request, files)
    request.document_id = frozen.id
    event(application, "supplement_answered", source, {"request_id": request.id})
    _audit("change", application, "supplement request answered")
    db.session.commit()
    return frozen


def freeze_supplement(application: Application, request: SupplementRequest, files: list):
    """A later supplement: a new, immutable document version referring to the first."""
    # portal.submission.services reads portal.exchange, which imports portal.calculation.services, which
    # imports this module (cycle)
    from portal.submission.services import frozen_document

    original = frozen_document(application)
    latest = (
        db.session.scalar(
            select(FrozenDocument.version)
            .where(FrozenDocument.application_id == application.id)
            .order_by(FrozenDocument.version.desc())
            .limit(1)
        )
        or 1
    )
    answered_at = request.answered_at
    assert answered_at is not None  # frozen once answered
    body = {
        "documentType": "supplement",
        "reference": application.reference,
        "refersTo": {"version": original.version, "sha256": original.sha256} if original else None,
        "request": {"id": request.id, "what": request.what, "dueDate": request.due_date.isoformat()},
        "answer": {
            "text": request.answer,
            "answeredAt": answered_at.isoformat(),
            "attachments": [
                {"id": f.id, "name": f.original_name, "mediaType": f.media_type, "size": f.size, "sha256": f.sha256}
                for f in files
            ],
        },
    }
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    frozen = FrozenDocument(
        application_id=application.id,
        version=latest + 1,
        refers_to=original.id if original else None,
        schema_version="supplement-1.0.0",
        language=application.language or "sv",
        body=raw.decode("utf-8"),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    db.session.add(frozen)
    db.session.flush()
    return frozen


def mark_answer_seen(request: SupplementRequest) -> None:
    """Commits even when the answer was seen before: a caller holding the application's row lock is done."""
    if request.answered_at and request.answer_seen_at is None:
        request.answer_seen_at = utcnow()
    db.session.commit()


def interim_reply(application: Application, text: str, expected_by: date | None, source: str = MUNICIPALITY) -> None:
    """Förlopande besked: the case takes longer; when the applicant can expect a decision."""
    _require(application, *REGISTERED)
    data = {"text": text.strip()}
    if expected_by:
        data["expected_by"] = expected_by.isoformat()
    event(application, "interim_reply", source, data)
    _audit("change", application, "interim reply")
    db.session.commit()


def decide(
    application: Application,
    outcome: str,
    reasoning: str,
    decided_by: str,
    amount: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    document: bytes | None = None,
    source: str = MUNICIPALITY,
) -> Decision:
    """The decision (beslut). Granted and partly granted need an amount and a period. A system
    sends its own decision PDF; the built-in inbox renders one (portal/case/pdf.py)."""
    _require(application, *REGISTERED)
    if outcome not in set(DecisionOutcome):
        raise CaseError("unknown_outcome")
    if outcome in GRANTING:
        if amount is None or amount <= 0:
            raise CaseError("amount_missing")
        if period_start is None or period_end is None or period_end < period_start:
            raise CaseError("period_missing")
    else:
        amount = period_start = period_end = None
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        amount=amount,
        period_start=period_start,
        period_end=period_end,
        reasoning=reasoning.strip(),
        decided_by=decided_by,
        decided_at=utcnow(),
        document=b"",
        document_sha256="",
    )
    # portal.calculation.services imports this module (cycle)
    from portal.calculation.services import final

    decision.calculation_lines = final(application)  # the lines as they stand now, each accepted or changed
    if document is None:
        # portal.case.pdf reads portal.exchange, which imports portal.calculation.services, which imports this
        # module (cycle)
        from portal.case.pdf import render_decision

        document = render_decision(application, decision)
    elif not document.startswith(b"%PDF-"):
        raise CaseError("not_a_pdf")
    decision.document = document
    decision.document_sha256 = hashlib.sha256(document).hexdigest()
    db.session.add(decision)
    db.session.flush()
    _move(application, ApplicationStatus.DECIDED)
    application.decided_at = decision.decided_at
    data: dict = {"decision_id": decision.id, "outcome": outcome}
    if decision.calculation_lines is not None:
        data["calculation_lines"] = decision.calculation_lines  # the event tells systems the lines decided on
    event(application, "decision", source, data)
    # portal.delgivning is a layer above the case (pyproject.toml, ignore_imports)
    from portal.delgivning.services import enqueue

    enqueue(application, decision)  # served on the person by the worker: digital mail, else paper
    _audit("decide", application, f"decision: {outcome}")
    db.session.commit()
    return decision


def decisions(application: Application) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision).where(Decision.application_id == application.id).order_by(Decision.decided_at)
        )
    )


def report_payment(
    application: Application,
    amount: int,
    due_date: date,
    state: str,
    external_ref: str | None = None,
    source: str = MUNICIPALITY,
) -> Payment:
    """Payment planned, paid, stopped or cancelled. The same ``external_ref`` updates the one
    payment, so a system may report each change."""
    if application.status != ApplicationStatus.DECIDED:
        raise CaseError("wrong_state")
    if state not in set(PaymentState):
        raise CaseError("unknown_state")
    if amount <= 0:
        raise CaseError("amount_missing")
    payment = None
    if external_ref:
        payment = db.session.scalar(
            select(Payment).where(Payment.application_id == application.id, Payment.external_ref == external_ref)
        )
    if payment is None:
        payment = Payment(
            application_id=application.id, external_ref=external_ref, amount=amount, due_date=due_date, state=state
        )
        db.session.add(payment)
    else:
        payment.amount, payment.due_date, payment.state = amount, due_date, state
    db.session.flush()
    event(
        application,
        "payment",
        source,
        {"payment_id": payment.id, "state": state, "amount": amount, "due_date": due_date.isoformat()},
    )
    _audit("change", application, f"payment {state}")
    db.session.commit()
    return payment


def payments(application: Application) -> list[Payment]:
    return list(
        db.session.scalars(select(Payment).where(Payment.application_id == application.id).order_by(Payment.due_date))
    )


def close(application: Application, source: str = MUNICIPALITY) -> None:
    _require(application, ApplicationStatus.DECIDED)
    _move(application, ApplicationStatus.CLOSED)
    application.closed_at = utcnow()
    event(application, "closed", source)
    _audit("change", application, "case closed")
    db.session.commit()


def not_handled(application: Application, reason: str, source: str = MUNICIPALITY) -> None:
    """The municipality will not handle the application (e.g. a duplicate); the reason is shown."""
    _require(application, *OPEN_CASE)
    if not reason.strip():
        raise CaseError("reason_missing")
    _move(application, ApplicationStatus.NOT_HANDLED)
    application.closed_at = utcnow()
    event(application, "not_handled", source, {"reason": reason.strip()})
    _audit("change", application, "will not be handled")
    db.session.commit()


def withdraw(application: Application, reason: str | None = None) -> None:
    """The applicant takes the application back before a decision. It stays with the
    municipality as a record (an allmän handling), marked withdrawn."""
    if application.status in FINISHED or application.status == ApplicationStatus.DECIDED:
        raise CaseError("wrong_state")
    _require(application, *OPEN_CASE)
    _move(application, ApplicationStatus.WITHDRAWN)
    application.closed_at = utcnow()
    event(application, "withdrawn", APPLICANT, {"reason": reason.strip()} if reason and reason.strip() else None)
    _audit("change", application, "withdrawn by the applicant")
    db.session.commit()


# --- messages -----------------------------------------------------------------------------------


def send_message(
    application: Application,
    sender: str,
    author_name: str,
    body: str,
    reply_requested: bool = False,
    in_reply_to: str | None = None,
    attachment_ids: Sequence[str] = (),
    document_requirement: str | None = None,
) -> Message:
    """A message on a sent application, either way, with files. Only a municipality's message
    can ask for a reply."""
    if application.is_draft or application.awaiting_cosignature or application.status in FINISHED:
        raise CaseError("wrong_state")
    body = body.strip()
    if not body:
        raise CaseError("message_empty")
    if sender not in (APPLICANT, MUNICIPALITY):
        raise CaseError("unknown_sender")
    if in_reply_to is not None:
        original = db.session.get(Message, in_reply_to)
        if original is None or original.application_id != application.id:
            raise CaseError("unknown_message")
    found = [db.session.get(Attachment, a) for a in attachment_ids]
    files = [f for f in found if f is not None]
    if len(files) < len(found) or any(
        f.application_id != application.id or f.message_id or f.request_id for f in files
    ):
        raise CaseError("unknown_attachment")
    message = Message(
        application_id=application.id,
        sender=sender,
        author_name=author_name,
        body=body,
        reply_requested=reply_requested and sender == MUNICIPALITY,
        in_reply_to=in_reply_to,
        document_requirement=document_requirement if sender == APPLICANT else None,
    )
    db.session.add(message)
    db.session.flush()
    for file in files:
        file.message_id = message.id
    event(application, "message", sender, {"message_id": message.id})
    _audit("message", application, f"message from {sender}")
    db.session.commit()
    return message


def messages(application: Application) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.application_id == application.id).order_by(Message.sent_at, Message.id)
        )
    )


def mark_read(application: Application, reader: str) -> int:
    """The reader (applicant or municipality) has seen the other side's messages."""
    other = MUNICIPALITY if reader == APPLICANT else APPLICANT
    result = rowcounted(
        db.session.execute(
            update(Message)
            .where(Message.application_id == application.id, Message.sender == other, Message.read_at.is_(None))
            .values(read_at=utcnow())
        )
    )
    db.session.commit()
    return result.rowcount


def unread(application: Application, reader: str) -> int:
    other = MUNICIPALITY if reader == APPLICANT else APPLICANT
    return sum(1 for m in messages(application) if m.sender == other and m.read_at is None)


# --- what the caseworker lists --------------------------------------------------------------------

FILTERS = ("all", "new", "mine", "waiting", "supplemented", "decided", "appealed")


def case_filter(query, name: str, staff_id: str | None):
    """Narrow an inbox query by one of ``FILTERS``."""
    answered_unseen = exists().where(
        SupplementRequest.application_id == Application.id,
        SupplementRequest.answered_at.is_not(None),
        SupplementRequest.answer_seen_at.is_(None),
    )
    waiting = exists().where(
        SupplementRequest.application_id == Application.id, SupplementRequest.answered_at.is_(None)
    )
    if name == "new":
        return query.where(Application.status == ApplicationStatus.SUBMITTED)
    if name == "mine":
        return query.where(Application.assigned_to == staff_id)
    if name == "waiting":
        return query.where(waiting, Application.status.in_(OPEN_CASE))
    if name == "supplemented":
        return query.where(answered_unseen)
    if name == "decided":
        return query.where(Application.status.in_((ApplicationStatus.DECIDED, ApplicationStatus.CLOSED)))
    if name == "appealed":  # an appeal the municipality has still to reconsider or forward (portal/appeal)
        # portal.appeal is a layer above the case (pyproject.toml, ignore_imports)
        from portal.appeal.models import Appeal
        from portal.appeal.states import AppealStatus

        return query.where(
            exists().where(Appeal.application_id == Application.id, Appeal.status != AppealStatus.FORWARDED)
        )
    return query
