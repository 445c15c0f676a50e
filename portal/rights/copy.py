"""A copy of my data (GDPR art. 15 and 20, issue 18 point 4).

The person asks on "my data"; the worker (``portal worker``, beside deliveries) gathers everything held about
them into a ZIP: ``data.json`` (machine-readable, valid against the published schema in
``portal/rights/schema/data-copy-1.1.0.json``, also inside the ZIP), ``data.pdf`` (readable: a tagged PDF in the
person's language, right to left in Arabic, made by the same WeasyPrint setup as the receipts) and the files
themselves (attachments, decision documents) under ``files/``. The ZIP is kept in the database (every web node
and worker reaches it) until ``expires_at``, then deleted by the worker or ``portal drafts purge``.

Minimisation: a person sees what is held *about them*. In a joint application (a co-applicant) that is the
joint application, its answers, messages, decisions and files, their own fetched items and those of children
they consented for as guardian, but not the other adult's own fetched items or consents. Another member is
named by relation and name only (no birth date, no personnummer), and by relation alone under protected
identity; an address is included only for the applicant's own application and never when it is protected.

Since 1.1.0 each sent application also carries its calculation lines (as proposed in the frozen exchange
document, and each judgement of them), each decision the lines it rests on, and the appeals with the
municipality's reconsideration and forwarding. A joint decision rests on both adults' incomes, so a
co-applicant sees every line of it (the decision document in the copy shows them too), but a line points
only at the person's own fetched items (``fetchedItemIds``), never at the other adult's. Lines name members
by ``memberId`` only: who that is follows the members' minimisation above.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Integer, LargeBinary, String, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal import clock
from portal.appeal.models import Appeal
from portal.application.labels import RELATION_FOR_CASEWORKER as RELATION
from portal.application.labels import STATUS
from portal.application.models import Application, HouseholdMember, Signature
from portal.attachments.models import Attachment
from portal.attachments.storage import current_storage
from portal.audit.services import record
from portal.auth.models import Person
from portal.calculation import services as calculation
from portal.calculation.text import GROUP, line_text
from portal.calculation.text import STATUS as LINE_STATUS
from portal.case.labels import OUTCOME
from portal.case.models import ContactDetails, Decision, Message, Payment, SupplementRequest
from portal.consent.models import Consent
from portal.db import Base, UTCDateTime, new_id, rowcounted, utcnow
from portal.exchange.pdf import PERSONAL, RTL_LANGUAGES, write_pdf
from portal.extensions import db
from portal.i18n.services import DEFAULT, SUPPORTED
from portal.information.models import InformationItem, ItemComment
from portal.mandates.models import Mandate
from portal.providers.registry import providers
from portal.rights import services
from portal.rights.states import UNDER_WAY, CopyStatus
from portal.rounds import run_rounds
from portal.supplements.models import Asset, Cost, FreeText, Income

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1.1.0"
SCHEMA_PATH = Path(__file__).parent / "schema" / f"data-copy-{SCHEMA_VERSION}.json"
# How long a prepared copy can be downloaded; then it is deleted (it is a second copy of everything).
LIFETIME = timedelta(days=7)
# A copy that failed this many times is given up (the page says so and the person may ask again).
MAX_ATTEMPTS = 3


class DataCopy(Base):
    """One request for a copy, and the ZIP once prepared. ``person_id`` is the only one who may read it."""

    __tablename__ = "data_copy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=CopyStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, shown on the page
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    package: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    package_size: Mapped[int | None] = mapped_column(Integer)
    package_sha256: Mapped[str | None] = mapped_column(String(64))

    @property
    def pending(self) -> bool:
        return self.status in UNDER_WAY


# --- requesting and reading -------------------------------------------------------------------------


def request_copy(person_id: str, language: str) -> DataCopy:
    """Ask for a copy; a copy already on its way is reused rather than made twice."""
    existing = db.session.scalar(
        select(DataCopy).where(DataCopy.person_id == person_id, DataCopy.status.in_(UNDER_WAY))
    )
    if existing is not None:
        return existing
    copy = DataCopy(
        person_id=person_id, language=language, status=CopyStatus.QUEUED, progress=0, requested_at=clock.now()
    )
    db.session.add(copy)
    db.session.flush()
    record("create", "data_copy", copy.id, "the person asks for a copy of their data", subject_id=person_id)
    db.session.commit()
    return copy


def copies_of(person_id: str) -> list[DataCopy]:
    """The person's copies not yet expired, newest first."""
    now = clock.now()
    return list(
        db.session.scalars(
            select(DataCopy)
            .where(DataCopy.person_id == person_id, or_(DataCopy.expires_at.is_(None), DataCopy.expires_at > now))
            .order_by(DataCopy.requested_at.desc())
        )
    )


