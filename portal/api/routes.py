"""The pull API (/api/v1) for the municipalities' own case systems (verksamhetssystem).

A system gets a token with its client credentials, lists what its municipality has received,
fetches each application as the frozen exchange document (exactly the stored bytes, with their
SHA-256) and acknowledges receipt, which registers the arrival: the applicant then sees that
the municipality has received the application. Described in ``openapi.json`` beside this file.
"""

from __future__ import annotations

import json
import logging
import re
from typing import overload
from urllib.parse import unquote_plus

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased
from werkzeug.exceptions import HTTPException

from portal.api import OPENAPI_PATH, clients, inputs, tokens
from portal.api.representation import utc
from portal.api.tokens import oauth_error, problem, require_scope
from portal.application.access import load_application, register_finder
from portal.application.models import Application
from portal.audit.services import record_and_commit, record_read
from portal.auth.access import requires
from portal.case import services as case
from portal.config import ConfigError
from portal.delivery.models import InboxEntry
from portal.delivery.queries import in_inbox
from portal.extensions import csrf, db
from portal.submission import services as submission
from portal.submission.models import FrozenDocument
from portal.web.files import sha256_base64

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens in a header, never cookies: nothing for a cross-site form to ride on

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PAGE_DEFAULT, PAGE_MAX = 100, 500


@bp.record_once
def _check_configuration(state) -> None:
    """A broken clients file stops the start; production never runs with the public demo clients."""
    clients.clients()
    if not state.app.config["PORTAL"].is_production:
        return
    if clients.configured_path() == clients.DEFAULT_PATH:
        raise ConfigError(f"Refusing to start in production with the demo API clients; set {clients.ENV}")
    demo = clients.with_demo_secrets()
    if demo:
        raise ConfigError(
            f"Refusing to start in production: {clients.ENV} gives clients the published demo "
            f"secrets ({', '.join(demo)}); give each client a secret of its own"
        )


@bp.before_request
def _json_bodies_only():
    """A body the API reads is JSON, declared so (issue 13, point 11): a write whose body says it is
    anything else (``text/plain``, a form) is refused with 415 before anything is read, also where the
    operation takes no body (acknowledge, register, seen, read). ``text/plain`` in particular is what a
    browser sends cross-site without asking first. The token endpoint takes its form (RFC 6749)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint == "api.token" or not inputs.has_body():
        return None
    if not inputs.is_json(request.mimetype):
        return problem(415, "unsupported_media_type", "send the body as application/json")
    return None


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = error.code or 500
    names = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}
    return problem(code, names.get(code, "server_error" if code >= 500 else "invalid_request"))


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    db.session.rollback()
    log.error("unexpected api error endpoint=%s request=%s", request.endpoint, g.get("request_id"), exc_info=error)
    return problem(500, "server_error")


# --- token --------------------------------------------------------------------------------------


def _token_error(status: int, error: str, description: str):
    headers = {"Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="egna-utrymmet"'
    return oauth_error(status, error, description, headers)


def _client_credentials() -> tuple[str, str] | None | str:
    """(client_id, secret) from HTTP Basic (RFC 6749 §2.3.1, form-encoded parts) or the form;
    ``None`` when there are none, ``"ambiguous"`` when both methods are used."""
    form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username is not None:
        basic_id, basic_secret = unquote_plus(auth.username), unquote_plus(auth.password or "")
        if form_secret is not None or (form_id is not None and form_id != basic_id):
            return "ambiguous"
        return basic_id, basic_secret
    if form_id is not None and form_secret is not None:
        return form_id, form_secret
    return None


@bp.post("/token")
@requires("public")
def token():
    """OAuth 2.0 client credentials grant (RFC 6749 §4.4)."""
    repeated = [key for key in request.form if len(request.form.getlist(key)) > 1]
    if repeated:
        return _token_error(400, "invalid_request", f"parameter repeated: {repeated[0]}")
    grant_type = request.form.get("grant_type")
    if not grant_type:
        return _token_error(400, "invalid_request", "grant_type is required")
    credentials = _client_credentials()
    if credentials == "ambiguous":
        return _token_error(400, "invalid_request", "use one client authentication method")
    client = clients.authenticate(*credentials) if credentials else None
    if client is None:
        log.warning("api client authentication failed client_id=%s", credentials[0][:64] if credentials else None)
        return _token_error(401, "invalid_client", "client authentication failed")
    assert isinstance(credentials, tuple)  # the client was authenticated by them
    if current_app.config["PORTAL"].is_production and clients.secret_problem(credentials[1]):
        # A demo secret hashed again, or a weak one: the file cannot show it, the secret itself does.
        log.error(
            "api client refused: its secret %s client_id=%s", clients.secret_problem(credentials[1]), client.client_id
        )
        return _token_error(401, "invalid_client", "client authentication failed")
    if grant_type != "client_credentials":
        return _token_error(400, "unsupported_grant_type", "only client_credentials is supported")
    requested = request.form.get("scope")
    scopes = tuple(requested.split()) if requested is not None else client.scopes
    if not scopes or not set(scopes) <= set(client.scopes):
        return _token_error(400, "invalid_scope", f"allowed scopes: {' '.join(client.scopes)}")
    scopes = tuple(s for s in clients.SCOPES if s in scopes)
    access_token, lifetime = tokens.issue(client, scopes)
    log.info("api token issued client_id=%s municipality=%s", client.client_id, client.municipality_code)
    response = jsonify(access_token=access_token, token_type="Bearer", expires_in=lifetime, scope=" ".join(scopes))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# --- applications -------------------------------------------------------------------------------


def _latest_documents(application_ids: list[str]) -> dict[str, FrozenDocument]:
    """Each application's own document (version 1 and its re-freezes), not later supplements."""
    latest: dict[str, FrozenDocument] = {}
    if application_ids:
        for doc in db.session.scalars(
            select(FrozenDocument).where(
                FrozenDocument.application_id.in_(application_ids), FrozenDocument.refers_to.is_(None)
            )
        ):
            if doc.application_id not in latest or doc.version > latest[doc.application_id].version:
                latest[doc.application_id] = doc
    return latest


