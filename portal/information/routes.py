from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from portal.application import services as applications
from portal.audit.services import record_read
from portal.auth.access import ensure, requires
from portal.information import services
from portal.web.htmx import render

bp = Blueprint("information", __name__)


def _application(application_id: str):
    application = applications.get(application_id)
    if application is None:
        abort(404)
    ensure("household", application)
    return application


def _context(application):
    return {"application": application, "statuses": services.statuses(application),
            "pending": services.pending(application), "form": FlaskForm(),
            "is_applicant": application.applicant_id == g.subject_id}


@bp.get("/applications/<application_id>/fetch")
@requires("household")
def fetch(application_id: str):
    application = _application(application_id)
    record_read("provider_data", application.id, "fetch status shown", subject_id=application.applicant_id)
    return render("information/fetch.html", "information/_fetch_status.html", **_context(application))


@bp.get("/applications/<application_id>/fetch/status")
@requires("household")
def status(application_id: str):
    """Polled by htmx while calls are pending; without JavaScript the page itself is reloaded."""
    application = _application(application_id)
    return render("information/fetch.html", "information/_fetch_status.html", **_context(application))


@bp.post("/applications/<application_id>/fetch")
@requires("household")
def start(application_id: str):
    application = _application(application_id)
    if FlaskForm().validate_on_submit() and application.is_draft:
        services.start_fetch(application)
    return redirect(url_for("information.fetch", application_id=application.id))


@bp.post("/applications/<application_id>/fetch/retry")
@requires("household")
def retry(application_id: str):
    application = _application(application_id)
    if FlaskForm().validate_on_submit() and application.is_draft:
        member_id = request.form.get("member", type=int)
        failed = services.failed_calls(application, member_id, request.form.get("provider", ""))
        if failed:
            services.start_fetch(application, only=failed)
    return redirect(url_for("information.fetch", application_id=application.id))