def copy_of(person_id: str, copy_id: str) -> DataCopy | None:
    """The person's own copy, or None (someone else's, expired or unknown look the same)."""
    copy = db.session.get(DataCopy, copy_id)
    if copy is None or copy.person_id != person_id:
        return None
    if copy.expires_at is not None and _aware(copy.expires_at) <= clock.now():
        return None
    return copy


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


# --- the worker -------------------------------------------------------------------------------------


def run_once(limit: int = 2) -> int:
    """Prepare up to ``limit`` queued copies and delete expired ones; returns how many were prepared. Safe
    beside other workers: a copy is claimed by moving it from queued to preparing in one UPDATE."""
    purge_expired()
    done = 0
    for copy_id in db.session.scalars(
        select(DataCopy.id).where(DataCopy.status == CopyStatus.QUEUED).order_by(DataCopy.requested_at).limit(limit)
    ).all():
        claimed = rowcounted(
            db.session.execute(
                update(DataCopy)
                .where(DataCopy.id == copy_id, DataCopy.status == CopyStatus.QUEUED)
                .values(status=CopyStatus.PREPARING, progress=5, attempts=DataCopy.attempts + 1)
            )
        )
        db.session.commit()
        if claimed.rowcount != 1:
            continue
        try:
            prepare(copy_id)
            done += 1
        except Exception as exc:
            db.session.rollback()
            copy = db.session.get_one(DataCopy, copy_id)
            copy.status = CopyStatus.FAILED if copy.attempts >= MAX_ATTEMPTS else CopyStatus.QUEUED
            copy.error = type(exc).__name__
            db.session.commit()
            log.warning("data copy %s not prepared: %s", copy_id, type(exc).__name__)
    return done


def purge_expired() -> int:
    """Delete the copies whose time is over (and failed ones older than the lifetime)."""
    now = clock.now()
    expired = list(
        db.session.scalars(
            select(DataCopy).where(
                or_(
                    DataCopy.expires_at <= now,
                    (DataCopy.status == CopyStatus.FAILED) & (DataCopy.requested_at <= now - LIFETIME),
                )
            )
        )
    )
    for copy in expired:
        db.session.delete(copy)
    db.session.commit()
    return len(expired)


def _progress(copy: DataCopy, percent: int) -> None:
    copy.progress = percent
    db.session.commit()


def prepare(copy_id: str) -> DataCopy:
    """Gather, render and pack one copy (the worker's part); audit-logged as a read by the system."""
    copy = db.session.get_one(DataCopy, copy_id)
    data, files = gather(copy.person_id, copy.language)
    _progress(copy, 40)
    record(
        "read", "data_copy", copy.id, "preparing the copy of their data the person asked for", subject_id=copy.person_id
    )
    pdf = render_pdf(data, copy.language)
    _progress(copy, 80)
    package = pack(data, pdf, files)
    now = clock.now()
    copy.package = package
    copy.package_size = len(package)
    copy.package_sha256 = hashlib.sha256(package).hexdigest()
    copy.status, copy.progress, copy.ready_at, copy.expires_at = CopyStatus.READY, 100, now, now + LIFETIME
    copy.error = None
    db.session.commit()
    return copy


# --- what goes in -----------------------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _ore(value: int | None) -> str | None:
    return None if value is None else f"{value // 100}.{value % 100:02d}" if value >= 0 else f"-{_ore(-value)}"