def _summary(entry: InboxEntry, application: Application, document: FrozenDocument | None) -> dict:
    return {
        "id": application.id,
        "reference": application.reference,
        "receivedAt": utc(entry.received_at),
        "acknowledged": application.received_at is not None,
        "acknowledgedAt": utc(application.received_at),
        "digest": document.sha256 if document else None,
        "schemaVersion": document.schema_version if document else None,
        "status": application.status,
        "caseNumber": application.case_number,
        "inboxId": application.inbox_id,
    }


@overload
def _int_arg(name: str, default: int, low: int, high: int) -> int: ...
@overload
def _int_arg(name: str, default: None, low: int, high: int) -> int | None: ...
def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(name)
    return int(raw)


# The built-in inbox's filters (portal/case/services.FILTERS) but "mine", which needs a caseworker.
LIST_FILTERS = ("new", "all", "waiting", "supplemented", "decided")
_REFERENCE = re.compile(r"^EU-[0-9A-Z]{4}-[0-9A-Z]{4}$")
INBOX_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@bp.get("/applications")
@requires("api")
def list_applications():
    """What is with the municipality now: applications delivered to it and not forwarded away
    since. A forward to another municipality moves the application to that one's list."""
    if denied := require_scope(clients.READ):
        return denied
    code = g.actor.municipality_code
    try:
        unknown = sorted(set(request.args) - {"status", "limit", "after", "inbox", "reference"})
        if unknown:
            raise ValueError(unknown[0])
        status = request.args.get("status", "new")
        if status not in LIST_FILTERS:
            raise ValueError("status")
        limit = _int_arg("limit", PAGE_DEFAULT, 1, PAGE_MAX)
        after = _int_arg("after", 0, 0, 2**31 - 1)
        inbox = request.args.get("inbox")
        if inbox is not None and (not INBOX_ID.match(inbox) or inbox not in case.inboxes_of(code)):
            raise ValueError("inbox")
        reference = request.args.get("reference")
        if reference is not None and not _REFERENCE.match(reference):
            raise ValueError("reference")
    except ValueError as bad:
        return problem(400, "invalid_request", f"invalid parameter: {bad}")
    later = aliased(InboxEntry)
    query = (
        select(InboxEntry, Application)
        .join(Application, Application.id == InboxEntry.application_id)
        .where(
            InboxEntry.municipality_code == code,
            Application.municipality_code == code,
            InboxEntry.id > after,
            # forwarded away and back: the latest delivery to this municipality is the one
            ~exists().where(
                later.application_id == InboxEntry.application_id,
                later.municipality_code == code,
                later.id > InboxEntry.id,
            ),
        )
        .order_by(InboxEntry.id)
        .limit(limit + 1)
    )
    query = case.case_filter(query, status, None) if status != "all" else query
    if inbox is not None:
        query = query.where(Application.inbox_id == inbox)
    if reference is not None:
        query = query.where(Application.reference == reference)
    rows = db.session.execute(query).all()
    page, more = rows[:limit], len(rows) > limit
    documents = _latest_documents([application.id for _, application in page])
    record_read("inbox", code, "municipality system lists received applications")
    return jsonify(
        applications=[_summary(entry, application, documents.get(application.id)) for entry, application in page],
        nextAfter=page[-1][0].id if more else None,
    )


