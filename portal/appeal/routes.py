"""The appeal's pages: the applicant's (``/cases/...``: write, sign, the appeal's PDF) and the caseworker's
(``/municipality/inbox/...``: the PDF, reconsider, forward; the case page shows the appeal). Thin over
:mod:`portal.appeal.services`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _

from portal.appeal import services, signing
from portal.appeal.forms import AppealForm, ForwardForm, ReconsiderForm
from portal.appeal.models import Appeal
from portal.application.access import load_application
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.case import overview
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.web.files import send_private_file

bp = Blueprint("appeal", __name__)

# What a refused appeal operation means, for the person or the caseworker.
ERROR = {
    "already_appealed": _l("This decision has already been appealed. You can follow the appeal on the case page."),
    "not_appealable": _l("This decision cannot be appealed here."),
    "wrong_state": _l("This can no longer be done: the appeal has moved on. See where it stands below."),
    "text_missing": _l("Write how you want the decision to be changed and why"),
    "unknown_outcome": _l("Choose whether the decision is kept or changed"),
    "note_missing": _l("Write what the reconsideration came to"),
    "opinion_missing": _l("Write the municipality's opinion"),
    "date_future": _l("The date cannot be in the future"),
}


@bp.app_context_processor
def _appeal_helpers() -> dict:
    """The case pages (the applicant's and the caseworker's) show a decision's appeal and deadline."""
    return {
        "appeal_of": services.of_decision,
        "appeal_deadline_of": services.deadline_of,
        "appeals_of": services.of_application,
    }


# --- the applicant ----------------------------------------------------------------------------------


def _decision(application_id: str, decision_id: str, rule: str):
    application = load_application(application_id, rule)
    decision = overview.decision_of(application, decision_id)
    if decision is None:
        abort(404)
    return application, decision


@bp.route("/cases/<application_id>/decisions/<decision_id>/appeal", methods=["GET", "POST"])
@requires("appeal")
def write(application_id: str, decision_id: str):
    application, decision = _decision(application_id, decision_id, "appeal")
    form = AppealForm()
    possible = services.may_appeal(application, decision)
    if services.of_decision(decision.id) is not None:  # appealed already: the page says so and links to the case
        status = 409 if form.is_submitted() else 200
        return _write_page(application, decision, form, False, str(ERROR["already_appealed"]), status)
    if form.is_submitted() and not possible:
        return _write_page(application, decision, form, False, str(ERROR["wrong_state"]), 409)
    if form.validate_on_submit():
        assert form.change.data is not None and form.reasons.data is not None  # DataRequired held
        return signing.start(application, decision, form.change.data, form.reasons.data)
    if not form.is_submitted():
        draft = session.get(signing.DRAFT_KEY) or {}
        if draft.get("decision_id") == decision.id:  # back after a cancelled signing: nothing typed is lost
            form.change.data, form.reasons.data = draft.get("change"), draft.get("reasons")
    return _write_page(application, decision, form, possible, None, 400 if form.errors else 200)


def _write_page(application, decision, form, possible: bool, refusal: str | None, status: int):
    record_read(
        "decision", decision.id, "applicant prepares an appeal of the decision", subject_id=application.applicant_id
    )
    return render_template(
        "appeal/write.html",
        application=application,
        decision=decision,
        form=form,
        possible=possible,
        refusal=refusal,
        deadline=services.deadline_of(decision),
        outcome_label=overview.labels.OUTCOME,
        kronor=overview.kronor,
        municipality_name=overview.municipality_name(application.municipality_code),
    ), status


def _pdf(appeal: Appeal, name: str) -> Response:
    return send_private_file(appeal.document, filename=f"overklagande-{name}.pdf", mimetype="application/pdf")


@bp.get("/cases/<application_id>/appeals/<appeal_id>.pdf")
@requires("case")
def applicant_pdf(application_id: str, appeal_id: str):
    application = load_application(application_id, "case")
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.application_id != application.id:
        abort(404)
    record_read("appeal", appeal.id, "applicant opens their appeal", subject_id=application.applicant_id)
    return _pdf(appeal, application.case_number or application.reference)


# --- the caseworker ------------------------------------------------------------------------------------


def _caseworker_appeal(application_id: str, appeal_id: str):
    application = load_application(application_id, "inbox")
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.application_id != application.id:
        abort(404)
    return application, appeal


@bp.get("/municipality/inbox/<application_id>/appeals/<appeal_id>.pdf")
@requires("inbox")
def caseworker_pdf(application_id: str, appeal_id: str):
    application, appeal = _caseworker_appeal(application_id, appeal_id)
    record_read("appeal", appeal.id, "caseworker opens the appeal", subject_id=application.applicant_id)
    return _pdf(appeal, application.case_number or application.reference)


def _act(application_id: str, appeal_id: str, name: str, form_class, perform):
    """As the inbox's actions: validate, run, tell what happened and go back (PRG); a form error or a refusal
    shows the case again with what was typed."""
    # portal.municipality sits above this layer (ignore_imports in pyproject.toml)
    from portal.municipality.routes import _page

    application, appeal = _caseworker_appeal(application_id, appeal_id)
    form = form_class(prefix=name)
    if not form.validate_on_submit():
        return _page(application, failed=(name, form), status=400)
    try:
        done = perform(appeal, form)
    except services.AppealError as refused:
        db.session.rollback()
        return _page(application, problem=str(ERROR.get(refused.reason, ERROR["wrong_state"])), status=409)
    flash(done)
    return redirect(url_for("municipality.application", application_id=application.id) + "#appeal")


@bp.post("/municipality/inbox/<application_id>/appeals/<appeal_id>/reconsider")
@requires("inbox")
def reconsider(application_id: str, appeal_id: str):
    def perform(appeal, form):
        services.reconsider(appeal, form.outcome.data, form.note.data, g.actor.name or "")
        return _(
            "The reconsideration is recorded. Forward the appeal to the administrative court with the "
            "municipality's opinion."
        )

    return _act(application_id, appeal_id, "appeal_reconsider", ReconsiderForm, perform)


@bp.post("/municipality/inbox/<application_id>/appeals/<appeal_id>/forward")
@requires("inbox")
def forward(application_id: str, appeal_id: str):
    def perform(appeal, form):
        services.forward(appeal, form.opinion.data, g.actor.name or "", form.day)
        return _("The appeal is recorded as forwarded to the administrative court.")

    return _act(application_id, appeal_id, "appeal_forward", ForwardForm, perform)


def caseworker_forms(forms: dict) -> dict:
    """The appeal's forms for the case page: the failed one as typed, else empty ones."""
    return {
        "appeal_reconsider": forms.get("appeal_reconsider")
        or ReconsiderForm(prefix="appeal_reconsider", formdata=None),
        "appeal_forward": forms.get("appeal_forward") or ForwardForm(prefix="appeal_forward", formdata=None),
    }


@bp.app_template_global()
def appeal_forms(forms: dict) -> dict:
    return caseworker_forms(forms)
