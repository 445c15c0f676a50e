"""The case through the API: everything the built-in inbox does, for a municipality's own case
system. Handlers are thin over ``portal/case/services.py``: they read and check the request
(``inputs``), load the application the client's municipality has now (``routes.load``: 404
otherwise), call the operation, and answer with its ``representation``. Every read is audited.

Scopes: ``applications:read`` reads; ``case:write`` posts events, sends messages and marks
messages and answers as seen. Reading never changes read state: a system marks messages read
(``POST .../messages/read``) and answers seen (``POST .../supplement-requests/{id}/seen``) when
a person has actually seen them, so an archive or a poller cannot make a caseworker miss news.

Idempotency: ``POST .../events`` and ``POST .../messages`` take an ``Idempotency-Key`` header
(1-100 visible ASCII characters, unique per application). The key and a digest of the body are
kept with the timeline event the request made, in the same transaction; a repeat with the same
key and body answers the first result again (200, ``Idempotent-Replayed: true``) and changes
nothing; the same key with another body is refused (422). Without a key: a payment report with
an ``externalRef`` that changes nothing is answered as a replay too; decisions, closing and other
state changes cannot happen twice (409 on a repeat).
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from functools import wraps

from flask import abort, g, has_request_context, jsonify, request
from sqlalchemy import event as sa_event
from sqlalchemy import select

from portal import clock
from portal.api import clients, inputs, message_files
from portal.api import representation as rep
from portal.api.inputs import BadInput, Fields, NotJson
from portal.api.routes import (
    INBOX_ID,
    PAGE_DEFAULT,
    PAGE_MAX,
    UUID,
    bp,
    case_problem,
    document_response,
)
from portal.api.tokens import problem, require_scope
from portal.application.access import load_application
from portal.application.models import Application, ApplicationEvent
from portal.attachments import services as attachments
from portal.attachments.models import Attachment
from portal.attachments.storage import current_storage
from portal.audit.services import record, record_and_commit, record_read
from portal.auth.access import requires
from portal.case import services as case
from portal.case.models import Decision, Message, Payment, SupplementRequest
from portal.case.states import GRANTING, PaymentState
from portal.extensions import db
from portal.routing.services import UnknownMunicipality, status
from portal.submission.models import FrozenDocument
from portal.submission.services import frozen_document
from portal.web.files import PRIVATE_NO_STORE, send_private_file

_CODE = re.compile(r"^\d{4}$")

# The handling events a system may post, each applied by the case operation of this name.
OPERATIONS = {
    "underHandling": "start_handling",
    "assigned": "assign",
    "forwarded": "forward",
    "supplementRequested": "request_supplement",
    "interimReply": "interim_reply",
    "decision": "decide",
    "payment": "report_payment",
    "closed": "close",
    "notHandled": "not_handled",
}
EVENT_TYPES = tuple(OPERATIONS)
_KIND_OF = {api_type: kind for kind, api_type in rep.EVENT_TYPES.items()}


# --- answers ------------------------------------------------------------------------------------


def _refused(error: NotJson | BadInput | KeyReused | case.CaseError):
    if isinstance(error, NotJson):
        return problem(415, "unsupported_media_type", "send the body as application/json")
    if isinstance(error, BadInput):
        return problem(
            400,
            "invalid_request",
            f"{error.pointer}: {error.detail}" if error.pointer else error.detail,
            errors=[{"pointer": error.pointer, "detail": error.detail}],
        )
    if isinstance(error, KeyReused):
        return problem(422, "idempotency_key_reused", "this Idempotency-Key was used with another request body")
    return case_problem(error)


def _case_handler(scope: str):
    """The scope is checked before anything is read. A handler refuses by raising (bad input, a
    body that is not JSON, a reused idempotency key, a case rule): the refusal is answered as a
    problem after a rollback, so nothing half-done is kept and no row lock outlives the request."""

    def decorator(view):
        @wraps(view)
        def handler(*args, **kwargs):
            if denied := require_scope(scope):
                return denied
            try:
                return view(*args, **kwargs)
            except (NotJson, BadInput, KeyReused, case.CaseError) as error:
                db.session.rollback()
                return _refused(error)

        return handler

    return decorator


def _case_read(what: str, purpose: str, **ranges: tuple[int, int, int]):
    """A read of the case as JSON: ``build(application, **params)`` gives the body. Query
    parameters other than ``ranges`` (integers: default, low, high) are refused before the
    application is looked at, so a bad query is told apart from a case that is not there."""

    def decorator(build):
        @_case_handler(clients.READ)
        @wraps(build)
        def handler(application_id: str):
            _no_query(*ranges)
            params = {name: _int_arg(name, *bounds) for name, bounds in ranges.items()}
            application = load_application(application_id, "api")
            body = build(application, **params)
            record_read(what, application.id, purpose, subject_id=application.applicant_id)
            return jsonify(body)

        return handler

    return decorator


def _created(payload: dict):
    response = jsonify(payload)
    response.status_code = 201
    return response


def _no_query(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise BadInput("", f"unknown query parameter: {unknown[0]}")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadInput("", f"invalid parameter: {name} (an integer {low}-{high})")
    return int(raw)


def _client() -> clients.ApiClient:
    client = clients.get(g.actor.id)
    assert client is not None  # the request's token was checked against the configured clients
    return client


# --- idempotency ----------------------------------------------------------------------------------

_STAMP = "api_event_stamp"


@sa_event.listens_for(ApplicationEvent, "before_insert")
def _stamp_event(mapper, connection, target: ApplicationEvent) -> None:
    """Keep the request's idempotency key with the timeline event it made, in its transaction."""
    stamp = g.get(_STAMP) if has_request_context() else None
    if stamp is not None and target.source == case.MUNICIPALITY:
        target.data = {**(target.data or {}), rep.KEY_FIELD: stamp}