def _applications_of(person_id: str):
    own = select(Application.id).where(Application.applicant_id == person_id)
    member = select(HouseholdMember.application_id).where(HouseholdMember.person_id == person_id)
    return list(
        db.session.scalars(
            select(Application)
            .where(or_(Application.id.in_(own), Application.id.in_(member)))
            .order_by(Application.period, Application.created_at)
        )
    )


def gather(person_id: str, language: str = "sv") -> tuple[dict, dict[str, bytes]]:
    """Everything held about the person, as the JSON of the schema, and the files by their path in the ZIP."""
    person = db.session.get_one(Person, person_id)
    files: dict[str, bytes] = {}
    applications = []
    for app in _applications_of(person_id):
        is_applicant = app.applicant_id == person_id
        own_member = next(
            (m for m in app.members if (m.person_id == person_id) or (is_applicant and m.relation == "applicant")), None
        )
        consents = list(
            db.session.scalars(select(Consent).where(Consent.application_id == app.id).order_by(Consent.id))
        )
        # Members whose data is the person's to see: themselves, and children they consented for as guardian.
        mine = {own_member.id} if own_member else set()
        mine |= {c.member_id for c in consents if c.given_by_person_id == person_id and c.as_guardian}
        members = []
        for m in app.members:
            you = own_member is not None and m.id == own_member.id
            entry = {"memberId": m.id, "relation": m.relation, "you": you}
            if not app.protected or m.id in mine:
                entry["name"] = m.name
            if m.id in mine and m.birth_date:
                entry["birthDate"] = _iso(m.birth_date)
            members.append(entry)
        items = list(
            db.session.scalars(
                select(InformationItem)
                .where(InformationItem.application_id == app.id, InformationItem.member_id.in_(mine or {-1}))
                .order_by(InformationItem.id)
            )
        )
        item_ids = {i.id for i in items}
        comments = {
            c.item_id: c
            for c in db.session.scalars(select(ItemComment).where(ItemComment.item_id.in_(item_ids or {-1})))
        }
        fetched = [
            {
                "id": i.id,
                "memberId": i.member_id,
                "provider": i.provider,
                "infoSet": i.info_set,
                "kind": i.kind,
                "theme": i.theme,
                "periodStart": _iso(i.period_start),
                "periodEnd": _iso(i.period_end),
                "amount": _ore(i.amount_ore),
                "gross": i.gross,
                "details": i.details or {},
                "fetchedAt": _iso(i.fetched_at),
                "seal": i.seal,
                "sealKeyId": i.seal_key_id,
                "comment": (
                    {"text": comments[i.id].text, "at": _iso(comments[i.id].updated_at)} if i.id in comments else None
                ),
            }
            for i in items
        ]
        attachments = []
        for a in db.session.scalars(
            select(Attachment).where(Attachment.application_id == app.id).order_by(Attachment.created_at)
        ):
            if a.linked_item_id is not None and a.linked_item_id not in item_ids:
                continue  # documents another adult's own fetched item
            path = f"files/{app.reference}/attachments/{a.id}.{'jpg' if a.kind == 'jpeg' else a.kind}"
            try:
                files[path] = current_storage().read(a.storage_key)
            except (OSError, KeyError, ValueError):
                path = None
            attachments.append(
                {
                    "id": a.id,
                    "name": a.original_name,
                    "mediaType": a.media_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "description": a.description,
                    "from": "municipality" if a.from_municipality else "applicant",
                    "addedAt": _iso(a.created_at),
                    "file": path,
                }
            )
        decisions = []
        for d in db.session.scalars(
            select(Decision).where(Decision.application_id == app.id).order_by(Decision.decided_at)
        ):
            path = f"files/{app.reference}/decisions/{d.id}.pdf"
            files[path] = d.document
            decisions.append(
                {
                    "id": d.id,
                    "outcome": d.outcome,
                    "amountKronor": d.amount,
                    "periodStart": _iso(d.period_start),
                    "periodEnd": _iso(d.period_end),
                    "reasoning": d.reasoning,
                    "decidedBy": d.decided_by,
                    "decidedAt": _iso(d.decided_at),
                    "file": path,
                    "sha256": d.document_sha256,
                    "calculationLines": _decided_lines(d.calculation_lines, language),
                }
            )
        address = None
        if is_applicant and not app.protected and app.street:
            address = {"street": app.street, "postalCode": app.postal_code, "postTown": app.post_town}
        applications.append(
            {
                "reference": app.reference,
                "role": "applicant" if is_applicant else "coApplicant",
                "period": _iso(app.period),
                "status": app.status,
                "municipalityCode": app.municipality_code,
                "caseNumber": app.case_number,
                "protected": app.protected,
                "address": address,
                "createdAt": _iso(app.created_at),
                "submittedAt": _iso(app.submitted_at),
                "decidedAt": _iso(app.decided_at),
                "emergency": app.emergency,
                "emergencyReason": app.emergency_reason,
                "members": members,
                "signatures": [
                    {"memberId": s.member_id, "signedAt": _iso(s.signed_at), "acr": s.acr}
                    for s in db.session.scalars(
                        select(Signature).where(
                            Signature.application_id == app.id, Signature.member_id.in_(mine or {-1})
                        )
                    )
                ],
                "events": [{"kind": e.kind, "at": _iso(e.at), "source": e.source} for e in app.events],
                "consents": [
                    {
                        "id": c.id,
                        "memberId": c.member_id,
                        "provider": c.provider,
                        "scope": c.scope,
                        "asGuardian": c.as_guardian,
                        "wordingVersion": c.wording_version,
                        "givenAt": _iso(c.given_at),
                        "revokedAt": _iso(c.revoked_at),
                        "givenByProxy": c.proxy_id is not None,
                    }
                    for c in consents
                    if c.member_id in mine or c.given_by_person_id == person_id
                ],
                "fetched": fetched,
                "answers": {
                    "incomes": [
                        {
                            "kind": x.kind,
                            "description": x.description,
                            "amount": _ore(x.amount_ore),
                            "month": _iso(x.month),
                            "memberId": x.member_id,
                        }
                        for x in db.session.scalars(
                            select(Income).where(Income.application_id == app.id).order_by(Income.id)
                        )
                    ],
                    "costs": [
                        {
                            "category": x.category,
                            "description": x.description,
                            "amount": _ore(x.amount_ore),
                            "month": _iso(x.month),
                        }
                        for x in db.session.scalars(select(Cost).where(Cost.application_id == app.id).order_by(Cost.id))
                    ],
                    "assets": [
                        _asset(x)
                        for x in db.session.scalars(
                            select(Asset).where(Asset.application_id == app.id).order_by(Asset.id)
                        )
                    ],
                    "messageToMunicipality": [
                        _free_text(x)
                        for x in db.session.scalars(select(FreeText).where(FreeText.application_id == app.id))
                    ],
                },
                "supplementRequests": [
                    {
                        "what": r.what,
                        "why": r.why,
                        "dueDate": _iso(r.due_date),
                        "requestedBy": r.requested_by,
                        "requestedAt": _iso(r.requested_at),
                        "answer": r.answer,
                        "answeredAt": _iso(r.answered_at),
                    }
                    for r in db.session.scalars(
                        select(SupplementRequest)
                        .where(SupplementRequest.application_id == app.id)
                        .order_by(SupplementRequest.requested_at)
                    )
                ],
                "messages": [
                    {
                        "from": m.sender,
                        "author": m.author_name,
                        "body": m.body,
                        "sentAt": _iso(m.sent_at),
                        "readAt": _iso(m.read_at),
                    }
                    for m in db.session.scalars(
                        select(Message).where(Message.application_id == app.id).order_by(Message.sent_at)
                    )
                ],
                "decisions": decisions,
                "payments": [
                    {"amountKronor": p.amount, "dueDate": _iso(p.due_date), "state": p.state}
                    for p in db.session.scalars(
                        select(Payment).where(Payment.application_id == app.id).order_by(Payment.due_date)
                    )
                ],
                "attachments": attachments,
                "calculation": _calculation(app, item_ids, language),
                "appeals": _appeals(app, person_id, files),
            }
        )
    mandates = []
    for m in db.session.scalars(
        select(Mandate)
        .where(or_(Mandate.principal_id == person_id, Mandate.proxy_id == person_id))
        .order_by(Mandate.created_at)
    ):
        mandates.append(
            {
                "reference": m.reference,
                "kind": m.kind,
                "direction": "given" if m.principal_id == person_id else "received",
                "otherParty": m.proxy_name if m.principal_id == person_id else m.principal_name,
                "scopes": [s for s in (m.scopes or "").split(",") if s],
                "status": m.status,
                "validFrom": _iso(m.valid_from),
                "validUntil": _iso(m.valid_until),
                "signedAt": _iso(m.signed_at),
                "endedAt": _iso(m.ended_at),
            }
        )
    contact = db.session.get(ContactDetails, person_id)
    reads = [
        {
            "at": _iso(r.at),
            "actorType": r.actor_type,
            "role": r.actor_role,
            "name": r.name,
            "unit": r.unit,
            "municipality": r.municipality,
            "underMandate": r.on_mandate,
            "what": r.object_type,
            "purpose": r.purpose,
        }
        for r in services.reads(person_id, limit=100000)
    ]
    data = {
        "schema": f"data-copy-{SCHEMA_VERSION}",
        "preparedAt": _iso(clock.now()),
        "language": language,
        "person": {
            "givenName": person.given_name,
            "familyName": person.family_name,
            "personnummer": person.personnummer,
            "firstLogin": _iso(person.created_at),
        },
        "contactDetails": None
        if contact is None
        else {
            "email": contact.email,
            "phone": contact.phone,
            "notifyByEmail": contact.notify_email,
            "notifyBySms": contact.notify_sms,
            "language": contact.language,
        },
        "applications": applications,
        "mandates": mandates,
        "readsByOthers": reads,
    }
    return data, files


