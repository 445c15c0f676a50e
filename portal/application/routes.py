from __future__ import annotations

from datetime import date

from flask import Blueprint, g, redirect, render_template, request, url_for

from portal import clock
from portal.application import labels, services
from portal.application.access import load_application
from portal.application.context import overview_context, show_context
from portal.application.forms import EmergencyForm, StartForm, SubmitForm
from portal.application.models import is_sent
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.i18n.services import month
from portal.routing.services import municipality
from portal.web.reads import reads_once

bp = Blueprint("application", __name__)


@bp.get("/overview")
@requires("citizen")
def overview():
    applications = services.applications_for(g.subject_id)
    record_read("application_list", None, "applicant's overview")
    # A sent application leads to its case page, with its status and what needs the applicant.
    return render_template(
        "application/overview.html",
        applications=applications,
        memberships=services.memberships(g.subject_id),
        case_status=labels.STATUS,
        is_sent=is_sent,
        **overview_context(applications),
    )


def _start_form() -> StartForm:
    form = StartForm()
    form.period.choices = [(d.isoformat(), month(d)) for d in services.month_choices(clock.today())]
    return form


@bp.route("/applications/new", methods=["GET", "POST"])
@requires("citizen")
def start():
    form = _start_form()
    if form.validate_on_submit():
        period = date.fromisoformat(form.period.data)
        existing = services.existing_for(g.subject_id, period)
        if existing is not None:
            return _lead_to(existing)
        application = services.start(g.subject_id, period)
        return redirect(url_for("application.show", application_id=application.id))
    return render_template("application/start.html", form=form), 400 if form.errors else 200


def _lead_to(existing):
    """One application per person and month: starting again leads to the month's application. A
    draft is simply continued; a sent one is shown with the explicit way to an emergency application."""
    if not is_sent(existing):
        return redirect(url_for("application.show", application_id=existing.id, again=1))
    return render_template("application/exists.html", existing=existing)


@bp.route("/applications/new/emergency", methods=["GET", "POST"])
@requires("citizen")
def emergency():
    """A second application for a month that already has a sent one, on purpose and with the reason
    (something that cannot wait); the municipality sees it marked as an emergency application."""
    record_read("application_list", None, "emergency path: which months the applicant has already applied for")
    sent = {}
    for day in services.month_choices(clock.today()):
        existing = services.existing_for(g.subject_id, day)
        if existing is not None and not is_sent(existing) and request.args.get("period") == day.isoformat():
            return redirect(url_for("application.show", application_id=existing.id, again=1))
        if existing is not None and is_sent(existing):
            sent[day] = existing
    if not sent:  # nothing sent to add to: the ordinary start
        return redirect(url_for("application.start"))
    form = EmergencyForm()
    form.period.choices = [(d.isoformat(), month(d)) for d in sent]
    if request.method == "GET" and request.args.get("period") in {c for c, _label in form.period.choices}:
        form.period.data = request.args["period"]
    if form.validate_on_submit():
        period = date.fromisoformat(form.period.data)
        assert form.reason.data is not None  # DataRequired held
        application = services.start(g.subject_id, period, emergency_reason=form.reason.data.strip())
        return redirect(url_for("application.show", application_id=application.id))
    return render_template("application/emergency.html", form=form, sent=sent), 400 if form.errors else 200


@bp.get("/applications/<application_id>")
@requires("household")
def show(application_id: str):
    application = load_application(application_id, "household")
    record_read("application", application.id, "applicant views own application")
    receiver = municipality(application.municipality_code) if application.municipality_code else None
    with reads_once():  # the task list, summaries and figures share their reads (issue 15, point 5)
        return render_template("application/show.html", **show_context(application, receiver, SubmitForm()))


@bp.post("/applications/<application_id>/folkbokforing")
@requires("application")
def retry_folkbokforing(application_id: str):
    application = load_application(application_id, "application")
    if application.is_draft:
        services.fetch_folkbokforing(application)
    return redirect(url_for("application.show", application_id=application.id))