def _in_this_inbox(application_id: str, for_update: bool) -> Application | None:
    """How the API finds an application (rule ``api``): only one delivered to the client's municipality
    and with it now (not forwarded away); a malformed id is simply not found."""
    if not UUID.match(application_id):
        return None
    application = db.session.get(Application, application_id, with_for_update=for_update or None)
    if application is None or application.is_draft:
        return None
    return application if in_inbox(application, g.actor.municipality_code) else None


register_finder("api", _in_this_inbox)


def document_response(frozen: FrozenDocument):
    """The exact stored bytes of a frozen document, with their digest."""
    body = frozen.body.encode("utf-8")
    response = current_app.response_class(body, mimetype="application/json")
    digest = sha256_base64(frozen.sha256)
    response.headers["Content-Digest"] = f"sha-256=:{digest}:"  # RFC 9530
    response.headers["Digest"] = f"sha-256={digest}"  # RFC 3230, for older receivers
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(frozen.sha256)
    return response.make_conditional(request)


@bp.get("/applications/<application_id>")
@requires("api")
def get_application(application_id: str):
    if denied := require_scope(clients.READ):
        return denied
    application = load_application(application_id, "api")
    frozen = submission.frozen_document(application)
    if frozen is None:
        return problem(404, "not_found")
    record_read(
        "exchange_document",
        application.id,
        "municipality system fetches the application",
        subject_id=application.applicant_id,
    )
    return document_response(frozen)


def _registered(application_id: str):
    """Acknowledge and register are one operation: the first call registers the arrival with a
    case number from the municipality's series; a repeat changes nothing and answers the same."""
    if denied := require_scope(clients.ACKNOWLEDGE):
        return denied
    application = load_application(application_id, "api", for_update=True)
    if application.received_at is None:
        try:
            case.register(application)  # audited there, with this client as actor
        except case.CaseError as refused:
            db.session.rollback()
            return case_problem(refused)
    else:
        record_and_commit(
            "acknowledge",
            "application",
            application.id,
            "repeated acknowledgement, already registered",
            subject_id=application.applicant_id,
        )
    return jsonify(
        id=application.id,
        reference=application.reference,
        acknowledged=True,
        acknowledgedAt=utc(application.received_at),
        caseNumber=application.case_number,
        status=application.status,
    )


@bp.post("/applications/<application_id>/acknowledge")
@requires("api")
def acknowledge(application_id: str):
    """Receipt acknowledged: registers the arrival the first time; a repeat changes nothing."""
    return _registered(application_id)


@bp.post("/applications/<application_id>/register")
@requires("api")
def register(application_id: str):
    """Arrival registration (ankomstregistrering): the same operation as acknowledge."""
    return _registered(application_id)


# Case rules that refuse (portal/case/services.CaseError.reason): input that cannot be right
# whatever the state is 400; an operation that does not fit the case's state now is 409.
CONFLICTS = {"wrong_state", "already_answered", "same_inbox", "not_receiving", "not_answered"}


def case_problem(refused: case.CaseError):
    if refused.reason in CONFLICTS:
        return problem(
            409,
            "conflict",
            CASE_DETAIL.get(refused.reason, "the case's state does not allow this"),
            reason=refused.reason,
        )
    return problem(400, "invalid_request", CASE_DETAIL.get(refused.reason, refused.reason), reason=refused.reason)


CASE_DETAIL = {
    "wrong_state": "the case's status does not allow this operation",
    "already_answered": "the request is already answered",
    "not_answered": "the request is not answered yet",
    "same_inbox": "the application is already in that inbox",
    "not_receiving": "that municipality does not receive applications now",
    "reason_missing": "a reason is required",
    "due_date_past": "the due date has passed",
    "unknown_item": "no such fetched item in this application",
    "unknown_inbox": "no such inbox in that municipality",
    "unknown_outcome": "unknown outcome",
    "amount_missing": "a grant needs an amount above zero",
    "period_missing": "a grant needs a period whose end is not before its start",
    "not_a_pdf": "the decision document must be a PDF",
    "unknown_state": "unknown payment state",
    "message_empty": "the message is empty",
    "unknown_message": "no such message in this case",
    "unknown_attachment": "no such attachment in this case",
}


# --- description --------------------------------------------------------------------------------


@bp.get("/openapi.json")
@requires("public")
def openapi():
    response = current_app.response_class(OPENAPI_PATH.read_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)


def description() -> dict:
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
