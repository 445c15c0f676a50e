from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.application import services as applications
from portal.application.access import load_application
from portal.application.labels import RELATION
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.i18n.services import month
from portal.supplements import labels, services
from portal.supplements.forms import AssetForm, CostForm, IncomeForm, MessageForm

bp = Blueprint("supplements", __name__)


@dataclass(frozen=True)
class Section:
    """What differs between incomes, costs and assets: form, templates and endpoints."""

    kind: str  # services.MODELS key, also the URL segment
    form: type
    list_template: str
    form_template: str

    @property
    def endpoint(self) -> str:
        return f"supplements.{self.kind}"


SECTIONS = {
    "incomes": Section("incomes", IncomeForm, "supplements/incomes.html", "supplements/income_form.html"),
    "costs": Section("costs", CostForm, "supplements/costs.html", "supplements/cost_form.html"),
    "assets": Section("assets", AssetForm, "supplements/assets.html", "supplements/asset_form.html"),
}


def _entry(application, kind: str, entry_id: int):
    found = services.entry(application, kind, entry_id)
    if found is None:
        abort(404)
    return found


def _form(section: Section, application, entry=None):
    kwargs: dict[str, Any] = {"months": [(d, month(d)) for d in services.months(application)]}
    if section.form is IncomeForm:
        kwargs["members"] = [(m.id, f"{m.name} ({RELATION.get(m.relation, m.relation)})") for m in application.members]
    if entry is not None and request.method == "GET":
        kwargs["data"] = section.form.initial(entry)
    return section.form(**kwargs)


def _back(section: Section, application):
    return redirect(url_for(section.endpoint, application_id=application.id))


def _list(kind: services.Kind, application_id: str):
    section = SECTIONS[kind]
    application = load_application(application_id, "application")
    applications.remember_place(application, request.path)
    months = services.months(application)
    if kind == "assets":
        entries, totals = services.entries(application, kind), None
    else:  # incomes or costs: per month
        entries = services.entries(application, kind)
        totals = services.totals(entries, months)
    record_read(
        services.OBJECT_TYPE[kind], application.id, f"applicant views own {kind}", subject_id=application.applicant_id
    )
    return render_template(
        section.list_template,
        application=application,
        entries=entries,
        months=months,
        totals=totals,
        supplement_labels=labels,
    )


def _add(kind: str, application_id: str):
    section = SECTIONS[kind]
    application = load_application(application_id, "application")
    if not application.is_draft:
        return _back(section, application)
    form = _form(section, application)
    if form.validate_on_submit():
        with contextlib.suppress(services.NotEditable):
            services.add(application, kind, form.values())
        return _back(section, application)
    return render_template(
        section.form_template, form=form, application=application, entry=None, supplement_labels=labels
    ), 400 if form.errors else 200


def _edit(kind: str, application_id: str, entry_id: int):
    section = SECTIONS[kind]
    application = load_application(application_id, "application")
    entry = _entry(application, kind, entry_id)
    if not application.is_draft:
        return _back(section, application)
    form = _form(section, application, entry)
    if form.validate_on_submit():
        with contextlib.suppress(services.NotEditable):
            services.update(application, kind, entry, form.values())
        return _back(section, application)
    if request.method == "GET":
        record_read(
            services.OBJECT_TYPE[kind],
            str(entry.id),
            f"applicant views own {services.OBJECT_TYPE[kind]}",
            subject_id=application.applicant_id,
        )
    return render_template(
        section.form_template, form=form, application=application, entry=entry, supplement_labels=labels
    ), 400 if form.errors else 200


def _remove(kind: str, application_id: str, entry_id: int):
    section = SECTIONS[kind]
    application = load_application(application_id, "application")
    entry = _entry(application, kind, entry_id)
    with contextlib.suppress(services.NotEditable):
        services.delete(application, kind, entry)
    return _back(section, application)


@bp.get("/applications/<application_id>/incomes")
@requires("application")
def incomes(application_id: str):
    return _list("incomes", application_id)


@bp.route("/applications/<application_id>/incomes/new", methods=["GET", "POST"])
@requires("application")
def add_income(application_id: str):
    return _add("incomes", application_id)


@bp.route("/applications/<application_id>/incomes/<int:entry_id>", methods=["GET", "POST"])
@requires("application")
def edit_income(application_id: str, entry_id: int):
    return _edit("incomes", application_id, entry_id)


@bp.post("/applications/<application_id>/incomes/<int:entry_id>/remove")
@requires("application")
def remove_income(application_id: str, entry_id: int):
    return _remove("incomes", application_id, entry_id)


@bp.get("/applications/<application_id>/costs")
@requires("application")
def costs(application_id: str):
    return _list("costs", application_id)


@bp.route("/applications/<application_id>/costs/new", methods=["GET", "POST"])
@requires("application")
def add_cost(application_id: str):
    return _add("costs", application_id)


@bp.route("/applications/<application_id>/costs/<int:entry_id>", methods=["GET", "POST"])
@requires("application")
def edit_cost(application_id: str, entry_id: int):
    return _edit("costs", application_id, entry_id)


@bp.post("/applications/<application_id>/costs/<int:entry_id>/remove")
@requires("application")
def remove_cost(application_id: str, entry_id: int):
    return _remove("costs", application_id, entry_id)


@bp.get("/applications/<application_id>/assets")
@requires("application")
def assets(application_id: str):
    return _list("assets", application_id)


@bp.route("/applications/<application_id>/assets/new", methods=["GET", "POST"])
@requires("application")
def add_asset(application_id: str):
    return _add("assets", application_id)


@bp.route("/applications/<application_id>/assets/<int:entry_id>", methods=["GET", "POST"])
@requires("application")
def edit_asset(application_id: str, entry_id: int):
    return _edit("assets", application_id, entry_id)


@bp.post("/applications/<application_id>/assets/<int:entry_id>/remove")
@requires("application")
def remove_asset(application_id: str, entry_id: int):
    return _remove("assets", application_id, entry_id)


@bp.route("/applications/<application_id>/message", methods=["GET", "POST"])
@requires("application")
def message(application_id: str):
    application = load_application(application_id, "application")
    if request.method == "POST" and not application.is_draft:
        return redirect(url_for("supplements.message", application_id=application.id))
    saved = services.free_text(application)
    form = MessageForm(data={"text": saved.text if saved else ""} if request.method == "GET" else None)
    if form.validate_on_submit():
        with contextlib.suppress(services.NotEditable):
            services.save_text(application, form.text.data or "")
        return redirect(url_for("application.show", application_id=application.id))
    if request.method == "GET":
        applications.remember_place(application, request.path)
        record_read(
            "free_text",
            application.id,
            "applicant views own message to municipality",
            subject_id=application.applicant_id,
        )
    return render_template(
        "supplements/message.html", form=form, application=application, saved=saved
    ), 400 if form.errors else 200
