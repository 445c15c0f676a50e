from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from portal.application import services as applications
from portal.application.models import Application
from portal.audit.services import record_read
from portal.auth.access import ensure, requires
from portal.auth.actor import ADMINISTRATOR
from portal.extensions import db
from portal.routing.services import municipalities, municipality

bp = Blueprint("municipality", __name__, url_prefix="/municipality")


@bp.get("/")
@requires("public")
def home():
    if g.actor.role == ADMINISTRATOR:
        return redirect(url_for("municipality.admin"))
    if g.actor.municipality_code:
        return redirect(url_for("municipality.inbox"))
    return render_template("municipality/home.html")


@bp.get("/inbox")
@requires("inbox")
def inbox():
    items = applications.inbox(g.actor.municipality_code)
    record_read("inbox", g.actor.municipality_code, "caseworker lists the inbox")
    return render_template("municipality/inbox.html", items=items,
                           municipality=municipality(g.actor.municipality_code))


def _load(application_id: str) -> Application:
    application = applications.get(application_id)
    if application is None or application.is_draft:
        abort(404)
    ensure("inbox", application)
    if not applications.in_inbox(application, g.actor.municipality_code):
        abort(404)  # sent, but not delivered to this inbox (yet)
    return application


@bp.get("/inbox/<application_id>")
@requires("inbox")
def application(application_id: str):
    item = _load(application_id)
    record_read("application", item.id, "caseworker handles the application",
                subject_id=item.applicant_id)
    return render_template("municipality/application.html", item=item, form=FlaskForm(),
                           frozen=applications.frozen_document(item))


@bp.post("/inbox/<application_id>/register")
@requires("inbox")
def register(application_id: str):
    item = _load(application_id)
    form = FlaskForm()
    if form.validate_on_submit():
        applications.register_arrival(item)
    return redirect(url_for("municipality.application", application_id=item.id))


@bp.get("/admin")
@requires("admin")
def admin():
    """Operations overview: counts only, no personal data."""
    counts = dict(db.session.execute(
        select(Application.status, func.count()).group_by(Application.status)).all())
    from portal.delivery.services import stuck

    return render_template("municipality/admin.html", counts=counts, stuck=stuck(),
                           municipality_count=len(municipalities()))


@bp.get("/inbox/<application_id>/document.<any(json, pdf):kind>")
@requires("inbox")
def document(application_id: str, kind: str):
    """The frozen exchange document as received: JSON for systems, PDF for people."""
    import json

    from flask import Response

    from portal.exchange.pdf import render

    item = _load(application_id)
    frozen = applications.frozen_document(item)
    if frozen is None:
        abort(404)
    record_read("exchange_document", item.id, "caseworker opens the application document", subject_id=item.applicant_id)
    if kind == "json":
        response = Response(frozen.body, mimetype="application/json")
    else:
        response = Response(render(json.loads(frozen.body)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{item.reference}.{kind}"'
    response.headers["Digest"] = f"sha-256={frozen.sha256}"
    response.headers["Cache-Control"] = "no-store"
    return response
