from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from portal import clock
from portal.application import labels, services, tasks
from portal.application.access import load_application
from portal.application.forms import EmergencyForm, StartForm, SubmitForm
from portal.attachments import services as attachment_services
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.i18n.services import month
from portal.routing.services import municipality
from portal.routing.services import status as routing_status
from portal.supplements import services as supplement_services
from portal.supplements.labels import entry_label
from portal.web.reads import reads_once

bp = Blueprint("application", __name__)


@bp.get("/overview")
@requires("citizen")
def overview():
    from portal.case import labels as case_labels
    from portal.case import overview as case_overview

    applications = services.applications_for(g.subject_id)
    record_read("application_list", None, "applicant's overview")
    # A sent application leads to its case page, with its status and what needs the applicant.
    return render_template(
        "application/overview.html",
        applications=applications,
        memberships=services.memberships(g.subject_id),
        attention=case_overview.attention_for([a.id for a in applications]),
        case_status=case_labels.STATUS,
        is_sent=case_overview.is_sent,
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
    from portal.case.overview import is_sent

    if not is_sent(existing):
        return redirect(url_for("application.show", application_id=existing.id, again=1))
    return render_template("application/exists.html", existing=existing)


@bp.route("/applications/new/emergency", methods=["GET", "POST"])
@requires("citizen")
def emergency():
    """A second application for a month that already has a sent one, on purpose and with the reason
    (something that cannot wait); the municipality sees it marked as an emergency application."""
    from portal.case.overview import is_sent

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
        return render_template("application/show.html", **_show_context(application, receiver, SubmitForm()))


def _show_context(application, receiver, form) -> dict:
    from portal.consent.services import active
    from portal.information import services as information

    statuses = information.statuses(application)
    fetched = information.items(application)
    return {
        "application": application,
        "receiver": receiver,
        "form": form,
        "statuses": statuses,
        # the key figures read before signing: the same totals as the information page
        "figures": information.information_page(application, loaded=fetched, loaded_statuses=statuses),
        "viewer": information.viewer_member(application, g.subject_id),
        "is_applicant": application.applicant_id == g.subject_id,
        "tasks": tasks.visible(application),
        "task_state_label": tasks.STATE_LABEL,
        "active_consents": active(application),
        "member_names": {m.id: m.name for m in application.members},
        "item_count": len(fetched),
        "attachments": attachment_services.for_application(application.id),
        "supplements": supplement_services.summary(application),
        "entry_label": entry_label,
        "comment_count": len(information.comments(application)),
        "connection": routing_status(application.municipality_code) if application.municipality_code else None,
        "frozen": services.frozen_document(application),
        "waiting_for": services.missing_signatures(application) if application.awaiting_cosignature else [],
        "signer": services.signer_member(application, g.subject_id),
        "reader": _reader(application),
        "has_contact": _has_contact(application),
    }


def _reader(application) -> str:
    """Whom the page speaks to: the applicant (or a proxy for them), a co-applicant, another member."""
    if application.applicant_id == g.subject_id:
        return labels.APPLICANT
    member = services.signer_member(application, g.subject_id)
    return labels.CO_APPLICANT if member is not None else labels.MEMBER


def _has_contact(application) -> bool:
    """Whether the applicant can be told when something happens (the receipt asks for it otherwise)."""
    if application.is_draft or application.applicant_id != g.subject_id:
        return True
    from portal.case.contact import details_of

    found = details_of(application.applicant_id)
    return found is not None and bool(found.email or found.phone)


def render_check(application, refusal: str, status: int = 409):
    """The check page again, saying why the application could not be sent."""
    receiver = municipality(application.municipality_code) if application.municipality_code else None
    return render_template(
        "application/check.html", refusal=refusal, **_show_context(application, receiver, SubmitForm())
    ), status


@bp.get("/applications/<application_id>/check")
@requires("household")
def check(application_id: str):
    """What will be sent, with change links; the applicant sends from here, and a co-applicant
    reads it here before co-signing a joint application."""
    application = load_application(application_id, "household")
    is_applicant = application.applicant_id == g.subject_id
    if not (application.is_draft and is_applicant) and not (
        application.awaiting_cosignature and services.signer_member(application, g.subject_id) is not None
    ):
        return redirect(url_for("application.show", application_id=application.id))
    services.remember_place(application, request.path)
    record_read("application", application.id, "applicant checks answers before sending")
    receiver = municipality(application.municipality_code) if application.municipality_code else None
    with reads_once():  # the task list, summaries and figures share their reads (issue 15, point 5)
        return render_template("application/check.html", **_show_context(application, receiver, SubmitForm()))


@bp.post("/applications/<application_id>/folkbokforing")
@requires("application")
def retry_folkbokforing(application_id: str):
    application = load_application(application_id, "application")
    if application.is_draft:
        services.fetch_folkbokforing(application)
    return redirect(url_for("application.show", application_id=application.id))


@bp.post("/applications/<application_id>/submit")
@requires("sign")
def submit(application_id: str):
    """Confirming starts the signature: a fresh authentication at the identity provider."""
    application = load_application(application_id, "application")
    form = SubmitForm()
    if not application.is_draft:
        # A repeated POST (double click, second tab) finds it already sent: show the receipt.
        return redirect(url_for("application.show", application_id=application.id))
    receiver = municipality(application.municipality_code) if application.municipality_code else None
    if not form.validate_on_submit():
        return render_template("application/check.html", **_show_context(application, receiver, form)), 400
    try:
        services.check_submittable(application)
    except services.NotSubmittable as refused:
        return render_template(
            "application/check.html", refusal=refused.reason, **_show_context(application, receiver, form)
        ), 409
    from portal.auth.signing import start_signing

    return start_signing(application)


@bp.post("/applications/<application_id>/cosign")
@requires("sign")
def cosign(application_id: str):
    """The co-applicant signs the joint application from their own login."""
    application = load_application(application_id, "sign")  # the applicant or a co-applicant: no other household member
    signer = services.signer_member(application, g.subject_id)
    if signer is None or signer.relation == "applicant" or not application.awaiting_cosignature:
        return redirect(url_for("application.show", application_id=application.id))
    form = SubmitForm()
    if not form.validate_on_submit():
        receiver = municipality(application.municipality_code)
        return render_template("application/check.html", **_show_context(application, receiver, form)), 400
    from portal.auth.signing import start_signing

    return start_signing(application)


@bp.post("/applications/<application_id>/cancel-signing")
@requires("sign")
def cancel_signing(application_id: str):
    application = load_application(application_id, "application")
    from flask_wtf import FlaskForm

    if FlaskForm().validate_on_submit():
        services.cancel_signing(application)
    return redirect(url_for("application.show", application_id=application.id))


@bp.get("/applications/<application_id>/receipt.pdf")
@requires("household")
def receipt_pdf(application_id: str):
    """The applicant's receipt (kvittens): reference, time, municipality and the document's digest."""
    import json

    from flask import Response

    from portal.exchange.pdf import render_receipt

    application = load_application(application_id, "household")
    frozen = services.frozen_document(application)
    if frozen is None:
        abort(404)
    record_read("receipt", application.id, "applicant downloads the receipt", subject_id=application.applicant_id)
    response = Response(render_receipt(json.loads(frozen.body), frozen.sha256), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="kvittens-{application.reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
