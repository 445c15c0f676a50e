"""The built-in inbox: caseworkers list, open and handle the applications of their municipality
(and, where they belong to one, their unit). Views are thin over ``portal.case.services`` (the
operations) and ``portal.municipality.services`` (what the inbox reads)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select

from portal.application.access import load_application
from portal.application.labels import STATUS_FOR_CASEWORKER
from portal.application.models import Application
from portal.application.states import FINISHED, REGISTERED, ApplicationStatus
from portal.attachments import services as attachment_services
from portal.attachments import validation
from portal.attachments.storage import current_storage
from portal.audit.services import record, record_read
from portal.auth.access import requires
from portal.auth.actor import ADMINISTRATOR
from portal.case import labels as case_labels
from portal.case import services as case
from portal.case.forms import chosen_files
from portal.case.labels import CASE_ERROR_FOR_CASEWORKER, OUTCOME_FOR_CASEWORKER, PAYMENT_STATE
from portal.case.models import Decision
from portal.case.states import GRANTING
from portal.delivery.services import stuck
from portal.exchange.pdf import render
from portal.extensions import db
from portal.municipality import forms, labels
from portal.municipality import services as inbox_services
from portal.municipality.render import Received, inbox_rows
from portal.routing.services import UnknownMunicipality, municipalities, municipality
from portal.submission import services as submission
from portal.web.files import send_private_file
from portal.web.reads import reads_once

bp = Blueprint("municipality", __name__, url_prefix="/municipality")


@bp.get("/")
@requires("public")
def home():
    if g.actor.role == ADMINISTRATOR:
        return redirect(url_for("municipality.admin"))
    if g.actor.municipality_code:
        return redirect(url_for("municipality.inbox"))
    return render_template("municipality/home.html")


# --- the list -------------------------------------------------------------------------------------


@bp.get("/inbox")
@requires("inbox")
def inbox():
    search = forms.SearchForm(request.args)
    name = request.args.get("filter", "all")
    if name not in labels.FILTERS:
        name = "all"
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    query = (search.q.data or "") if search.validate() else ""  # the filter already makes it a string
    # Audited before the listing is read (the audit commits); the rows are plain values, read in one query.
    record_read(
        "inbox",
        f"{g.actor.municipality_code}/{g.actor.unit or '*'}",
        f"caseworker lists the inbox ({name}{', search' if query else ''})",
    )
    rows, more = inbox_services.listing(g.actor, name, query, page)
    unit = case.inboxes_of(g.actor.municipality_code).get(g.actor.unit) if g.actor.unit else None
    return render_template(
        "municipality/inbox.html",
        rows=rows,
        row_markup=inbox_rows(rows, _status_tag(), _link_pattern("municipality.application", "application_id")),
        more=more,
        page=page,
        current=name,
        filters=labels.FILTERS,
        search=search,
        query=query,
        unit=unit,
        municipality=municipality(g.actor.municipality_code),
        form=search if search.errors else None,
    )


def _status_tag():
    """A status's tag, made once per status for the page, not once a row (issue 15, point 5)."""
    tag = get_template_attribute("components/tag.html", "tag")
    made: dict[str, Markup] = {}

    def status_tag(status: str) -> Markup:
        if status not in made:
            made[status] = Markup(tag(STATUS_FOR_CASEWORKER.get(status, status), kind=status))
        return made[status]

    return status_tag


def _link_pattern(endpoint: str, name: str):
    """``url_for(endpoint, name=value)`` for many values at the cost of one: the URL is built once around a
    marker and each value (an id) quoted into it."""
    marker = "__value__"
    values: dict[str, Any] = {name: marker}
    head, tail = url_for(endpoint, **values).split(marker)
    return lambda value: f"{head}{quote(str(value), safe='')}{tail}"


# --- one case -------------------------------------------------------------------------------------


def _forward_choices(application: Application) -> list[tuple[str, str]]:
    return list(_forward(application)[0])


