"""The lines in the built-in inbox (accept, or change with a reason, no JavaScript needed) and the
applicant's decision page that explains the decision and its lines in their language. Views are thin over
``portal.calculation.services``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.application.access import load_application
from portal.application.models import Application
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.calculation import forms, services
from portal.calculation.models import ACCEPT, CHANGE
from portal.calculation.text import GROUP, STATUS, line_text
from portal.case.services import CaseError
from portal.i18n.lazy import _l

bp = Blueprint("calculation", __name__)

REFUSED = {
    "wrong_state": _l("The lines can be changed only while the case is being handled, before the decision."),
    "unknown_line": _l("There is no such line in this application."),
}


@bp.app_template_global()
def calculation_line_text(line: dict) -> str:
    return line_text(line)


@bp.app_context_processor
def _words() -> dict:
    return {"calculation_group": GROUP, "calculation_status": STATUS}


# --- the inbox --------------------------------------------------------------------------------------


def _case_page(application: Application) -> str:
    return url_for("municipality.application", application_id=application.id) + "#calculation"


def _refused(error: CaseError) -> str:
    return str(REFUSED.get(error.reason, REFUSED["wrong_state"]))


@bp.post("/municipality/inbox/<application_id>/lines/<line_id>/accept")
@requires("inbox")
def accept(application_id: str, line_id: str):
    application = load_application(application_id, "inbox")
    if not forms.AcceptForm().validate_on_submit():
        abort(400)
    try:
        services.judge(application, line_id, ACCEPT, g.actor.name)
    except CaseError as error:
        flash(_refused(error))
        return redirect(_case_page(application))
    flash(_("The line was accepted."))
    return redirect(_case_page(application))


@bp.route("/municipality/inbox/<application_id>/lines/<line_id>", methods=["GET", "POST"])
@requires("inbox")
def change(application_id: str, line_id: str):
    """One line with its history and the form to change it (what was typed is kept on an error)."""
    application = load_application(application_id, "inbox")
    record_read(
        "calculation_line",
        application.id,
        "caseworker opens a calculation line to judge it",
        subject_id=application.applicant_id,
    )
    sheet = services.sheet(application)
    line = sheet.line(line_id) if sheet is not None else None
    if line is None:
        abort(404)
    form = forms.ChangeForm()
    problem = None
    if form.validate_on_submit():
        assert form.amount.kronor is not None  # validate_amount sets it whenever the form is valid
        try:
            services.judge(
                application, line_id, CHANGE, g.actor.name, amount_ore=form.amount.kronor * 100, reason=form.reason.data
            )
        except CaseError as error:
            problem = _refused(error)
        else:
            flash(_("The line was changed."))
            return redirect(_case_page(application))
    status = 400 if form.errors else 409 if problem else 200
    return render_template(
        "calculation/change.html",
        item=application,
        line=line,
        form=form if form.errors else None,
        change_form=form,
        problem=problem,
    ), status


# --- the applicant's decision page ----------------------------------------------------------------


@bp.get("/cases/<application_id>/decisions/<decision_id>")
@requires("case")
def decision(application_id: str, decision_id: str):
    """The decision explained in the applicant's language: the outcome, the lines (what was counted, what
    the municipality changed and why) and the way to appeal. The binding document stays the Swedish PDF."""
    # portal.case sits above this layer (ignore_imports in pyproject.toml)
    from portal.case import labels, overview

    application = load_application(application_id, "case")
    found = overview.decision_of(application, decision_id)
    if found is None:
        abort(404)
    record_read("decision", found.id, "applicant reads the decision explained", subject_id=application.applicant_id)
    lines = found.calculation_lines or []
    return render_template(
        "calculation/decision.html",
        application=application,
        decision=found,
        lines=lines,
        totals=services.totals(lines) if lines else None,
        outcome_label=labels.OUTCOME,
        municipality=overview.municipality_name(application.municipality_code),
        kronor=overview.kronor,
    )