@contextmanager
def _stamped(key: str | None, digest: str):
    if key is None:
        yield
        return
    setattr(g, _STAMP, {"key": key, "sha256": digest})
    try:
        yield
    finally:
        g.pop(_STAMP, None)


def _digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class KeyReused(Exception):
    pass


def _earlier(application: Application, key: str | None, digest: str) -> ApplicationEvent | None:
    """The event an earlier request with this key made, if any (KeyReused: another body)."""
    if key is None:
        return None
    for entry in application.events:
        stamp = (entry.data or {}).get(rep.KEY_FIELD)
        if isinstance(stamp, dict) and stamp.get("key") == key:
            if stamp.get("sha256") != digest:
                raise KeyReused()
            return entry
    return None


def _replay(application: Application, why: str, payload: dict):
    """The first result again; a repeat changes nothing but the audit trail."""
    record_and_commit("replay", "application", application.id, why, subject_id=application.applicant_id)
    response = jsonify(payload)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _write_request() -> tuple[str | None, dict]:
    """The idempotency key and the JSON body of a write, which takes no query parameters."""
    key = inputs.idempotency_key()
    body = inputs.json_body()
    _no_query()
    return key, body


# --- the case -----------------------------------------------------------------------------------


@bp.get("/applications/<application_id>/case")
@requires("api")
@_case_read("case", "municipality system reads the case's status")
def get_case(application: Application) -> dict:
    return rep.case(application, case.unread(application, case.MUNICIPALITY), len(case.open_requests(application)))


# --- the timeline ---------------------------------------------------------------------------------


@bp.get("/applications/<application_id>/events")
@requires("api")
@_case_read(
    "case_events",
    "municipality system reads the case's timeline",
    after=(0, 0, 2**31 - 1),
    limit=(PAGE_DEFAULT, 1, PAGE_MAX),
)
def list_events(application: Application, after: int, limit: int) -> dict:
    """The timeline, oldest first, from ``after`` (an event id): poll with the last id seen."""
    entries = list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(
                ApplicationEvent.application_id == application.id,
                ApplicationEvent.id > after,
                ApplicationEvent.kind.in_(rep.EVENT_TYPES),
            )
            .order_by(ApplicationEvent.id)
            .limit(limit + 1)
        )
    )
    page, more = entries[:limit], len(entries) > limit
    return {
        "events": [rep.event(e) for e in page],
        "nextAfter": page[-1].id if more else None,
        "lastId": page[-1].id if page else after,
    }


