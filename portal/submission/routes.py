"""The check page, signing (the applicant's, a co-applicant's), and the receipt. The URLs stay under
``/applications/<id>/``: they are the application's pages; the endpoints are ``submission.*``."""

from __future__ import annotations

import json

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from portal.application import services as applications
from portal.application.access import load_application
from portal.application.context import check_context
from portal.application.forms import SubmitForm
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.exchange.pdf import render_receipt
from portal.routing.services import municipality
from portal.submission import services
from portal.submission.signing import start_signing
from portal.web.files import send_private_file
from portal.web.reads import reads_once

bp = Blueprint("submission", __name__)


def _receiver(application):
    return municipality(application.municipality_code) if application.municipality_code else None


@bp.get("/applications/<application_id>/check")
@requires("household")
def check(application_id: str):
    """What will be sent, with change links; the applicant sends from here, and a co-applicant
    reads it here before co-signing a joint application."""
    application = load_application(application_id, "household")
    is_applicant = application.applicant_id == g.subject_id
    if not (application.is_draft and is_applicant) and not (
        application.awaiting_cosignature and applications.signer_member(application, g.subject_id) is not None
    ):
        return redirect(url_for("application.show", application_id=application.id))
    applications.remember_place(application, request.path)
    record_read("application", application.id, "applicant checks answers before sending")
    with reads_once():  # the task list, summaries and figures share their reads (issue 15, point 5)
        return render_template(
            "application/check.html", **check_context(application, _receiver(application), SubmitForm())
        )


@bp.post("/applications/<application_id>/submit")
@requires("sign")
def submit(application_id: str):
    """Confirming starts the signature: a fresh authentication at the identity provider."""
    application = load_application(application_id, "application")
    form = SubmitForm()
    if not application.is_draft:
        # A repeated POST (double click, second tab) finds it already sent: show the receipt.
        return redirect(url_for("application.show", application_id=application.id))
    receiver = _receiver(application)
    if not form.validate_on_submit():
        return render_template("application/check.html", **check_context(application, receiver, form)), 400
    try:
        services.check_submittable(application)
    except services.NotSubmittable as refused:
        return render_template(
            "application/check.html", refusal=refused.reason, **check_context(application, receiver, form)
        ), 409
    return start_signing(application)


@bp.post("/applications/<application_id>/cosign")
@requires("sign")
def cosign(application_id: str):
    """The co-applicant signs the joint application from their own login."""
    application = load_application(application_id, "sign")  # the applicant or a co-applicant: no other household member
    signer = applications.signer_member(application, g.subject_id)
    if signer is None or signer.relation == "applicant" or not application.awaiting_cosignature:
        return redirect(url_for("application.show", application_id=application.id))
    form = SubmitForm()
    if not form.validate_on_submit():
        assert application.municipality_code is not None  # signed by the applicant: check_submittable held
        receiver = municipality(application.municipality_code)
        return render_template("application/check.html", **check_context(application, receiver, form)), 400
    return start_signing(application)


@bp.post("/applications/<application_id>/cancel-signing")
@requires("sign")
def cancel_signing(application_id: str):
    application = load_application(application_id, "application")
    if FlaskForm().validate_on_submit():
        services.cancel_signing(application)
    return redirect(url_for("application.show", application_id=application.id))


@bp.get("/applications/<application_id>/receipt.pdf")
@requires("household")
def receipt_pdf(application_id: str):
    """The applicant's receipt (kvittens): reference, time, municipality and the document's digest."""
    application = load_application(application_id, "household")
    frozen = services.frozen_document(application)
    if frozen is None:
        abort(404)
    record_read("receipt", application.id, "applicant downloads the receipt", subject_id=application.applicant_id)
    return send_private_file(
        render_receipt(json.loads(frozen.body), frozen.sha256),
        filename=f"kvittens-{application.reference}.pdf",
        mimetype="application/pdf",
    )
