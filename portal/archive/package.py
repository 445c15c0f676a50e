"""The archive package (arkivpaket) of one case: what the municipality hands over to its e-archive.

A ZIP holding

- ``documents/application.pdf``: the application as sent, laid out from the frozen exchange document
  as PDF/A-2a (the same rendering as the caseworker's PDF);
- ``documents/decision-N.pdf``: each decision's document as it was made (already PDF/A-2a);
- ``documents/appeal-N.pdf``: each appeal as the person signed it (PDF/A-2a, portal/appeal);
- ``attachments/N-<name>``: the applicant's files as received (PDF, JPEG, PNG; not converted: the
  received file is the record);
- ``exchange/document-vN.json``: every frozen exchange document version, byte for byte as frozen;
- ``case/correspondence.json``: the messages both ways, the supplement requests with their answers' texts,
  the payments, every judgement of a calculation line (accepted or changed, the amounts, who, when, why) and
  the appeals' reconsideration and forwarding, as the portal holds them (they have no document of their own;
  the lines as proposed are in the exchange document, and each decision's final lines in ``description.xml``);
- ``description.xml``: the case's metadata, its timeline and every file above with its SHA-256
  (``portal.archive.description``, schema in ``portal/archive/schema/``).

Built in memory: a case holds at most 30 attachments of at most 10 MB (portal/attachments).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from portal import clock
from portal.appeal.models import Appeal
from portal.application.models import Application, ApplicationEvent
from portal.application.states import UNSENT
from portal.archive.description import describe
from portal.attachments.models import Attachment
from portal.attachments.storage import current_storage
from portal.calculation.services import changes
from portal.case.models import Decision, Message, Payment, SupplementRequest
from portal.exchange.pdf import render
from portal.extensions import db
from portal.submission.models import FrozenDocument

DESCRIPTION = "description.xml"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class NotArchivable(ValueError):
    """The application was never sent: there is no case to archive."""


@dataclass
class PackageFile:
    path: str
    data: bytes
    kind: str  # application | decision | attachment | exchange | correspondence
    media_type: str
    title: str
    created: datetime | None = None
    ref: str | None = None  # the record's own id (decision, attachment, document version)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Package:
    application: Application
    files: list[PackageFile] = field(default_factory=list)
    events: list[ApplicationEvent] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    created_at: datetime | None = None
    description: bytes = b""

    @property
    def name(self) -> str:
        """The file name: the case number (or the reference, before registration); no personal data."""
        return f"arkivpaket-{self.application.case_number or self.application.reference}.zip"

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        stamp = self.created_at.astimezone(clock.SWEDEN).timetuple()[:6] if self.created_at else (1980, 1, 1, 0, 0, 0)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, data in [(DESCRIPTION, self.description)] + [(f.path, f.data) for f in self.files]:
                info = zipfile.ZipInfo(path, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return buffer.getvalue()


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name).strip("._") or "fil"
    return cleaned[-80:]


def build(application: Application) -> Package:
    """Collect the case's documents and describe them. Raises NotArchivable for a draft."""
    if application.status in UNSENT or application.submitted_at is None:
        raise NotArchivable(application.id)
    package = Package(application=application, created_at=clock.now())
    frozen = list(
        db.session.scalars(
            select(FrozenDocument).where(FrozenDocument.application_id == application.id).order_by(FrozenDocument.id)
        )
    )
    first = next((f for f in frozen if f.refers_to is None), None)
    if first is not None:
        package.files.append(
            PackageFile(
                "documents/application.pdf",
                render(json.loads(first.body)),
                "application",
                "application/pdf",
                "Ansökan om ekonomiskt bistånd",
                first.created_at,
                ref=str(first.id),
            )
        )
    package.decisions = list(
        db.session.scalars(
            select(Decision).where(Decision.application_id == application.id).order_by(Decision.decided_at, Decision.id)
        )
    )
    for number, decision in enumerate(package.decisions, start=1):
        package.files.append(
            PackageFile(
                f"documents/decision-{number}.pdf",
                decision.document,
                "decision",
                "application/pdf",
                "Beslut om ekonomiskt bistånd",
                decision.decided_at,
                ref=decision.id,
            )
        )
    appeals = db.session.scalars(
        select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.sent_at, Appeal.id)
    )
    for number, appeal in enumerate(appeals, start=1):
        package.files.append(
            PackageFile(
                f"documents/appeal-{number}.pdf",
                appeal.document,
                "appeal",
                "application/pdf",
                "Överklagande",
                appeal.sent_at,
                ref=appeal.id,
            )
        )
    storage = current_storage()
    attachments = db.session.scalars(
        select(Attachment)
        .where(Attachment.application_id == application.id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    for number, attachment in enumerate(attachments, start=1):
        package.files.append(
            PackageFile(
                f"attachments/{number}-{_safe_name(attachment.original_name)}",
                storage.read(attachment.storage_key),
                "attachment",
                attachment.media_type,
                attachment.description or attachment.original_name,
                attachment.created_at,
                ref=attachment.id,
            )
        )
    for document in frozen:
        package.files.append(
            PackageFile(
                f"exchange/document-v{document.version}-{document.id}.json",
                document.body.encode("utf-8"),
                "exchange",
                "application/json",
                f"Utbytesdokument version {document.version} ({document.schema_version})",
                document.created_at,
                ref=str(document.id),
            )
        )
    correspondence = _correspondence(application)
    if any(correspondence.values()):
        package.files.append(
            PackageFile(
                "case/correspondence.json",
                json.dumps(correspondence, ensure_ascii=False, indent=2).encode("utf-8"),
                "correspondence",
                "application/json",
                "Meddelanden, kompletteringsbegäranden, utbetalningar, "
                "bedömningar av beräkningsrader och överklaganden",
                application.closed_at or clock.now(),
                ref=f"{application.id}/correspondence",
            )
        )
    package.events = list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.at, ApplicationEvent.id)
        )
    )
    package.description = describe(
        package,
        {f.ref: f for f in package.files if f.kind == "exchange"},
        frozen_digests={str(d.id): d.sha256 for d in frozen},
    )
    return package


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _correspondence(application: Application) -> dict[str, list[dict]]:
    messages = db.session.scalars(
        select(Message).where(Message.application_id == application.id).order_by(Message.sent_at, Message.id)
    )
    requests = db.session.scalars(
        select(SupplementRequest)
        .where(SupplementRequest.application_id == application.id)
        .order_by(SupplementRequest.requested_at, SupplementRequest.id)
    )
    payments = db.session.scalars(
        select(Payment).where(Payment.application_id == application.id).order_by(Payment.due_date, Payment.id)
    )
    appeals = db.session.scalars(
        select(Appeal).where(Appeal.application_id == application.id).order_by(Appeal.sent_at, Appeal.id)
    )
    return {
        "messages": [
            {
                "id": m.id,
                "sender": m.sender,
                "author": m.author_name,
                "sentAt": _iso(m.sent_at),
                "body": m.body,
                "replyRequested": m.reply_requested,
                "inReplyTo": m.in_reply_to,
                "readAt": _iso(m.read_at),
            }
            for m in messages
        ],
        "supplementRequests": [
            {
                "id": r.id,
                "what": r.what,
                "why": r.why,
                "dueDate": _iso(r.due_date),
                "requestedBy": r.requested_by,
                "requestedAt": _iso(r.requested_at),
                "answer": r.answer,
                "answeredAt": _iso(r.answered_at),
                "answerDocumentId": r.document_id,
            }
            for r in requests
        ],
        "payments": [
            {
                "id": p.id,
                "amount": p.amount,
                "dueDate": _iso(p.due_date),
                "state": p.state,
                "externalRef": p.external_ref,
            }
            for p in payments
        ],
        "calculationLineChanges": [
            {
                "id": c.id,
                "lineId": c.line_id,
                "action": c.action,
                "previousOre": c.previous_ore,
                "amountOre": c.amount_ore,
                "reason": c.reason,
                "by": c.changed_by,
                "source": c.source,
                "at": _iso(c.changed_at),
            }
            for c in changes(application)
        ],
        "appeals": [
            {
                "id": a.id,
                "decisionId": a.decision_id,
                "sentAt": _iso(a.sent_at),
                "deadline": _iso(a.deadline),
                "late": a.late,
                "documentVersion": a.document_version,
                "status": a.status,
                "reconsideration": a.reconsideration,
                "reconsiderationNote": a.reconsideration_note,
                "reconsideredBy": a.reconsidered_by,
                "reconsideredAt": _iso(a.reconsidered_at),
                "opinion": a.opinion,
                "forwardedOn": _iso(a.forwarded_on),
                "forwardedBy": a.forwarded_by,
            }
            for a in appeals
        ],
    }
