"""What the built-in inbox reads: the caseworker's scoped list, and one case as the
municipality received it (the frozen exchange document, its seals checked) with the live state
of its handling. Changes go through ``portal.case.services``."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.engine import Row as SqlRow
from sqlalchemy.orm import defer

from portal.application.access import register_finder
from portal.application.labels import RELATION_FOR_CASEWORKER
from portal.application.models import Application, HouseholdMember
from portal.application.states import UNSENT
from portal.attachments.models import Attachment
from portal.auth.actor import Actor
from portal.calculation import services as calculation
from portal.calculation.services import Sheet
from portal.case import services as case
from portal.case.models import Decision, Message, SupplementRequest
from portal.delivery.models import InboxEntry
from portal.exchange.document import _consistency_errors
from portal.exchange.pdf import _parse_utc
from portal.extensions import db
from portal.information.services import broken_seal_count
from portal.providers.items import THEMES
from portal.submission.models import FrozenDocument
from portal.submission.services import frozen_document

PAGE_SIZE = 50


# --- the list -------------------------------------------------------------------------------------


def scoped(query, actor: Actor):
    """Only what the caseworker may see: delivered to their municipality's built-in inbox and
    there now (the application's current municipality and, for a unit, its current unit), so a
    forwarded case leaves the sending unit's list at once."""
    query = query.where(
        Application.municipality_code == actor.municipality_code,
        Application.status.not_in(UNSENT),
        exists().where(
            InboxEntry.application_id == Application.id, InboxEntry.municipality_code == actor.municipality_code
        ),
    )
    if actor.unit:
        query = query.where(Application.inbox_id == actor.unit)
    return query


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the inbox as plain values: what the list shows of a case, read in the listing's one
    query (no ORM object, no household loaded for it)."""

    id: str
    reference: str
    applicant_name: str | None  # the first member's (the applicant's) name; None without members
    case_number: str | None
    period: date
    status: str
    submitted_at: datetime | None
    received_at: datetime | None
    assigned_name: str | None
    protected: bool
    emergency: bool
    supplemented: bool
    unread: int


def listing(actor: Actor, name: str = "all", search: str = "", page: int = 1) -> tuple[list[Row], bool]:
    """One page of the caseworker's inbox, newest first, and whether there is a next page: one query
    (issue 15, point 5)."""
    supplemented = (
        exists()
        .where(
            SupplementRequest.application_id == Application.id,
            SupplementRequest.answered_at.is_not(None),
            SupplementRequest.answer_seen_at.is_(None),
        )
        .correlate(Application)
    )
    unread = (
        select(func.count(Message.id))
        .where(Message.application_id == Application.id, Message.sender == case.APPLICANT, Message.read_at.is_(None))
        .correlate(Application)
        .scalar_subquery()
    )

    # The applicant's name (the first member, as ``Application.members`` orders them) in the same
    # query: a second application of one person for one month is visible as such.
    def first_member(column):
        return (
            select(column)
            .where(HouseholdMember.application_id == Application.id)
            .order_by(HouseholdMember.position)
            .limit(1)
            .correlate(Application)
            .scalar_subquery()
        )

    query = scoped(
        select(
            Application.id,
            Application.reference,
            first_member(HouseholdMember.given_name).label("given_name"),
            first_member(HouseholdMember.family_name).label("family_name"),
            Application.case_number,
            Application.period,
            Application.status,
            Application.submitted_at,
            Application.received_at,
            Application.assigned_name,
            Application.protected,
            Application.emergency,
            supplemented.label("supplemented"),
            unread.label("unread"),
        ),
        actor,
    )
    query = case.case_filter(query, name if name in case.FILTERS else "all", actor.id)
    search = (search or "").strip().upper()
    if search:
        query = query.where(
            or_(func.upper(Application.reference) == search, func.upper(Application.case_number) == search)
        )
    page = max(page, 1)
    found = db.session.execute(
        query.order_by(Application.submitted_at.desc(), Application.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    rows = [
        Row(
            id=r.id,
            reference=r.reference,
            applicant_name=None if r.given_name is None else f"{r.given_name} {r.family_name}",  # given_name: NOT NULL
            case_number=r.case_number,
            period=r.period,
            status=r.status,
            submitted_at=r.submitted_at,
            received_at=r.received_at,
            assigned_name=r.assigned_name,
            protected=bool(r.protected),
            emergency=bool(r.emergency),
            supplemented=bool(r.supplemented),
            unread=int(r.unread or 0),
        )
        for r in found[:PAGE_SIZE]
    ]
    return rows, len(found) > PAGE_SIZE


def same_month(actor: Actor, application: Application) -> list[SqlRow]:
    """The applicant's other applications for the same month that this caseworker may open: a
    duplicate or an emergency application is seen beside the first. Plain rows of what the page shows of
    them (id, reference, status, emergency), no ORM object."""
    return list(
        db.session.execute(
            scoped(
                select(Application.id, Application.reference, Application.status, Application.emergency).where(
                    Application.applicant_id == application.applicant_id,
                    Application.period == application.period,
                    Application.id != application.id,
                ),
                actor,
            ).order_by(Application.submitted_at)
        )
    )


def visible(actor: Actor, application_id: str) -> Application | None:
    """The application if the caseworker may open it (the same scope as the list)."""
    return db.session.scalar(scoped(select(Application).where(Application.id == application_id), actor))


# The caseworker's pages load their application within the list's scope (load_application(id, "inbox")).
register_finder("inbox", lambda application_id, _for_update: visible(g.actor, application_id))


# --- one case -------------------------------------------------------------------------------------


def _when(value: str | None) -> datetime | None:
    return _parse_utc(value)


def item_verified(doc: dict, item: dict) -> bool:
    """A fetched item of the document is verified when its seal checks with a published key and
    every value shown equals the sealed one (so the page shows only what was signed)."""
    source = item.get("source")
    if not isinstance(source, dict):
        source = {}
    sealed = source.get("sealedFields")
    seal_ = source.get("seal")
    if not isinstance(seal_, dict):
        seal_ = {}
    if not isinstance(sealed, dict) or sealed.get("application_id") != doc.get("applicationId"):
        return False
    sealer = current_app.extensions["portal.sealer"]
    if not sealer.verify(sealed, seal_.get("kid"), seal_.get("signature")):
        return False
    return not _consistency_errors({"applicationId": doc.get("applicationId"), "fetched": [item]})


def _verified_in(body_digest: str | None, position: int, doc: dict, item: dict) -> bool:
    """``item_verified``, remembered for the document whose bytes hash to ``body_digest`` (the hash of the
    body as read, not the stored checksum): the same bytes hold the same items with the same seals, and this
    process's published keys do not change, so the caseworker's view checks each item once per process, not
    on every request (issue 15, point 5). Only items that verified are remembered."""
    known = current_app.extensions.setdefault("portal.verified_document_items", set())
    key = (body_digest, position)
    if body_digest is not None and key in known:
        return True
    verified = item_verified(doc, item)
    if verified and body_digest is not None:
        if len(known) >= 100_000:  # bounded for a long-lived process
            known.clear()
        known.add(key)
    return verified


@dataclass
class Fetched:
    data: dict
    verified: bool
    fetched_at: datetime | None
    position: int  # in the document's fetched items
    attachments: list[dict] = field(default_factory=list)
    requests: list[SupplementRequest] = field(default_factory=list)


@dataclass
class CaseView:
    application: Application
    frozen: FrozenDocument | None
    doc: dict
    body_digest: str | None  # SHA-256 of the document's body as read (None without a document)
    digest_ok: bool
    members: dict[int, str]
    fetched: list[tuple[str, list[tuple[str, list[Fetched]]]]]  # member label -> theme -> items
    unverified: int
    live_broken: int
    attachments: list[dict]
    requests: list[SupplementRequest]
    request_files: dict[str, list[Attachment]]
    messages: list[Message]
    message_files: dict[str, list[Attachment]]
    decisions: list
    payments: list
    events: list
    later_documents: list[FrozenDocument]
    item_choices: list[tuple[str, str]]
    calculation: Sheet | None

    @property
    def seal_problem(self) -> bool:
        return not self.digest_ok or self.unverified > 0 or self.live_broken > 0


def member_labels(doc: dict) -> dict[int, str]:
    """Who each member is, as the document says: for a protected identity only the applicant
    has a name; the others are their relation."""
    result: dict[int, str] = {}
    applicant = doc.get("applicant") or {}
    if applicant.get("memberId") is not None:
        name = f"{applicant.get('givenName') or ''} {applicant.get('familyName') or ''}".strip()
        result[applicant["memberId"]] = (
            f"{name} ({RELATION_FOR_CASEWORKER['applicant']})" if name else str(RELATION_FOR_CASEWORKER["applicant"])
        )
    for member in (doc.get("household") or {}).get("members") or []:
        relation = str(RELATION_FOR_CASEWORKER.get(member.get("relation"), RELATION_FOR_CASEWORKER["other"]))
        name = f"{member.get('givenName') or ''} {member.get('familyName') or ''}".strip()
        result[member.get("memberId")] = f"{name} ({relation})" if name and not doc.get("protected") else relation
    return result


def _files(column, ids) -> dict[str, list[Attachment]]:
    result: dict[str, list[Attachment]] = defaultdict(list)
    if ids:
        for attachment in db.session.scalars(
            select(Attachment).where(column.in_(ids)).order_by(Attachment.created_at, Attachment.id)
        ):
            result[getattr(attachment, column.key)].append(attachment)
    return result


def _documents(application: Application) -> tuple[FrozenDocument | None, list[FrozenDocument]]:
    """The application's own document (as ``frozen_document`` finds it: the latest version referring to none)
    and the later ones referring to it, in version order: one query for both (issue 15, point 5)."""
    found = list(
        db.session.scalars(
            select(FrozenDocument)
            .where(FrozenDocument.application_id == application.id)
            .order_by(FrozenDocument.version)
        )
    )
    own = [document for document in found if document.refers_to is None]
    return (own[-1] if own else None), [document for document in found if document.refers_to is not None]


MAX_PARSED = 64  # documents of a few hundred kilobytes parsed: some tens of megabytes at most per process


def _parsed(body: str, body_digest: str) -> dict:
    """``json.loads(body)``, kept by the SHA-256 of the body's exact bytes (the view computes it anyway to
    check the document's checksum): a frozen document is opened again and again, and parsing its fifty-odd
    items cost more than anything else the view does once (issue 15, point 5). Changed bytes hash otherwise and
    are parsed afresh. The answer is shared between requests, so it is only read, never changed."""
    kept: OrderedDict[str, dict] = current_app.extensions.setdefault("portal.parsed_documents", OrderedDict())
    doc = kept.get(body_digest)
    if doc is None:
        doc = json.loads(body)
        kept[body_digest] = doc
        if len(kept) > MAX_PARSED:
            kept.popitem(last=False)
    return doc


def case_view(application: Application) -> CaseView:
    frozen, later = _documents(application)
    body_digest = hashlib.sha256(frozen.body.encode("utf-8")).hexdigest() if frozen else None
    doc = _parsed(frozen.body, body_digest) if frozen and body_digest else {}
    digest_ok = frozen is not None and body_digest == frozen.sha256
    members = member_labels(doc)
    requests = case.requests(application)
    by_item: dict[int, list[SupplementRequest]] = defaultdict(list)
    for request in requests:
        if request.item_id is not None:
            by_item[request.item_id].append(request)
    attachments = doc.get("attachments") or []
    grouped: dict = defaultdict(lambda: defaultdict(list))
    unverified = 0
    choices = [("", str(_none_choice()))]
    for position, item in enumerate(doc.get("fetched") or []):
        verified = _verified_in(body_digest, position, doc, item)
        unverified += not verified
        entry = Fetched(
            item,
            verified,
            _when((item.get("source") or {}).get("fetchedAt")),
            position,
            [a for a in attachments if a.get("linkedItemId") == item.get("id")],
            by_item.get(item.get("id"), []),
        )
        grouped[item.get("memberId")][item.get("theme")].append(entry)
        period = (item.get("period") or {}).get("start") or ""
        choices.append(
            (str(item.get("id")), f"{item.get('label')} – {members.get(item.get('memberId'), '')} {period[:7]}".strip())
        )
    order = list(members)
    fetched = []
    for member_id in sorted(grouped, key=lambda m: order.index(m) if m in order else len(order)):
        themes = grouped[member_id]
        fetched.append(
            (
                members.get(member_id, ""),
                [(t, themes[t]) for t in (*THEMES, *sorted(set(themes) - set(THEMES))) if t in themes],
            )
        )
    messages = case.messages(application)
    # The page links to a decision's document and never shows its bytes: not read here.
    decisions = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.application_id == application.id)
            .order_by(Decision.decided_at)
            .options(defer(Decision.document))
        )
    )
    return CaseView(
        application=application,
        frozen=frozen,
        doc=doc,
        body_digest=body_digest,
        digest_ok=digest_ok,
        members=members,
        fetched=fetched,
        unverified=unverified,
        live_broken=broken_seal_count(application) if frozen else 0,
        attachments=attachments,
        requests=requests,
        request_files=_files(Attachment.request_id, [r.id for r in requests]),
        messages=messages,
        message_files=_files(Attachment.message_id, [m.id for m in messages]),
        decisions=decisions,
        # A payment is reported only on a decided case (case.report_payment), and only a decision decides it:
        # without a decision there is no payment to read.
        payments=case.payments(application) if decisions else [],
        events=list(application.events),
        later_documents=later,
        item_choices=choices,
        calculation=calculation.sheet(application, doc) if frozen else None,
    )


def _none_choice():
    return _l("No particular item")


def attachment(application: Application, attachment_id: str, doc: dict | None = None) -> Attachment | None:
    """A file the municipality has received: sent with the application (in its document), with
    an answer to a request, or with a message. A file the applicant has uploaded but not yet
    sent is not the municipality's to open."""
    found = db.session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.application_id == application.id)
    )
    if found is None:
        return None
    if found.message_id:
        return found
    if found.request_id:
        request = db.session.get(SupplementRequest, found.request_id)
        return found if request is not None and request.answered_at else None
    if doc is None:
        frozen = frozen_document(application)
        sent_document: dict = json.loads(frozen.body) if frozen else {}
        doc = sent_document
    return found if any(a.get("id") == found.id for a in doc.get("attachments") or []) else None


def seen_answers(application: Application) -> int:
    """The caseworker has opened the case: answered requests are no longer "supplemented"."""
    count = 0
    for request in case.requests(application):
        if request.answered_at and request.answer_seen_at is None:
            case.mark_answer_seen(request)
            count += 1
    return count