def _in_words(line: dict, language: str) -> str:
    with force_locale(language):
        return line_text(line)


def _line(line: dict, language: str) -> dict:
    return {
        "id": line["id"],
        "group": line["group"],
        "code": line.get("code") or "",
        "params": line.get("params") or {},
        "memberIds": list(line.get("memberIds") or []),
        "text": _in_words(line, language),
    }


def _calculation(app, own_item_ids: set[int], language: str) -> dict | None:
    """The lines proposed when the application was sent and every judgement of them; None when it has none
    (a draft, or sent before the exchange document carried lines)."""
    if app.submitted_at is None:
        return None
    part = calculation.proposed(app)
    if part is None:
        return None
    proposed = []
    for line in part.get("lines") or []:
        source = line.get("source") or {}
        proposed.append(
            {
                **_line(line, language),
                "amount": _ore(line["amountOre"]),
                "source": source.get("kind") if source.get("kind") in ("norm", "applicant") else "system",
                "fetchedItemIds": [i for i in source.get("itemIds") or [] if i in own_item_ids],
            }
        )
    changes = [
        {
            "lineId": c.line_id,
            "action": c.action,
            "previousAmount": _ore(c.previous_ore),
            "amount": _ore(c.amount_ore),
            "reason": c.reason,
            "by": c.changed_by,
            "source": c.source,
            "at": _iso(c.changed_at),
        }
        for c in calculation.changes(app)
    ]
    return {
        "available": bool(part.get("available")),
        "year": part.get("year"),
        "proposed": proposed,
        "changes": changes,
    }


