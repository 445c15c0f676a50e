"""The appeal through the municipality API (/api/v1), on the API's blueprint and conventions (portal/api/cases.py):
the case's appeals, an appeal's PDF, and the reconsideration and forwarding as writes with ``case:write``.
The appeal's JSON is also a document version of the case (``GET .../documents/{version}``) and its steps are
events (``appealed``, ``appealReconsidered``, ``appealForwarded``)."""

from __future__ import annotations

from flask import abort, g, jsonify

from portal.api import clients
from portal.api.cases import _case_handler, _case_read, _client, _write_request
from portal.api.inputs import Fields
from portal.api.representation import day, utc
from portal.api.routes import UUID, bp
from portal.appeal import services
from portal.appeal.models import Appeal
from portal.appeal.states import RECONSIDERATIONS
from portal.application.access import load_application
from portal.application.models import Application
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.extensions import db
from portal.web.files import PRIVATE_NO_STORE, send_private_file


def represent(appeal: Appeal) -> dict:
    return {
        "id": appeal.id,
        "decisionId": appeal.decision_id,
        "status": appeal.status,
        "change": appeal.change,
        "reasons": appeal.reasons,
        "language": appeal.language,
        "signedAt": utc(appeal.signed_at),
        "sentAt": utc(appeal.sent_at),
        "deadline": day(appeal.deadline),
        "deadlineBasis": appeal.deadline_basis,
        "late": appeal.late,
        "documentVersion": appeal.document_version,
        "documentSha256": appeal.document_sha256,
        "reconsideration": appeal.reconsideration,
        "reconsiderationNote": appeal.reconsideration_note,
        "reconsideredAt": utc(appeal.reconsidered_at),
        "opinion": appeal.opinion,
        "forwardedOn": day(appeal.forwarded_on),
    }


def _appeal(application: Application, appeal_id: str) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id) if UUID.match(appeal_id) else None
    if appeal is None or appeal.application_id != application.id:
        abort(404)
    return appeal


@bp.get("/applications/<application_id>/appeals")
@requires("api")
@_case_read("appeals", "municipality system reads the appeals")
def list_appeals(application: Application) -> dict:
    return {"appeals": [represent(a) for a in services.of_application(application)]}


@bp.get("/applications/<application_id>/appeals/<appeal_id>/document")
@requires("api")
@_case_handler(clients.READ)
def get_appeal_document(application_id: str, appeal_id: str):
    application = load_application(application_id, "api")
    appeal = _appeal(application, appeal_id)
    record_read(
        "appeal", appeal.id, "municipality system fetches the appeal document", subject_id=application.applicant_id
    )
    return send_private_file(
        appeal.document,
        filename=f"{application.reference}-overklagande.pdf",
        mimetype="application/pdf",
        cache_control=PRIVATE_NO_STORE,
    )


def _by() -> str:
    return _client().name or g.actor.id


@bp.post("/applications/<application_id>/appeals/<appeal_id>/reconsider")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def reconsider_appeal(application_id: str, appeal_id: str):
    _key, body = _write_request()
    application = load_application(application_id, "api", for_update=True)
    appeal = _appeal(application, appeal_id)
    fields = Fields(body)
    outcome = fields.choice("outcome", RECONSIDERATIONS)
    note = fields.text("note", services.TEXT_MAX)
    fields.done()
    services.reconsider(appeal, outcome, note, _by(), source="municipality")
    return jsonify(represent(appeal))


@bp.post("/applications/<application_id>/appeals/<appeal_id>/forward")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def forward_appeal(application_id: str, appeal_id: str):
    _key, body = _write_request()
    application = load_application(application_id, "api", for_update=True)
    appeal = _appeal(application, appeal_id)
    fields = Fields(body)
    opinion = fields.text("opinion", services.OPINION_MAX)
    forwarded_on = fields.date("forwardedOn", required=False)
    fields.done()
    services.forward(appeal, opinion, _by(), forwarded_on, source="municipality")
    return jsonify(represent(appeal))
