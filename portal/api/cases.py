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

from flask import abort, current_app, g, has_request_context, jsonify, request, send_file
from sqlalchemy import event as sa_event
from sqlalchemy import select

from portal.api import clients, inputs
from portal.api import representation as rep
from portal.api.inputs import BadInput, Fields, NotJson
from portal.api.routes import bp, case_problem, document_response, load
from portal.api.tokens import problem, require_scope
from portal.application.models import Application, ApplicationEvent
from portal.audit.services import record, record_read
from portal.auth.access import requires
from portal.case import services as case
from portal.case.models import Decision, Payment, SupplementRequest
from portal.db import utcnow
from portal.delivery.models import FrozenDocument
from portal.extensions import db

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE = re.compile(r"^\d{4}$")
_INBOX = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
PAGE_DEFAULT, PAGE_MAX = 100, 500

EVENT_TYPES = ("underHandling", "assigned", "forwarded", "supplementRequested", "interimReply", "decision",
               "payment", "closed", "notHandled")
PAYMENT_STATES = ("planned", "paid", "stopped", "cancelled")


# --- answers ------------------------------------------------------------------------------------

def _bad(bad: BadInput):
    return problem(400, "invalid_request", bad.detail if not bad.pointer else f"{bad.pointer}: {bad.detail}",
                   errors=[{"pointer": bad.pointer, "detail": bad.detail}])


def _not_json():
    return problem(415, "unsupported_media_type", "send the body as application/json")


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


def _read(what: str, application: Application, purpose: str) -> None:
    record_read(what, application.id, purpose, subject_id=application.applicant_id)


def _client() -> clients.ApiClient:
    return clients.get(g.actor.id)


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


def _replayed(payload: dict):
    response = jsonify(payload)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _key_reused():
    return problem(422, "idempotency_key_reused", "this Idempotency-Key was used with another request body")


# --- the case -----------------------------------------------------------------------------------

@bp.get("/applications/<application_id>/case")
@requires("api")
def get_case(application_id: str):
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    body = rep.case(application, case.unread(application, case.MUNICIPALITY), len(case.open_requests(application)))
    _read("case", application, "municipality system reads the case's status")
    return jsonify(body)


# --- the timeline ---------------------------------------------------------------------------------

@bp.get("/applications/<application_id>/events")
@requires("api")
def list_events(application_id: str):
    """The timeline, oldest first, from ``after`` (an event id): poll with the last id seen."""
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query("after", "limit")
        after = _int_arg("after", 0, 0, 2 ** 31 - 1)
        limit = _int_arg("limit", PAGE_DEFAULT, 1, PAGE_MAX)
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    entries = list(db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application.id, ApplicationEvent.id > after,
                                       ApplicationEvent.kind.in_(rep.EVENT_TYPES))
        .order_by(ApplicationEvent.id).limit(limit + 1)))
    page, more = entries[:limit], len(entries) > limit
    _read("case_events", application, "municipality system reads the case's timeline")
    return jsonify(events=[rep.event(e) for e in page], nextAfter=page[-1].id if more else None,
                   lastId=page[-1].id if page else after)


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
        args["to_inbox"] = fields.pattern("inboxId", _INBOX, "an inbox id (lowercase letters, digits, '-')",
                                          required=False)
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
        if args["expected_by"] is not None and args["expected_by"] < utcnow().date():
            raise BadInput("/expectedBy", "must not be in the past")
    elif kind == "decision":
        outcome = fields.choice("outcome", tuple(rep.OUTCOME_OF_API))
        args["outcome"] = rep.OUTCOME_OF_API[outcome]
        granting = args["outcome"] in case.GRANTING
        args["amount"] = fields.integer("amount", 1, 10_000_000, required=granting)
        args["period_start"] = fields.date("periodStart", required=granting)
        args["period_end"] = fields.date("periodEnd", required=granting)
        if not granting:
            for name, value in (("amount", args["amount"]), ("periodStart", args["period_start"]),
                                ("periodEnd", args["period_end"])):
                if value is not None:
                    raise BadInput(f"/{name}", "only a grant (granted, partlyGranted) has an amount and a period")
        elif args["period_end"] < args["period_start"]:
            raise BadInput("/periodEnd", "must not be before periodStart")
        args["reasoning"] = fields.text("reasoning", 20000)
        args["decided_by"] = fields.text("decidedBy", 200)
        args["document"] = fields.pdf("document")
    elif kind == "payment":
        args["external_ref"] = fields.text("externalRef", 80)
        args["amount"] = fields.integer("amount", 1, 10_000_000)
        args["due_date"] = fields.date("dueDate")
        args["state"] = fields.choice("state", PAYMENT_STATES)
    elif kind == "notHandled":
        args["reason"] = fields.text("reason", 1000)
    fields.done()
    return kind, args