def _decided_lines(lines: list | None, language: str) -> list[dict] | None:
    if lines is None:
        return None
    return [
        {
            **_line(line, language),
            "proposedAmount": _ore(line["proposedOre"]),
            "amount": _ore(line["amountOre"]),
            "status": line["status"],
            "reason": line.get("reason"),
            "judgedBy": line.get("judgedBy"),
            "judgedAt": line.get("judgedAt"),
        }
        for line in lines
    ]


def _appeals(app, person_id: str, files: dict[str, bytes]) -> list[dict]:
    """The appeals of the application's decisions, their PDFs among the files."""
    appeals = []
    for a in db.session.scalars(
        select(Appeal).where(Appeal.application_id == app.id).order_by(Appeal.sent_at, Appeal.id)
    ):
        path = f"files/{app.reference}/appeals/{a.id}.pdf"
        files[path] = a.document
        appeals.append(
            {
                "id": a.id,
                "decisionId": a.decision_id,
                "status": a.status,
                "sentAt": _iso(a.sent_at),
                "signedAt": _iso(a.signed_at),
                "signedByYou": a.signed_by == person_id,
                "language": a.language,
                "change": a.change,
                "reasons": a.reasons,
                "deadline": _iso(a.deadline),
                "deadlineBasis": a.deadline_basis,
                "late": a.late,
                "reconsideration": a.reconsideration,
                "reconsiderationNote": a.reconsideration_note,
                "reconsideredBy": a.reconsidered_by,
                "reconsideredAt": _iso(a.reconsidered_at),
                "opinion": a.opinion,
                "forwardedOn": _iso(a.forwarded_on),
                "forwardedBy": a.forwarded_by,
                "file": path,
                "sha256": a.document_sha256,
            }
        )
    return appeals