def _parse_event(body: dict) -> tuple[str, dict]:
    """The event's type and the operation's arguments, every field checked."""
    fields = Fields(body)
    kind = fields.choice("type", EVENT_TYPES)
    args: dict = {}
    if kind == "assigned":
        args["staff_id"] = fields.text("caseworkerId", 80)
        args["name"] = fields.text("caseworkerName", 200)
    elif kind == "forwarded":
        args["to_municipality"] = fields.pattern("municipalityCode", _CODE, "a municipality code of four digits")
        args["to_inbox"] = fields.pattern(
            "inboxId", INBOX_ID, "an inbox id (lowercase letters, digits, '-')", required=False
        )
        args["reason"] = fields.text("reason", 1000)
    elif kind == "supplementRequested":
        args["what"] = fields.text("what", 500)
        args["why"] = fields.text("why", 4000)
        args["due_date"] = fields.date("dueDate")
        args["item_id"] = fields.integer("itemId", 1, required=False)
        args["requested_by"] = fields.text("requestedBy", 200, required=False) or _client().name or g.actor.id
    elif kind == "interimReply":
        args["text"] = fields.text("text", 4000)
        args["expected_by"] = fields.date("expectedBy", required=False)
        if args["expected_by"] is not None and args["expected_by"] < clock.today():
            raise BadInput("/expectedBy", "must not be in the past")
    elif kind == "decision":
        outcome = fields.choice("outcome", tuple(rep.OUTCOME_OF_API))
        args["outcome"] = rep.OUTCOME_OF_API[outcome]
        granting = args["outcome"] in GRANTING
        args["amount"] = fields.integer("amount", 1, 10_000_000, required=granting)
        args["period_start"] = fields.date("periodStart", required=granting)
        args["period_end"] = fields.date("periodEnd", required=granting)
        if not granting:
            for name, value in (
                ("amount", args["amount"]),
                ("periodStart", args["period_start"]),
                ("periodEnd", args["period_end"]),
            ):
                if value is not None:
                    raise BadInput(f"/{name}", "only a grant (granted, partlyGranted) has an amount and a period")
        else:
            assert args["period_start"] is not None and args["period_end"] is not None  # required for a grant
            if args["period_end"] < args["period_start"]:
                raise BadInput("/periodEnd", "must not be before periodStart")
        args["reasoning"] = fields.text("reasoning", 20000)
        args["decided_by"] = fields.text("decidedBy", 200)
        args["document"] = fields.pdf("document")
    elif kind == "payment":
        args["external_ref"] = fields.text("externalRef", 80)
        args["amount"] = fields.integer("amount", 1, 10_000_000)
        args["due_date"] = fields.date("dueDate")
        args["state"] = fields.choice("state", tuple(PaymentState))
    elif kind == "notHandled":
        args["reason"] = fields.text("reason", 1000)
    fields.done()
    return kind, args


def _unchanged_payment(application: Application, args: dict) -> ApplicationEvent | None:
    """A payment report that changes nothing (same externalRef, amount, due date, state): the
    event of the earlier report, so a repeat makes no second timeline entry."""
    payment = db.session.scalar(
        select(Payment).where(Payment.application_id == application.id, Payment.external_ref == args["external_ref"])
    )
    if payment is None or (payment.amount, payment.due_date, payment.state) != (
        args["amount"],
        args["due_date"],
        args["state"],
    ):
        return None
    for entry in reversed(application.events):
        if entry.kind == "payment" and (entry.data or {}).get("payment_id") == payment.id:
            return entry
    return None


@bp.post("/applications/<application_id>/events")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def post_event(application_id: str):
    """One handling event (typed by ``type``), applied with the case operation of the same name."""
    key, body = _write_request()
    application = load_application(application_id, "api", for_update=True)
    kind, args = _parse_event(body)
    digest = _digest(body)
    if (earlier := _earlier(application, key, digest)) is not None:
        return _replay(application, f"repeated event {kind} (idempotency key)", rep.event(earlier))
    if kind == "payment" and (same := _unchanged_payment(application, args)) is not None:
        return _replay(application, "repeated payment report, unchanged", rep.event(same))
    if kind == "forwarded":
        try:
            status(args["to_municipality"])
        except UnknownMunicipality:
            raise BadInput("/municipalityCode", "no such municipality") from None
    last = max((e.id for e in application.events), default=0)
    with _stamped(key, digest):
        getattr(case, OPERATIONS[kind])(application, **args)
    entry = db.session.scalar(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_id == application.id,
            ApplicationEvent.kind == _KIND_OF[kind],
            ApplicationEvent.id > last,
        )
        .order_by(ApplicationEvent.id.desc())
        .limit(1)
    )
    assert entry is not None  # the operation has just recorded it
    return _created(rep.event(entry))