def _forward(application: Application) -> tuple[tuple[tuple[str, str], ...], Markup]:
    """Where the case can be forwarded (its units, then the 290 municipalities by name) and those choices
    rendered as options with none chosen: made once per language, municipality, unit and the municipality's
    units, and kept, not on every request (issue 15, point 5)."""
    units = case.inboxes_of(application.municipality_code)
    key = (
        str(get_locale()),
        application.municipality_code,
        application.inbox_id,
        tuple((unit.id, unit.name) for unit in units.values()),
    )
    kept = current_app.extensions.setdefault("portal.forward_choices", {})
    found = kept.get(key)
    if found is None:
        choices = [("", _("Choose where to forward"))]
        choices += [
            (f"unit:{unit.id}", _("Unit: %(name)s", name=unit.name))
            for unit in units.values()
            if unit.id != application.inbox_id
        ]
        # One translation for the 290 municipalities, in their order by name worked out once per process.
        wording = _("Municipality: %(name)s")
        choices += [
            (f"municipality:{code}", wording % {"name": name})
            for code, name in _municipalities_by_name()
            if code != application.municipality_code
        ]
        options = get_template_attribute("components/forms.html", "select_options")(choices, "")
        found = (tuple(choices), Markup(options))
        if len(kept) >= 10_000:  # bounded for a long-lived process
            kept.clear()
        kept[key] = found
    return found


@cache
def _municipalities_by_name() -> tuple[tuple[str, str], ...]:
    return tuple((code, entry.name) for code, entry in sorted(municipalities().items(), key=lambda kv: kv[1].name))


def _actions(application: Application) -> list[str]:
    """The handling actions that fit the case's status, in the order they are shown."""
    status = application.status
    actions: list[str] = []
    if status == ApplicationStatus.SUBMITTED:
        actions += ["register", "forward", "nothandled"]
    elif status in REGISTERED:
        if status == ApplicationStatus.RECEIVED:
            actions.append("start")
        if application.assigned_to != g.actor.id:
            actions.append("assign")
        actions += ["supplement", "interim", "decision", "forward", "nothandled"]
    elif status == ApplicationStatus.DECIDED:
        actions += ["payment", "close"]
    if status not in FINISHED:
        actions.append("message")
    return actions


def _forms(application: Application, view, actions: list[str]) -> dict:
    """The forms of the actions shown (the page renders no other; issue 15, point 5)."""
    built = {name: cls(prefix=name, formdata=None) for name, cls in forms.PREFIXES.items() if name in actions}
    _prepare(built, application, view)
    return built


def _prepare(built: dict, application: Application, view) -> None:
    if "forward" in built:
        built["forward"].destination.choices = _forward_choices(application)
    if "supplement" in built:
        built["supplement"].item.choices = view.item_choices if view else [("", "")]


def _page(
    application: Application,
    failed: tuple[str, object] | None = None,
    problem: str | None = None,
    status: int = 200,
    mark_unread: bool = False,
):
    # Audited first: the audit commits, and a commit after loading would expire what the view loaded,
    # so the page would load each event, message and item again one by one while rendering.
    record_read(
        "application", application.id, "caseworker handles the application", subject_id=application.applicant_id
    )
    with reads_once():  # after the audit's commit, so nothing read once is expired under the page
        return _render_page(application, failed, problem, status, mark_unread)