def _asset(x) -> dict:
    return {"kind": x.kind, "description": x.description, "value": _ore(x.value_ore)}


def _free_text(x) -> dict:
    return {"text": x.text, "updatedAt": _iso(x.updated_at)}


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``data`` follows the published schema."""
    from jsonschema import Draft202012Validator  # about 0.15 s to import; only the worker and tests validate

    Draft202012Validator(schema()).validate(data)


def render_pdf(data: dict, language: str) -> bytes:
    locale = language if language in SUPPORTED else DEFAULT
    return write_pdf(
        "data_copy.html",
        PERSONAL,
        locale=locale,
        data=data,
        language=locale,
        rtl=locale in RTL_LANGUAGES,
        labels=_labels(locale),
    )


def _labels(locale: str) -> dict[str, dict[str, str]]:
    """The portal's own words for the codes in the JSON (statuses, relations, outcomes, providers), in the
    person's language, so the PDF reads as the pages do; a code without a word is shown as it is."""
    with force_locale(locale):
        return {
            "status": {k: str(v) for k, v in STATUS.items()},
            "relation": {k: str(v) for k, v in RELATION.items()},
            "outcome": {k: str(v) for k, v in OUTCOME.items()},
            "provider": {p.name: str(p.title) for p in providers()},
            "group": {k: str(v) for k, v in GROUP.items()},
            "judgement": {"accept": str(LINE_STATUS["accepted"]), "change": str(LINE_STATUS["changed"])},
            "appealStatus": {
                "sent": _("The municipality is reconsidering the decision."),
                "reconsidered": _("Reconsidered: to forward"),
                "forwarded": _("Forwarded to the administrative court"),
            },
            "reconsideration": {"kept": _("The decision is kept"), "changed": _("The decision is changed")},
        }


def pack(data: dict, pdf: bytes, files: dict[str, bytes]) -> bytes:
    validate(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(f"data-copy-{SCHEMA_VERSION}.schema.json", SCHEMA_PATH.read_text(encoding="utf-8"))
        archive.writestr("data.pdf", pdf)
        for path, content in sorted(files.items()):
            archive.writestr(path, content)
    return buffer.getvalue()


def run_forever(app, interval: float = 1.0, stop=None) -> None:
    """The copies' loop for the demo stack (``devstack/stack.py``), beside its delivery worker; in production
    ``portal worker`` runs :func:`run_once` in its own loop."""
    run_rounds(app, run_once, name="data copy", interval=interval, stop=stop)


def start_thread(app, interval: float = 1.0, stop=None):
    thread = threading.Thread(target=run_forever, args=(app, interval, stop), daemon=True, name="data-copies")
    thread.start()
    return thread