def _run(kind: str, application: Application, args: dict):
    if kind == "underHandling":
        case.start_handling(application)
    elif kind == "assigned":
        case.assign(application, **args)
    elif kind == "forwarded":
        case.forward(application, **args)
    elif kind == "supplementRequested":
        case.request_supplement(application, **args)
    elif kind == "interimReply":
        case.interim_reply(application, **args)
    elif kind == "decision":
        case.decide(application, **args)
    elif kind == "payment":
        case.report_payment(application, **args)
    elif kind == "closed":
        case.close(application)
    elif kind == "notHandled":
        case.not_handled(application, **args)


_KIND_OF = {"underHandling": "under_handling", "assigned": "assigned", "forwarded": "forwarded",
            "supplementRequested": "supplement_requested", "interimReply": "interim_reply", "decision": "decision",
            "payment": "payment", "closed": "closed", "notHandled": "not_handled"}


def _unchanged_payment(application: Application, args: dict) -> ApplicationEvent | None:
    """A payment report that changes nothing (same externalRef, amount, due date, state): the
    event of the earlier report, so a repeat makes no second timeline entry."""
    payment = db.session.scalar(select(Payment).where(Payment.application_id == application.id,
                                                      Payment.external_ref == args["external_ref"]))
    if payment is None or (payment.amount, payment.due_date, payment.state) != (
            args["amount"], args["due_date"], args["state"]):
        return None
    for entry in reversed(application.events):
        if entry.kind == "payment" and (entry.data or {}).get("payment_id") == payment.id:
            return entry
    return None


@bp.post("/applications/<application_id>/events")
@requires("api")
def post_event(application_id: str):
    """One handling event (typed by ``type``), applied with the case operation of the same name."""
    if denied := require_scope(clients.CASE_WRITE):
        return denied
    try:
        key = inputs.idempotency_key()
        body = inputs.json_body()
        if request.args:
            _no_query()
    except NotJson:
        return _not_json()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id, for_update=True)
    try:
        kind, args = _parse_event(body)
    except BadInput as bad:
        db.session.rollback()
        return _bad(bad)
    digest = _digest(body)
    try:
        earlier = _earlier(application, key, digest)
    except KeyReused:
        db.session.rollback()
        return _key_reused()
    if earlier is not None:
        record("replay", "application", application.id, f"repeated event {kind} (idempotency key)",
               subject_id=application.applicant_id)
        db.session.commit()
        return _replayed(rep.event(earlier))
    if kind == "payment" and (same := _unchanged_payment(application, args)) is not None:
        record("replay", "application", application.id, "repeated payment report, unchanged",
               subject_id=application.applicant_id)
        db.session.commit()
        return _replayed(rep.event(same))
    if kind == "forwarded":
        from portal.routing.services import UnknownMunicipality, status

        try:
            status(args["to_municipality"])
        except UnknownMunicipality:
            db.session.rollback()
            return _bad(BadInput("/municipalityCode", "no such municipality"))
    last = max((e.id for e in application.events), default=0)
    try:
        with _stamped(key, digest):
            _run(kind, application, args)
    except case.CaseError as refused:
        db.session.rollback()
        return case_problem(refused)
    entry = db.session.scalar(select(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.kind == _KIND_OF[kind],
        ApplicationEvent.id > last).order_by(ApplicationEvent.id.desc()).limit(1))
    response = jsonify(rep.event(entry))
    response.status_code = 201
    return response


# --- supplement requests and their answers -------------------------------------------------------

def _files(**where) -> list:
    from portal.attachments.models import Attachment

    column, value = next(iter(where.items()))
    return list(db.session.scalars(select(Attachment).where(getattr(Attachment, column) == value)
                                   .order_by(Attachment.created_at, Attachment.id)))