def _render_page(application: Application, failed, problem, status, mark_unread: bool):
    view = inbox_services.case_view(application)
    # The applicant's messages not yet read, marked "new" (from the messages the view reads anyway).
    unread_ids = (
        {m.id for m in view.messages if m.sender == case.APPLICANT and m.read_at is None} if mark_unread else set()
    )
    actions = _actions(application)
    built = _forms(application, view, actions)
    if failed:
        built[failed[0]] = failed[1]
        _prepare({failed[0]: failed[1]}, application, view)
    units = case.inboxes_of(application.municipality_code)
    return render_template(
        "municipality/application.html",
        item=application,
        view=view,
        forms=built,
        actions=actions,
        same_month=inbox_services.same_month(g.actor, application),
        failed=failed[0] if failed else None,
        problem=problem,
        unread_ids=unread_ids,
        unit=units.get(application.inbox_id),
        units=units,
        labels_cw=labels,
        case_labels=case_labels,
        iso_date=_iso_date,
        iso_month=_iso_month,
        received=Received(view, _iso_date, _iso_month),
        forward_options=_forward(application)[1] if "forward" in actions else None,
        place=_place,
        form=failed[1] if failed and failed[1].errors else None,
    ), status


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _iso_month(value: str | None) -> date | None:
    return _iso_date(f"{value}-01") if value else None


def _place(code: str | None, inbox_id: str | None = None) -> str:
    """A municipality (and unit) by name, for the timeline."""
    try:
        name = municipality(code).name
    except UnknownMunicipality:
        name = code or ""
    unit = case.inboxes_of(code).get(inbox_id) if code and inbox_id else None
    return f"{name} ({unit.name})" if unit else name


@bp.get("/inbox/<application_id>")
@requires("inbox")
def application(application_id: str):
    item = load_application(application_id, "inbox")
    # Opening the case changes nothing (a prefetch or a colleague's glance must not clear "new"): the
    # caseworker marks the new answers and messages as seen with the "seen" action.
    return _page(item, mark_unread=True)


@bp.post("/inbox/<application_id>/seen")
@requires("inbox")
def seen(application_id: str):
    def perform(item, form):
        answers = inbox_services.seen_answers(item)
        messages = case.mark_read(item, case.MUNICIPALITY)
        if not answers and not messages:
            return _("There was nothing new to mark."), None
        return _("The new answers and messages are marked as seen."), None

    return _act(application_id, "seen", perform, "#requests")


class _Refused(Exception):
    """An action refused beside one of its form's fields, e.g. a file that may not be sent."""

    def __init__(self, field: str, text: str):
        super().__init__(text)
        self.field = field
        self.text = text


def _act(application_id: str, name: str, perform, anchor: str = ""):
    """Validate the action's form, run it, tell what happened and go back to the case (PRG).
    A form error or a refused operation shows the case again with what was typed."""
    item = load_application(application_id, "inbox")
    form = forms.PREFIXES[name](prefix=name)
    _prepare({name: form}, item, inbox_services.case_view(item) if name == "supplement" else None)
    if not form.validate_on_submit():
        return _page(item, failed=(name, form), status=400)
    try:
        done, target = perform(item, form)
    except _Refused as refused:
        db.session.rollback()  # and with it any file already stored for this action
        getattr(form, refused.field).errors = [refused.text]
        return _page(item, failed=(name, form), status=400)
    except case.CaseError as error:
        message = str(CASE_ERROR_FOR_CASEWORKER.get(error.reason, CASE_ERROR_FOR_CASEWORKER["wrong_state"]))
        field = FIELD_OF_ERROR.get((name, error.reason))
        if field is None:
            db.session.rollback()
            return _page(item, problem=message, status=409)
        getattr(form, field).errors = [*getattr(form, field).errors, message]
        db.session.rollback()
        return _page(item, failed=(name, form), status=400)
    flash(done)
    return redirect(target or url_for("municipality.application", application_id=item.id) + anchor)


FIELD_OF_ERROR = {
    ("forward", "reason_missing"): "reason",
    ("forward", "not_receiving"): "destination",
    ("forward", "unknown_inbox"): "destination",
    ("forward", "same_inbox"): "destination",
    ("supplement", "due_date_past"): "due_date",
    ("supplement", "unknown_item"): "item",
    ("decision", "amount_missing"): "amount",
    ("decision", "period_missing"): "period_end",
    ("decision", "unknown_outcome"): "outcome",
    ("payment", "unknown_state"): "state",
    ("payment", "amount_missing"): "amount",
    ("nothandled", "reason_missing"): "reason",
    ("message", "message_empty"): "body",
}