# --- supplement requests and their answers -------------------------------------------------------


def _files(**where) -> list:
    column, value = next(iter(where.items()))
    return list(
        db.session.scalars(
            select(Attachment)
            .where(getattr(Attachment, column) == value)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def _versions(application: Application) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(FrozenDocument.id, FrozenDocument.version).where(FrozenDocument.application_id == application.id)
        ).all()
    )


def _request_body(item: SupplementRequest, versions: dict[int, int]) -> dict:
    body = rep.request(item, _files(request_id=item.id) if item.answered_at else [])
    if body["answer"] is not None:
        body["answer"]["documentVersion"] = versions.get(body["answer"].pop("documentId"))
    return body


@bp.get("/applications/<application_id>/supplement-requests")
@requires("api")
@_case_read("supplement_requests", "municipality system reads supplement requests and answers")
def list_requests(application: Application) -> dict:
    versions = _versions(application)
    return {"requests": [_request_body(item, versions) for item in case.requests(application)]}


def _request_of(application: Application, request_id: str) -> SupplementRequest:
    item = db.session.get(SupplementRequest, request_id) if UUID.match(request_id) else None
    if item is None or item.application_id != application.id:
        abort(404)
    return item


@bp.post("/applications/<application_id>/supplement-requests/<request_id>/seen")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def answer_seen(application_id: str, request_id: str):
    """A person has read the answer: the case is no longer listed as supplemented."""
    application = load_application(application_id, "api", for_update=True)
    item = _request_of(application, request_id)
    if item.answered_at is None:
        raise case.CaseError("not_answered")
    if item.answer_seen_at is None:
        record("change", "application", application.id, "supplement answer seen", subject_id=application.applicant_id)
    case.mark_answer_seen(item)  # ends the transaction, and with it the row lock, seen before or not
    return jsonify(_request_body(item, _versions(application)))


# --- messages -------------------------------------------------------------------------------------


def _message_body(item) -> dict:
    return rep.message(item, _files(message_id=item.id))


@bp.get("/applications/<application_id>/messages")
@requires("api")
@_case_read("case_messages", "municipality system reads the case's messages")
def list_messages(application: Application) -> dict:
    """Both ways, oldest first. Reading does not mark anything read (see ``messages/read``)."""
    items = case.messages(application)
    unread = sum(1 for m in items if m.sender == case.APPLICANT and m.read_at is None)
    return {"messages": [_message_body(m) for m in items], "unread": unread}


@bp.post("/applications/<application_id>/messages")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def send_message(application_id: str):
    key, body = _write_request()
    fields = Fields(body)
    text = fields.text("body", 10000)
    author = fields.text("authorName", 200)
    reply_requested = fields.boolean("replyRequested") or False
    in_reply_to = fields.pattern("inReplyTo", UUID, "a message id", required=False)
    files = message_files.take(fields)
    fields.done()
    application = load_application(application_id, "api", for_update=True)
    digest = _digest(body)
    if (earlier := _earlier(application, key, digest)) is not None:
        assert earlier.data is not None  # it holds the key's stamp
        return _replay(
            application,
            "repeated message (idempotency key)",
            _message_body(db.session.get_one(Message, earlier.data["message_id"])),
        )
    stored = message_files.store(application, files, _client().name or g.actor.id)
    with _stamped(key, digest):
        message = case.send_message(
            application,
            case.MUNICIPALITY,
            author,
            text,
            reply_requested=reply_requested,
            in_reply_to=in_reply_to,
            attachment_ids=stored,
        )
    return _created(_message_body(message))


@bp.post("/applications/<application_id>/messages/read")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def mark_messages_read(application_id: str):
    """A person has read the applicant's messages: they are marked read (the applicant sees it)."""
    application = load_application(application_id, "api", for_update=True)
    record("change", "application", application.id, "messages read", subject_id=application.applicant_id)
    marked = case.mark_read(application, case.MUNICIPALITY)
    return jsonify(marked=marked, unread=case.unread(application, case.MUNICIPALITY))


