"""Appeals: sending one (signed), the municipality's reconsideration and its forwarding to the court.

Every operation adds a timeline event (``appealed``, ``appeal_reconsidered``, ``appeal_forwarded``: listed in
the API's events and on both sides' case pages), audits the change with actor and subject, and commits once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal import clock
from portal.appeal.deadline import appeal_deadline
from portal.appeal.models import Appeal
from portal.appeal.pdf import render_appeal
from portal.appeal.states import RECONSIDERATIONS, AppealStatus, DeadlineBasis
from portal.application.models import Application
from portal.application.services import lock
from portal.application.states import APPEALABLE
from portal.audit.services import record
from portal.case import services as case
from portal.case.models import Decision
from portal.db import utcnow
from portal.delivery.models import Delivery
from portal.extensions import db
from portal.routing.config import routing_config
from portal.submission.models import FrozenDocument
from portal.submission.services import frozen_document

TEXT_MAX = 5000
OPINION_MAX = 10000
SCHEMA_VERSION = "appeal-1.0.0"


class AppealError(case.CaseError):
    """Reasons: already_appealed, not_appealable, text_missing, wrong_state, unknown_outcome, opinion_missing,
    date_future."""


@dataclass(frozen=True)
class Deadline:
    day: date  # the last day the appeal arrives in time
    basis: DeadlineBasis  # what the three weeks run from
    start: date  # the served date, or the decision's (Swedish) date

    @property
    def passed(self) -> bool:
        return clock.today() > self.day


def deadline_of(decision: Decision) -> Deadline:
    """Three weeks from the served date. Not yet served: counted from the decision's date, which can only be
    earlier than the person's taking part of it, so the date shown is never later than the real one (the page
    says so); the municipality judges lateness from the served date when it comes."""
    if decision.served_on is not None:
        return Deadline(appeal_deadline(decision.served_on), DeadlineBasis.SERVED, decision.served_on)
    decided = decision.decided_at.astimezone(clock.SWEDEN).date()
    return Deadline(appeal_deadline(decided), DeadlineBasis.DECIDED, decided)


def of_decision(decision_id: str) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.decision_id == decision_id))


def of_application(application: Application) -> list[Appeal]:
    return list(
        db.session.scalars(select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.sent_at))
    )


def may_appeal(application: Application, decision: Decision) -> bool:
    return application.status in APPEALABLE and of_decision(decision.id) is None


def _document_body(application: Application, decision: Decision, appeal: Appeal, signer_name: str) -> dict:
    return {
        "documentType": "appeal",
        "reference": application.reference,
        "caseNumber": application.case_number,
        "decision": {
            "id": decision.id,
            "decidedAt": decision.decided_at.isoformat(),
            "outcome": decision.outcome,
            "documentSha256": decision.document_sha256,
            "servedOn": decision.served_on.isoformat() if decision.served_on else None,
            "servedChannel": decision.served_channel,
        },
        "appeal": {
            "id": appeal.id,
            "change": appeal.change,
            "reasons": appeal.reasons,
            "language": appeal.language,
            "signedBy": signer_name,
            "signedAt": appeal.signed_at.isoformat(),
            "sentAt": appeal.sent_at.isoformat(),
            "deadline": appeal.deadline.isoformat(),
            "deadlineBasis": appeal.deadline_basis,
            "late": appeal.late,
        },
    }


def _freeze(application: Application, body: dict):
    """The appeal as a new document version of the case, referring to the application's own document."""
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
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    frozen = FrozenDocument(
        application_id=application.id,
        version=latest + 1,
        refers_to=original.id if original else None,
        schema_version=SCHEMA_VERSION,
        language=body["appeal"]["language"],
        body=raw.decode("utf-8"),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    db.session.add(frozen)
    db.session.flush()
    return frozen


def _push(application: Application, frozen) -> None:
    """A municipality whose inbox is a webhook gets the appeal pushed like an application (its own delivery,
    keyed by the version); an inbox or pull municipality finds it in the inbox, the events and the documents."""
    inbox = routing_config().inboxes.get(application.inbox_id or "")
    if inbox is None or inbox.channel != "webhook":
        return
    db.session.add(
        Delivery(
            application_id=application.id,
            municipality_code=application.municipality_code,
            inbox_id=inbox.id,
            channel="webhook",
            idempotency_key=f"{application.reference}/v{frozen.version}",
            created_at=utcnow(),
        )
    )


def send(
    application: Application,
    decision: Decision,
    change: str,
    reasons: str,
    signed_by: str,
    signer_name: str,
    signed_at: datetime,
    language: str,
) -> Appeal:
    """The signed appeal: frozen as a document version (JSON) with its PDF, on the timeline, pushed to a
    webhook inbox. Late is accepted and marked late (the municipality judges it)."""
    if decision.application_id != application.id:
        raise AppealError("not_appealable")
    lock(application)  # two signings at once make one appeal
    if application.status not in APPEALABLE:
        raise AppealError("wrong_state")
    if of_decision(decision.id) is not None:
        raise AppealError("already_appealed")
    change, reasons = (change or "").strip(), (reasons or "").strip()
    if not change or not reasons:
        raise AppealError("text_missing")
    due = deadline_of(decision)
    now = utcnow()
    appeal = Appeal(
        application_id=application.id,
        decision_id=decision.id,
        municipality_code=application.municipality_code,
        status=AppealStatus.SENT,
        change=change[:TEXT_MAX],
        reasons=reasons[:TEXT_MAX],
        language=language[:10],
        signed_by=signed_by,
        signed_at=signed_at,
        sent_at=now,
        deadline=due.day,
        deadline_basis=due.basis,
        late=now.astimezone(clock.SWEDEN).date() > due.day,
        document=b"",
        document_sha256="",
        document_version=0,
    )
    db.session.add(appeal)
    db.session.flush()
    frozen = _freeze(application, _document_body(application, decision, appeal, signer_name))
    appeal.document_version = frozen.version
    appeal.document = render_appeal(application, decision, appeal, signer_name)
    appeal.document_sha256 = hashlib.sha256(appeal.document).hexdigest()
    _push(application, frozen)
    case.event(
        application,
        "appealed",
        case.APPLICANT,
        {
            "appeal_id": appeal.id,
            "decision_id": decision.id,
            "deadline": due.day.isoformat(),
            "late": appeal.late,
            "document_version": frozen.version,
        },
    )
    record(
        "appeal",
        "application",
        application.id,
        "appeal signed and sent" + (" (late)" if appeal.late else ""),
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return appeal


def reconsider(appeal: Appeal, outcome: str, note: str, by: str, source: str = case.MUNICIPALITY) -> None:
    """Omprövning (förvaltningslagen 39 §): the municipality keeps or changes the decision, and says why."""
    if appeal.status != AppealStatus.SENT:
        raise AppealError("wrong_state")
    if outcome not in RECONSIDERATIONS:
        raise AppealError("unknown_outcome")
    note = (note or "").strip()
    if not note:
        raise AppealError("note_missing")
    application = db.session.get_one(Application, appeal.application_id)
    appeal.status, appeal.reconsideration, appeal.reconsideration_note = (
        AppealStatus.RECONSIDERED,
        outcome,
        note[:TEXT_MAX],
    )
    appeal.reconsidered_by, appeal.reconsidered_at = by[:200], utcnow()
    case.event(application, "appeal_reconsidered", source, {"appeal_id": appeal.id, "outcome": outcome})
    case.notify(application, "appeal_reconsidered")
    record(
        "change", "application", application.id, f"appeal reconsidered: {outcome}", subject_id=application.applicant_id
    )
    db.session.commit()


def forward(
    appeal: Appeal, opinion: str, by: str, forwarded_on: date | None = None, source: str = case.MUNICIPALITY
) -> None:
    """Sent on to förvaltningsrätten with the municipality's opinion (yttrande), on ``forwarded_on`` (today by
    default). The transfer itself is the municipality's (e-service or post to the court): the portal records it."""
    if appeal.status != AppealStatus.RECONSIDERED:
        raise AppealError("wrong_state")
    opinion = (opinion or "").strip()
    if not opinion:
        raise AppealError("opinion_missing")
    forwarded_on = forwarded_on or clock.today()
    if forwarded_on > clock.today():
        raise AppealError("date_future")
    application = db.session.get_one(Application, appeal.application_id)
    appeal.status, appeal.opinion, appeal.forwarded_on, appeal.forwarded_by = (
        AppealStatus.FORWARDED,
        opinion[:OPINION_MAX],
        forwarded_on,
        by[:200],
    )
    case.event(
        application, "appeal_forwarded", source, {"appeal_id": appeal.id, "forwarded_on": forwarded_on.isoformat()}
    )
    case.notify(application, "appeal_forwarded")
    record(
        "change",
        "application",
        application.id,
        "appeal forwarded to the administrative court",
        subject_id=application.applicant_id,
    )
    db.session.commit()