@bp.post("/inbox/<application_id>/register")
@requires("inbox")
def register(application_id: str):
    def perform(item, form):
        number = case.register(item)
        return _("Arrival registered. Case number: %(number)s", number=number), None

    return _act(application_id, "register", perform)


@bp.post("/inbox/<application_id>/start")
@requires("inbox")
def start(application_id: str):
    def perform(item, form):
        case.start_handling(item)
        return _("Handling started."), None

    return _act(application_id, "start", perform)


@bp.post("/inbox/<application_id>/assign")
@requires("inbox")
def assign(application_id: str):
    def perform(item, form):
        case.assign(item, g.actor.id, g.actor.name)
        return _("The case is assigned to you."), None

    return _act(application_id, "assign", perform)


@bp.post("/inbox/<application_id>/forward")
@requires("inbox")
def forward(application_id: str):
    def perform(item, form):
        kind, _sep, target = form.destination.data.partition(":")
        if kind == "unit":
            case.forward(item, item.municipality_code, target, form.reason.data)
            where = case.inboxes_of(item.municipality_code)[target].name
        else:
            case.forward(item, target, None, form.reason.data)
            where = municipality(target).name
        still_mine = inbox_services.visible(g.actor, item.id) is not None
        return (
            _("The application was forwarded to %(where)s.", where=where),
            None if still_mine else url_for("municipality.inbox"),
        )

    return _act(application_id, "forward", perform)


@bp.post("/inbox/<application_id>/supplement")
@requires("inbox")
def supplement(application_id: str):
    def perform(item, form):
        case.request_supplement(
            item,
            form.what.data,
            form.why.data,
            form.due_date.date,
            g.actor.name,
            item_id=int(form.item.data) if form.item.data else None,
        )
        return _("The supplement request was sent to the applicant."), None

    return _act(application_id, "supplement", perform, "#requests")


@bp.post("/inbox/<application_id>/interim")
@requires("inbox")
def interim(application_id: str):
    def perform(item, form):
        case.interim_reply(item, form.text.data, form.expected_by.date)
        return _("The interim reply was sent to the applicant."), None

    return _act(application_id, "interim", perform, "#timeline")


@bp.post("/inbox/<application_id>/decision")
@requires("inbox")
def decide(application_id: str):
    def perform(item, form):
        granting = form.outcome.data in GRANTING
        case.decide(
            item,
            form.outcome.data,
            form.reasoning.data,
            g.actor.name,
            amount=form.amount.kronor if granting else None,
            period_start=form.period_start.date if granting else None,
            period_end=form.period_end.date if granting else None,
        )
        return _("The decision was made: %(outcome)s.", outcome=OUTCOME_FOR_CASEWORKER[form.outcome.data]), None

    return _act(application_id, "decision", perform, "#decisions")


@bp.post("/inbox/<application_id>/payment")
@requires("inbox")
def payment(application_id: str):
    def perform(item, form):
        case.report_payment(
            item, form.amount.kronor, form.due_date.date, form.state.data, external_ref=form.external_ref.data or None
        )
        return _("The payment was reported: %(state)s.", state=PAYMENT_STATE[form.state.data]), None

    return _act(application_id, "payment", perform, "#payments")


@bp.post("/inbox/<application_id>/close")
@requires("inbox")
def close(application_id: str):
    def perform(item, form):
        case.close(item)
        return _("The case is closed."), None

    return _act(application_id, "close", perform)


@bp.post("/inbox/<application_id>/not-handled")
@requires("inbox")
def not_handled(application_id: str):
    def perform(item, form):
        case.not_handled(item, form.reason.data)
        return _("The application is marked as not to be handled."), None

    return _act(application_id, "nothandled", perform)