def _versions(application: Application) -> dict[int, int]:
    return dict(db.session.execute(select(FrozenDocument.id, FrozenDocument.version)
                                   .where(FrozenDocument.application_id == application.id)).all())


def _request_body(item: SupplementRequest, versions: dict[int, int]) -> dict:
    body = rep.request(item, _files(request_id=item.id) if item.answered_at else [])
    if body["answer"] is not None:
        body["answer"]["documentVersion"] = versions.get(body["answer"].pop("documentId"))
    return body


@bp.get("/applications/<application_id>/supplement-requests")
@requires("api")
def list_requests(application_id: str):
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    versions = _versions(application)
    body = [_request_body(item, versions) for item in case.requests(application)]
    _read("supplement_requests", application, "municipality system reads supplement requests and answers")
    return jsonify(requests=body)


def _request_of(application: Application, request_id: str) -> SupplementRequest:
    item = db.session.get(SupplementRequest, request_id) if _UUID.match(request_id) else None
    if item is None or item.application_id != application.id:
        abort(404)
    return item


@bp.post("/applications/<application_id>/supplement-requests/<request_id>/seen")
@requires("api")
def answer_seen(application_id: str, request_id: str):
    """A person has read the answer: the case is no longer listed as supplemented."""
    if denied := require_scope(clients.CASE_WRITE):
        return denied
    application = load(application_id, for_update=True)
    item = _request_of(application, request_id)
    if item.answered_at is None:
        db.session.rollback()
        return case_problem(case.CaseError("not_answered"))
    if item.answer_seen_at is None:
        record("change", "application", application.id, "supplement answer seen", subject_id=application.applicant_id)
        case.mark_answer_seen(item)
    else:
        db.session.commit()
    return jsonify(_request_body(item, _versions(application)))


# --- messages -------------------------------------------------------------------------------------

def _message_body(item) -> dict:
    return rep.message(item, _files(message_id=item.id))


@bp.get("/applications/<application_id>/messages")
@requires("api")
def list_messages(application_id: str):
    """Both ways, oldest first. Reading does not mark anything read (see ``messages/read``)."""
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    items = case.messages(application)
    body = [_message_body(m) for m in items]
    unread = sum(1 for m in items if m.sender == case.APPLICANT and m.read_at is None)
    _read("case_messages", application, "municipality system reads the case's messages")
    return jsonify(messages=body, unread=unread)


@bp.post("/applications/<application_id>/messages")
@requires("api")
def send_message(application_id: str):
    if denied := require_scope(clients.CASE_WRITE):
        return denied
    try:
        key = inputs.idempotency_key()
        body = inputs.json_body()
        if request.args:
            _no_query()
        fields = Fields(body)
        text = fields.text("body", 10000)
        author = fields.text("authorName", 200)
        reply_requested = fields.boolean("replyRequested") or False
        in_reply_to = fields.pattern("inReplyTo", _UUID, "a message id", required=False)
        fields.done()
    except NotJson:
        return _not_json()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id, for_update=True)
    digest = _digest(body)
    try:
        earlier = _earlier(application, key, digest)
    except KeyReused:
        db.session.rollback()
        return _key_reused()
    if earlier is not None:
        from portal.case.models import Message

        record("replay", "application", application.id, "repeated message (idempotency key)",
               subject_id=application.applicant_id)
        db.session.commit()
        return _replayed(_message_body(db.session.get(Message, earlier.data["message_id"])))
    try:
        with _stamped(key, digest):
            message = case.send_message(application, case.MUNICIPALITY, author, text, reply_requested=reply_requested,
                                        in_reply_to=in_reply_to)
    except case.CaseError as refused:
        db.session.rollback()
        return case_problem(refused)
    response = jsonify(_message_body(message))
    response.status_code = 201
    return response


@bp.post("/applications/<application_id>/messages/read")
@requires("api")
def mark_messages_read(application_id: str):
    """A person has read the applicant's messages: they are marked read (the applicant sees it)."""
    if denied := require_scope(clients.CASE_WRITE):
        return denied
    application = load(application_id, for_update=True)
    record("change", "application", application.id, "messages read", subject_id=application.applicant_id)
    marked = case.mark_read(application, case.MUNICIPALITY)
    return jsonify(marked=marked, unread=case.unread(application, case.MUNICIPALITY))


# --- documents, files, decisions, payments --------------------------------------------------------