# --- documents, files, decisions, payments --------------------------------------------------------


@bp.get("/applications/<application_id>/documents")
@requires("api")
@_case_read("documents", "municipality system lists the application's documents")
def list_documents(application: Application) -> dict:
    """The application's document and the later ones (answers to supplement requests), each a
    frozen version referring to the first."""
    documents = list(
        db.session.scalars(
            select(FrozenDocument)
            .where(FrozenDocument.application_id == application.id)
            .order_by(FrozenDocument.version)
        )
    )
    versions = {d.id: d.version for d in documents}
    body = []
    for item in documents:
        entry = rep.document(item)
        entry["refersTo"] = versions.get(item.refers_to) if item.refers_to is not None else None
        del entry["id"]
        body.append(entry)
    return {"documents": body}


@bp.get("/applications/<application_id>/documents/<version>")
@requires("api")
@_case_handler(clients.READ)
def get_document(application_id: str, version: str):
    application = load_application(application_id, "api")
    if not version.isascii() or not version.isdigit() or not 1 <= int(version) <= 2**31 - 1:
        abort(404)
    number = int(version)
    frozen = db.session.scalar(
        select(FrozenDocument).where(FrozenDocument.application_id == application.id, FrozenDocument.version == number)
    )
    if frozen is None:
        abort(404)
    record_read(
        "exchange_document",
        application.id,
        f"municipality system fetches document version {number}",
        subject_id=application.applicant_id,
    )
    return document_response(frozen)


def _sent_attachment(application: Application, attachment_id: str):
    """A file the applicant has sent to the municipality: with the application (listed in its
    document), with a message, or with an answer to a request. Files still being prepared for
    an answer or a message are the applicant's own until sent."""
    file = attachments.get(application.id, attachment_id) if UUID.match(attachment_id) else None
    if file is None:
        abort(404)
    if file.message_id:
        return file
    if file.request_id:
        answered = db.session.scalar(
            select(SupplementRequest.answered_at).where(SupplementRequest.id == file.request_id)
        )
        if answered is not None:
            return file
        abort(404)
    original = frozen_document(application)
    listed = json.loads(original.body).get("attachments") or [] if original else []
    if any(isinstance(a, dict) and a.get("id") == file.id for a in listed):
        return file
    abort(404)
    return None


@bp.get("/applications/<application_id>/attachments/<attachment_id>")
@requires("api")
@_case_handler(clients.READ)
def get_attachment(application_id: str, attachment_id: str):
    """An attachment's bytes (PDF, JPEG or PNG as checked on upload), for the application's
    files, answers and messages; its SHA-256 is in the listing and the ``Content-Digest``."""
    application = load_application(application_id, "api")
    file = _sent_attachment(application, attachment_id)
    record_read("attachment", file.id, "municipality system fetches an attachment", subject_id=application.applicant_id)
    return send_private_file(
        current_storage().open(file.storage_key),
        filename=file.original_name,
        mimetype=file.media_type,
        sha256=file.sha256,
        cache_control=PRIVATE_NO_STORE,
    )


@bp.get("/applications/<application_id>/decisions")
@requires("api")
@_case_read("decisions", "municipality system reads the decisions")
def list_decisions(application: Application) -> dict:
    return {"decisions": [rep.decision(d) for d in case.decisions(application)]}


@bp.get("/applications/<application_id>/decisions/<decision_id>/document")
@requires("api")
@_case_handler(clients.READ)
def get_decision_document(application_id: str, decision_id: str):
    application = load_application(application_id, "api")
    decision = db.session.get(Decision, decision_id) if UUID.match(decision_id) else None
    if decision is None or decision.application_id != application.id:
        abort(404)
    record_read(
        "decision",
        decision.id,
        "municipality system fetches the decision document",
        subject_id=application.applicant_id,
    )
    return send_private_file(
        decision.document,
        filename=f"{application.reference}-beslut.pdf",
        mimetype="application/pdf",
        cache_control=PRIVATE_NO_STORE,
    )


@bp.get("/applications/<application_id>/payments")
@requires("api")
@_case_read("payments", "municipality system reads the payments")
def list_payments(application: Application) -> dict:
    return {"payments": [rep.payment(p) for p in case.payments(application)]}