@bp.post("/inbox/<application_id>/messages")
@requires("inbox")
def message(application_id: str):
    def perform(item, form):
        stored = _store_files(item, form.files)
        case.send_message(
            item,
            case.MUNICIPALITY,
            g.actor.name,
            form.body.data,
            reply_requested=bool(form.reply_requested.data),
            attachment_ids=stored,
        )
        return _("The message was sent."), None

    return _act(application_id, "message", perform, "#messages")


# --- files ----------------------------------------------------------------------------------------


def _store_files(item: Application, field) -> list[str]:
    """Check and store the caseworker's chosen files with the applicant's checks and limits. A file
    that may not be sent refuses the whole message: the rollback takes the stored bytes with it."""
    stored = []
    for upload in chosen_files(field):
        try:
            found = attachment_services.add_from_municipality(
                item.id, g.actor.name or g.actor.id, upload.read(), upload.filename, current_storage()
            )
        except validation.AttachmentRefused as refused:
            raise _Refused(
                field.short_name,
                _("%(file)s: %(problem)s", file=validation.safe_name(upload.filename), problem=refused.message),
            ) from None
        record(
            "create", "attachment", found.id, "caseworker sends a document on the case", subject_id=item.applicant_id
        )
        stored.append(found.id)
    return stored


@bp.get("/inbox/<application_id>/attachments/<attachment_id>")
@requires("inbox")
def attachment(application_id: str, attachment_id: str):
    """A file the applicant sent, opened only here: authorised like the case, audited."""
    item = load_application(application_id, "inbox")
    found = inbox_services.attachment(item, attachment_id)
    if found is None:
        abort(404)
    record_read("attachment", found.id, "caseworker opens an attachment", subject_id=item.applicant_id)
    return send_private_file(
        current_storage().open(found.storage_key),
        filename=found.original_name,
        mimetype=found.media_type,
        sha256=found.sha256,
    )


@bp.get("/inbox/<application_id>/decisions/<decision_id>.pdf")
@requires("inbox")
def decision_document(application_id: str, decision_id: str):
    item = load_application(application_id, "inbox")
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.application_id != item.id:
        abort(404)
    record_read("decision", decision.id, "caseworker opens the decision document", subject_id=item.applicant_id)
    response = send_private_file(
        decision.document, filename=f"{item.case_number or item.reference}-beslut.pdf", mimetype="application/pdf"
    )
    # The hex digest as the decision records it, for the caseworker's own tools (kept from before
    # Content-Digest; the same value, in hex).
    response.headers["Digest"] = f"sha-256={decision.document_sha256}"
    return response


@bp.get("/admin")
@requires("admin")
def admin():
    """Operations overview: counts only, no personal data."""
    counts = dict(db.session.execute(select(Application.status, func.count()).group_by(Application.status)).all())
    return render_template(
        "municipality/admin.html", counts=counts, stuck=stuck(), municipality_count=len(municipalities())
    )


@bp.get("/inbox/<application_id>/document.<any(json, pdf):kind>")
@requires("inbox")
def document(application_id: str, kind: str):
    """The frozen exchange document as received: JSON for systems, PDF for people."""
    item = load_application(application_id, "inbox")
    frozen = submission.frozen_document(item)
    if frozen is None:
        abort(404)
    record_read("exchange_document", item.id, "caseworker opens the application document", subject_id=item.applicant_id)
    if kind == "json":
        response = send_private_file(
            frozen.body.encode("utf-8"), filename=f"{item.reference}.json", mimetype="application/json"
        )
    else:
        response = send_private_file(
            render(json.loads(frozen.body)), filename=f"{item.reference}.pdf", mimetype="application/pdf"
        )
    # The frozen document's digest in hex, as the applicant's receipt shows it, on both forms: the PDF
    # is that document made readable (its own bytes' digest is the Content-Digest).
    response.headers["Digest"] = f"sha-256={frozen.sha256}"
    return response
