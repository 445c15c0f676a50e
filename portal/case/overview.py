"""What the applicant sees of a sent application: where it stands in plain words, the timeline,
what needs their attention, and the counts the overview shows. Reads only; the operations are
in ``portal/case/services.py``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased, defer
from sqlalchemy.orm.attributes import set_committed_value

from portal import clock
from portal.application import labels as application_labels
from portal.application.models import Application, ApplicationEvent, HouseholdMember, is_sent
from portal.application.states import FINISHED, OPEN_CASE, ApplicationStatus
from portal.attachments.models import Attachment
from portal.case import labels
from portal.case import services as case
from portal.case.models import Decision, Message, Payment, SupplementRequest
from portal.db import utcnow
from portal.extensions import db
from portal.i18n.services import day, money, month
from portal.information.labels import item_label
from portal.information.models import InformationItem
from portal.providers.registry import provider
from portal.routing.services import UnknownMunicipality, municipality
from portal.situation import documents
from portal.situation.models import DocumentAnswer
from portal.situation.summary import document_names
from portal.submission.services import FROZEN_DIGEST, frozen_digest, frozen_document

# Statuses that have a case page (everything after sending).


def municipality_name(code: str | None) -> str:
    if not code:
        return ""
    try:
        return municipality(code).name
    except UnknownMunicipality:
        return code


def unit_name(municipality_code: str | None, inbox_id: str | None) -> str | None:
    if not municipality_code or not inbox_id:
        return None
    inbox = case.inboxes_of(municipality_code).get(inbox_id)
    return inbox.name if inbox else None


def kronor(amount: int | None) -> str:
    """Case amounts are whole kronor (the municipality's); shown in the reader's locale."""
    return "" if amount is None else money(amount * 100)


# --- attention ---------------------------------------------------------------------------------


@dataclass
class Attention:
    """What needs the applicant: requests to answer, new messages, messages asking for a reply."""

    open_requests: int = 0
    unread_messages: int = 0
    replies_wanted: int = 0

    @property
    def any(self) -> bool:
        return bool(self.open_requests or self.unread_messages or self.replies_wanted)

    def items(self) -> list[tuple[str, str]]:
        """(what, words): "requests", "replies" or "messages", each with its count in words."""
        said = []
        if self.open_requests:
            said.append(
                ("requests", ngettext("%(num)d request to answer", "%(num)d requests to answer", self.open_requests))
            )
        if self.replies_wanted:
            said.append(
                (
                    "replies",
                    ngettext(
                        "%(num)d message waits for your reply",
                        "%(num)d messages wait for your reply",
                        self.replies_wanted,
                    ),
                )
            )
        if self.unread_messages:
            said.append(("messages", ngettext("%(num)d new message", "%(num)d new messages", self.unread_messages)))
        return said


def _replied():
    reply = aliased(Message)
    return select(reply.id).where(reply.in_reply_to == Message.id, reply.sender == case.APPLICANT).exists()


def attention_for(application_ids: list[str]) -> dict[str, Attention]:
    """Counts for many applications in three grouped queries (the overview)."""
    found: dict[str, Attention] = {a: Attention() for a in application_ids}
    if not application_ids:
        return found
    open_requests = db.session.execute(
        select(SupplementRequest.application_id, func.count())
        .join(Application)
        .where(
            SupplementRequest.application_id.in_(application_ids),
            SupplementRequest.answered_at.is_(None),
            Application.status.in_(OPEN_CASE),
        )
        .group_by(SupplementRequest.application_id)
    )
    for application_id, count in open_requests:
        found[application_id].open_requests = count
    unread = db.session.execute(
        select(Message.application_id, func.count())
        .where(
            Message.application_id.in_(application_ids), Message.sender == case.MUNICIPALITY, Message.read_at.is_(None)
        )
        .group_by(Message.application_id)
    )
    for application_id, count in unread:
        found[application_id].unread_messages = count
    wanted = db.session.execute(
        select(Message.application_id, func.count())
        .join(Application, Application.id == Message.application_id)
        .where(
            Message.application_id.in_(application_ids),
            Message.sender == case.MUNICIPALITY,
            Message.reply_requested.is_(True),
            ~_replied(),
            Application.status.not_in(FINISHED),
        )
        .group_by(Message.application_id)
    )
    for application_id, count in wanted:
        found[application_id].replies_wanted = count
    return found


def replies_wanted(application: Application) -> list[Message]:
    """The municipality's messages that ask for a reply the applicant has not yet given."""
    if application.status in FINISHED:
        return []
    return list(
        db.session.scalars(
            select(Message)
            .where(
                Message.application_id == application.id,
                Message.sender == case.MUNICIPALITY,
                Message.reply_requested.is_(True),
                ~_replied(),
            )
            .order_by(Message.sent_at)
        )
    )


# --- where the case stands ----------------------------------------------------------------------


@dataclass
class Forwarding:
    municipality: str
    unit: str | None
    reason: str
    at: datetime


def last_forwarding(application: Application) -> Forwarding | None:
    for entry in reversed(application.events):
        if entry.kind == "forwarded":
            data = entry.data or {}
            return Forwarding(
                municipality=municipality_name(data.get("to_municipality")),
                unit=unit_name(data.get("to_municipality"), data.get("to_inbox")),
                reason=data.get("reason", ""),
                at=entry.at,
            )
    return None


def _event_data(application: Application, kind: str) -> dict | None:
    for entry in reversed(application.events):
        if entry.kind == kind:
            return entry.data or {}
    return None


def status_text(application: Application) -> str:
    """One sentence in plain words: where the case stands."""
    name = municipality_name(application.municipality_code)
    forwarding = last_forwarding(application)
    if application.status == ApplicationStatus.SUBMITTED and forwarding is not None:
        return str(labels.FORWARDED_STATUS) % {"municipality": name}
    text = labels.STATUS_TEXT.get(application.status)
    if text is None:
        return ""
    decided = _event_data(application, "decision") or {}
    outcome = labels.OUTCOME.get(decided.get("outcome") or "", "")
    return str(text) % {"municipality": name, "case_number": application.case_number or "", "outcome": outcome}


def end_reason(application: Application) -> str | None:
    """The reason given for "will not be handled", or the applicant's own for withdrawing."""
    if application.status in (ApplicationStatus.NOT_HANDLED, ApplicationStatus.WITHDRAWN):
        data = _event_data(application, application.status) or {}
        return data.get("reason")
    return None


def mark_message_read(message: Message) -> None:
    """The applicant has opened this one message of the municipality's (to reply to it)."""
    if message.sender == case.MUNICIPALITY and message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()


def may_withdraw(application: Application) -> bool:
    return application.status in OPEN_CASE


def may_write(application: Application) -> bool:
    return application.status not in FINISHED and is_sent(application)


# --- the timeline -------------------------------------------------------------------------------


@dataclass
class Entry:
    at: datetime
    text: str
    detail: str | None = None  # the municipality's or applicant's own words, shown as written
    detail_label: str | None = None


def _date(value: str | None) -> str:
    return day(date.fromisoformat(value)) if value else ""


def event_entry(entry: ApplicationEvent, requests_by_id: dict[str, SupplementRequest]) -> Entry:
    data = entry.data or {}
    kind = entry.kind
    if kind == "received" and data.get("case_number"):
        return Entry(
            entry.at,
            _(
                "%(municipality)s registered your application with case number %(number)s",
                municipality=_municipality_of_registration(entry),
                number=data["case_number"],
            ),
        )
    if kind == "forwarded":
        target = municipality_name(data.get("to_municipality"))
        unit = unit_name(data.get("to_municipality"), data.get("to_inbox"))
        text = (
            _("Your application was forwarded to %(unit)s, %(municipality)s", unit=unit, municipality=target)
            if unit
            else _("Your application was forwarded to %(municipality)s", municipality=target)
        )
        return Entry(entry.at, text, data.get("reason"), _("Reason"))
    if kind == "supplement_requested":
        request = requests_by_id.get(data.get("request_id") or "")
        text = _(
            "The municipality asked you for more information, to be answered by %(date)s",
            date=_date(data.get("due_date")),
        )
        return Entry(entry.at, text, request.what if request else None, _("What is needed"))
    if kind == "interim_reply":
        text = (
            _(
                "The municipality sent an interim reply: it expects to decide by %(date)s",
                date=_date(data["expected_by"]),
            )
            if data.get("expected_by")
            else str(labels.EVENT["interim_reply"])
        )
        return Entry(entry.at, text, data.get("text") or None, _("The municipality writes"))
    if kind == "decision" and data.get("outcome") in labels.OUTCOME:
        return Entry(entry.at, _("Decision: %(outcome)s", outcome=labels.OUTCOME[data["outcome"]]))
    if kind == "served" and data.get("served_on"):
        text = (
            _("The decision was delivered to your digital mailbox on %(date)s", date=_date(data["served_on"]))
            if data.get("channel") == "digital"
            else _("The decision was sent to you by post on %(date)s", date=_date(data["served_on"]))
        )
        return Entry(entry.at, text)
    if kind == "appealed":
        text = (
            _(
                "You appealed the decision (after the last day, %(date)s: the municipality decides whether it can "
                "be tried)",
                date=_date(data.get("deadline")),
            )
            if data.get("late")
            else str(labels.EVENT["appealed"])
        )
        return Entry(entry.at, text)
    if kind == "appeal_reconsidered":
        text = (
            _("The municipality reconsidered and changed the decision you appealed")
            if data.get("outcome") == "changed"
            else _("The municipality reconsidered the decision you appealed and kept it")
        )
        return Entry(entry.at, text)
    if kind == "appeal_forwarded" and data.get("forwarded_on"):
        return Entry(
            entry.at,
            _(
                "Your appeal was sent to the administrative court (förvaltningsrätten) on %(date)s",
                date=_date(data["forwarded_on"]),
            ),
        )
    if kind == "payment" and data.get("state") in labels.PAYMENT_STATE:
        return Entry(
            entry.at,
            _(
                "Payment of %(amount)s on %(date)s: %(state)s",
                amount=kronor(data.get("amount")),
                date=_date(data.get("due_date")),
                state=labels.PAYMENT_STATE[data["state"]],
            ),
        )
    if kind in ("not_handled", "withdrawn"):
        label = _("Reason") if kind == "not_handled" else _("Your reason")
        return Entry(entry.at, str(labels.EVENT[kind]), data.get("reason"), label)
    if kind == "message":
        text = (
            _("You sent a message to the municipality")
            if entry.source == case.APPLICANT
            else _("The municipality sent you a message")
        )
        return Entry(entry.at, text)
    return Entry(entry.at, str(labels.EVENT.get(kind, kind)))


def _municipality_of_registration(entry: ApplicationEvent) -> str:
    """The municipality that registered: the one the case was with at that point of the timeline."""
    code = None
    for earlier in entry.application.events:
        if earlier.id == entry.id:
            break
        if earlier.kind == "forwarded" and earlier.data:
            code = earlier.data.get("to_municipality")
    if code is None:
        first = next((e for e in entry.application.events if e.kind == "forwarded" and e.data), None)
        code = first.data.get("from_municipality") if first and first.data else entry.application.municipality_code
    return municipality_name(code)


def timeline(application: Application, requests_by_id: dict[str, SupplementRequest]) -> list[Entry]:
    """Newest first."""
    return [event_entry(e, requests_by_id) for e in reversed(application.events)]


# --- the whole case page --------------------------------------------------------------------------


@dataclass
class RequestView:
    request: SupplementRequest
    item: str | None  # the fetched item it concerns, in words
    files: list = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.request.is_open and self.request.due_date < clock.today()


def item_text(item_id: int | None) -> str | None:
    if item_id is None:
        return None
    item = db.session.get(InformationItem, item_id)
    if item is None:
        return None
    try:
        label, _help = item_label(provider(item.provider), item.kind)
    except (KeyError, LookupError):
        label = item.kind
    member = db.session.get(HouseholdMember, item.member_id)
    parts = [label]
    if member is not None:
        parts.append(member.name)
    if item.period_start:
        parts.append(month(item.period_start))
    if item.amount_ore is not None:
        parts.append(money(item.amount_ore))
    return ", ".join(parts)


def files_by(column, ids: list[str]) -> dict[str, list]:
    grouped: dict[str, list] = {i: [] for i in ids}
    if ids:
        for attachment in db.session.scalars(
            select(Attachment).where(column.in_(ids)).order_by(Attachment.created_at, Attachment.id)
        ):
            grouped[getattr(attachment, column.key)].append(attachment)
    return grouped


def request_views(application: Application) -> list[RequestView]:
    found = case.requests(application)
    files = files_by(Attachment.request_id, [r.id for r in found])
    return [RequestView(r, item_text(r.item_id), files[r.id]) for r in found]


def _attention_from(
    application: Application, requests: list[RequestView], messages: Sequence[Row]
) -> tuple[Attention, list[Row]]:
    """What :func:`attention_for` counts and :func:`replies_wanted` lists for one application, worked out from
    its requests and messages the case page reads anyway (issue 15, point 5: four statements fewer), by the
    same tests."""
    replied_to = {m.in_reply_to for m in messages if m.sender == case.APPLICANT and m.in_reply_to is not None}
    wanted = (
        []
        if application.status in FINISHED
        else [
            m
            for m in messages  # in the order they were sent, as replies_wanted's
            if m.sender == case.MUNICIPALITY and m.reply_requested is True and m.id not in replied_to
        ]
    )
    attention = Attention(
        open_requests=sum(1 for v in requests if v.request.answered_at is None)
        if application.status in OPEN_CASE
        else 0,
        unread_messages=sum(1 for m in messages if m.sender == case.MUNICIPALITY and m.read_at is None),
        replies_wanted=len(wanted),
    )
    return attention, wanted


# The case page's reads (issue 15, point 5), built once with the application as a bound parameter. The
# messages as plain rows of what the page counts and links (their bodies are on the messages page); the
# decisions without their PDF and calculation lines (on pages of their own); the payments as the rows the table
# shows.
_MESSAGES = (
    select(
        Message.id,
        Message.sender,
        Message.reply_requested,
        Message.in_reply_to,
        Message.sent_at,
        Message.read_at,
        Message.document_requirement,
    )
    .where(Message.application_id == bindparam("application_id"))
    .order_by(Message.sent_at, Message.id)
)
_SAID_LATER = select(DocumentAnswer.id).where(
    DocumentAnswer.application_id == bindparam("application_id"), DocumentAnswer.answer == documents.LATER
)


@dataclass(frozen=True)
class LaterDocument:
    """A document the applicant said, when sending, would come later: as the frozen document lists it, in the
    reader's language, with when they last sent it (a message carrying it)."""

    key: str
    title: str
    reason: str
    member: str | None
    sent_at: datetime | None
    filed_title: str  # as the frozen document has it, in Swedish: the case file's language


def later_documents(
    application: Application, messages: Sequence | None = None, said_later: bool | None = None
) -> list[LaterDocument]:
    """``messages``: the case's message rows (``_MESSAGES``) if already read; ``said_later``: whether the applicant
    said any document would come later, if already known."""
    params = {"application_id": application.id}
    if said_later is None:
        said_later = db.session.execute(_SAID_LATER.limit(1), params).first() is not None
    # Most applications have none: the frozen document (the whole household's) is read only for one that has.
    if not said_later:
        return []
    frozen = frozen_document(application)
    if frozen is None:
        return []
    rows = db.session.execute(_MESSAGES, params).all() if messages is None else messages
    sent = {r.document_requirement: r.sent_at for r in rows if r.sender == case.APPLICANT and r.document_requirement}
    doc = json.loads(frozen.body)
    names = document_names(doc)
    found = []
    for entry in doc.get("expectedDocuments") or []:
        if entry.get("status") != documents.LATER:
            continue
        title, reason = documents.texts(entry.get("kind"), entry.get("requirement")) or (
            entry.get("title"),
            entry.get("reason"),
        )
        key = entry["requirement"]
        member = names.get(entry["memberId"]) if entry.get("memberId") is not None else None
        found.append(LaterDocument(key, str(title), str(reason), member, sent.get(key), entry.get("title") or ""))
    return found


_DECISIONS = (
    select(Decision)
    .where(Decision.application_id == bindparam("application_id"))
    .order_by(Decision.decided_at)
    .options(defer(Decision.document), defer(Decision.calculation_lines))
)
_PAYMENTS = (
    select(Payment.due_date, Payment.amount, Payment.state)
    .where(Payment.application_id == bindparam("application_id"))
    .order_by(Payment.due_date)
)


# The events the status and the timeline are made of, with the receipt's digest beside each (the same on every
# row), in one statement instead of two; a sent application always has its "submitted" event.
_EVENTS = (
    select(
        ApplicationEvent,
        FROZEN_DIGEST.scalar_subquery().label("digest"),
        _SAID_LATER.limit(1).exists().label("said_later"),
    )
    .where(ApplicationEvent.application_id == bindparam("application_id"))
    .order_by(ApplicationEvent.id)
)


class Receipt(NamedTuple):
    """What the page shows of the sent document (templates/application/_checksum.html)."""

    sha256: str


def _events_and_digest(application: Application) -> tuple[str | None, bool | None]:
    """Load ``application.events`` (as the relationship orders them), unless already loaded, and return the
    sha256 of the application's own document and whether a document was said to come later, read with them
    (None: not known)."""
    if "events" in inspect(application).dict:
        return frozen_digest(application), None
    rows = db.session.execute(_EVENTS, {"application_id": application.id}).all()
    set_committed_value(application, "events", [row[0] for row in rows])
    return (rows[0].digest, bool(rows[0].said_later)) if rows else (frozen_digest(application), None)


def case_page(application: Application) -> dict:
    """Everything the case page shows."""
    requests = request_views(application)
    by_id = {view.request.id: view.request for view in requests}
    params = {"application_id": application.id}
    digest, said_later = _events_and_digest(application)
    all_messages = db.session.execute(_MESSAGES, params).all()
    # Every decision is recorded with its "decision" event (case.decide), and a payment is reported only on a
    # decided case (case.report_payment): without the event there is neither to read.
    decided = any(entry.kind == "decision" for entry in application.events)
    decisions = list(db.session.scalars(_DECISIONS, params)) if decided else []
    interim = _event_data(application, "interim_reply")
    attention, wanted = _attention_from(application, requests, all_messages)
    return {
        "later_documents": later_documents(application, all_messages, said_later),
        "application": application,
        "municipality_name": municipality_name(application.municipality_code),
        "unit_name": unit_name(application.municipality_code, application.inbox_id),
        "status_label": application_labels.STATUS.get(application.status, application.status),
        "status_text": status_text(application),
        "forwarding": last_forwarding(application),
        "end_reason": end_reason(application),
        "interim": interim,
        "interim_expected": date.fromisoformat(interim["expected_by"])
        if interim and interim.get("expected_by")
        else None,
        "open_requests": [v for v in requests if v.request.is_open and application.status in OPEN_CASE],
        "answered_requests": [v for v in requests if not v.request.is_open],
        "unanswered_closed": [v for v in requests if v.request.is_open and application.status not in OPEN_CASE],
        "decisions": decisions,
        "payments": db.session.execute(_PAYMENTS, params).all() if decisions else [],
        "message_count": len(all_messages),
        "attention": attention,
        "replies_wanted": wanted,
        "timeline": timeline(application, by_id),
        "frozen": Receipt(digest) if digest is not None else None,
        "may_withdraw": may_withdraw(application),
        "may_write": may_write(application),
        "outcome_label": labels.OUTCOME,
        "payment_label": labels.PAYMENT_STATE,
        "kronor": kronor,
    }


def decision_of(application: Application, decision_id: str) -> Decision | None:
    return db.session.scalar(
        select(Decision).where(Decision.id == decision_id, Decision.application_id == application.id)
    )


def request_of(application: Application, request_id: str) -> SupplementRequest | None:
    return db.session.scalar(
        select(SupplementRequest).where(
            SupplementRequest.id == request_id, SupplementRequest.application_id == application.id
        )
    )


def message_of(application: Application, message_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(Message.id == message_id, Message.application_id == application.id))