@bp.get("/applications/<application_id>/documents")
@requires("api")
def list_documents(application_id: str):
    """The application's document and the later ones (answers to supplement requests), each a
    frozen version referring to the first."""
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    documents = list(db.session.scalars(select(FrozenDocument).where(FrozenDocument.application_id == application.id)
                                        .order_by(FrozenDocument.version)))
    versions = {d.id: d.version for d in documents}
    body = []
    for item in documents:
        entry = rep.document(item)
        entry["refersTo"] = versions.get(item.refers_to)
        del entry["id"]
        body.append(entry)
    _read("documents", application, "municipality system lists the application's documents")
    return jsonify(documents=body)


@bp.get("/applications/<application_id>/documents/<version>")
@requires("api")
def get_document(application_id: str, version: str):
    if denied := require_scope(clients.READ):
        return denied
    application = load(application_id)
    if not version.isascii() or not version.isdigit() or not 1 <= int(version) <= 2 ** 31 - 1:
        abort(404)
    version = int(version)
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id,
                                                           FrozenDocument.version == version))
    if frozen is None:
        abort(404)
    record_read("exchange_document", application.id, f"municipality system fetches document version {version}",
                subject_id=application.applicant_id)
    return document_response(frozen)


def _sent_attachment(application: Application, attachment_id: str):
    """A file the applicant has sent to the municipality: with the application (listed in its
    document), with a message, or with an answer to a request. Files still being prepared for
    an answer or a message are the applicant's own until sent."""
    from portal.application.services import frozen_document
    from portal.attachments import services as attachments

    file = attachments.get(application.id, attachment_id) if _UUID.match(attachment_id) else None
    if file is None:
        abort(404)
    if file.message_id:
        return file
    if file.request_id:
        answered = db.session.scalar(select(SupplementRequest.answered_at)
                                     .where(SupplementRequest.id == file.request_id))
        if answered is not None:
            return file
        abort(404)
    original = frozen_document(application)
    listed = json.loads(original.body).get("attachments") or [] if original else []
    if any(isinstance(a, dict) and a.get("id") == file.id for a in listed):
        return file
    abort(404)


@bp.get("/applications/<application_id>/attachments/<attachment_id>")
@requires("api")
def get_attachment(application_id: str, attachment_id: str):
    """An attachment's bytes (PDF, JPEG or PNG as checked on upload), for the application's
    files, answers and messages; its SHA-256 is in the listing and the ``Content-Digest``."""
    import base64

    from portal.attachments.storage import current_storage

    if denied := require_scope(clients.READ):
        return denied
    application = load(application_id)
    file = _sent_attachment(application, attachment_id)
    record_read("attachment", file.id, "municipality system fetches an attachment", subject_id=application.applicant_id)
    response = send_file(current_storage().open(file.storage_key), mimetype=file.media_type, as_attachment=True,
                         download_name=file.original_name, max_age=0, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:"
    return response


@bp.get("/applications/<application_id>/decisions")
@requires("api")
def list_decisions(application_id: str):
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    body = [rep.decision(d) for d in case.decisions(application)]
    _read("decisions", application, "municipality system reads the decisions")
    return jsonify(decisions=body)


@bp.get("/applications/<application_id>/decisions/<decision_id>/document")
@requires("api")
def get_decision_document(application_id: str, decision_id: str):
    import base64

    if denied := require_scope(clients.READ):
        return denied
    application = load(application_id)
    decision = db.session.get(Decision, decision_id) if _UUID.match(decision_id) else None
    if decision is None or decision.application_id != application.id:
        abort(404)
    record_read("decision", decision.id, "municipality system fetches the decision document",
                subject_id=application.applicant_id)
    response = current_app.response_class(decision.document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{application.reference}-beslut.pdf"'
    digest = base64.b64encode(bytes.fromhex(decision.document_sha256)).decode()
    response.headers["Content-Digest"] = f"sha-256=:{digest}:"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/applications/<application_id>/payments")
@requires("api")
def list_payments(application_id: str):
    if denied := require_scope(clients.READ):
        return denied
    try:
        _no_query()
    except BadInput as bad:
        return _bad(bad)
    application = load(application_id)
    body = [rep.payment(p) for p in case.payments(application)]
    _read("payments", application, "municipality system reads the payments")
    return jsonify(payments=body)
