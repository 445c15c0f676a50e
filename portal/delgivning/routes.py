"""The municipality's print queue (``/municipality/print-queue``): decisions that could not be served by
digital mail, to post. A caseworker takes a PDF/A batch of the chosen ones to the post room, then confirms
them sent, which serves them by post on that day. Thin over :mod:`portal.delgivning.services`."""

from __future__ import annotations

import logging

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.application.models import Application
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.auth.models import Person
from portal.case.models import Decision
from portal.delgivning import services
from portal.delgivning.forms import PrintQueueForm
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.municipality import services as inbox_services
from portal.routing.services import municipality
from portal.web.fields import parse_date
from portal.web.files import send_private_file

bp = Blueprint("delgivning", __name__, url_prefix="/municipality/print-queue")


@bp.record_once
def _announce(state) -> None:
    """Say at start how decisions will be served: without a digital-mail service, on paper only."""
    config = state.app.config["PORTAL"]
    if config.digital_mail_url:
        logging.getLogger("portal.delgivning").info(
            "delgivning: decisions served by digital mail, paper as the fallback"
        )
    else:
        logging.getLogger("portal.delgivning").warning(
            "delgivning: PORTAL_DIGITAL_MAIL_URL is not set: every decision goes to its municipality's print queue "
            "(paper)"
        )


# Why a decision is to be posted (Delgivning.paper_reason).
REASONS = {
    "no_mailbox": _l("No digital mailbox"),
    "lookup_failed": _l("The digital mail service did not answer"),
    "send_failed": _l("The digital mail service refused the message"),
    "not_configured": _l("No digital mail service configured"),
}


def _rows() -> list[dict]:
    """The queue as this caseworker may see it: their municipality's, and their unit's where they have one."""
    rows = []
    for entry in services.print_queue(g.actor.municipality_code):
        if inbox_services.visible(g.actor, entry.application_id) is None:
            continue
        application = db.session.get_one(Application, entry.application_id)
        person = db.session.get_one(Person, application.applicant_id)
        rows.append(
            {
                "entry": entry,
                "application": application,
                "name": f"{person.given_name} {person.family_name}",
                "decision": db.session.get(Decision, entry.decision_id),
            }
        )
    return rows


def _form(rows: list[dict]) -> PrintQueueForm:
    form = PrintQueueForm()
    form.letters.choices = [
        (row["entry"].id, row["application"].case_number or row["application"].reference) for row in rows
    ]
    return form


def _page(form: PrintQueueForm, rows: list[dict], status: int = 200, done: str | None = None):
    return render_template(
        "delgivning/print_queue.html",
        form=form,
        rows=rows,
        done=done,
        reasons=REASONS,
        municipality=municipality(g.actor.municipality_code),
    ), status


@bp.get("/")
@requires("inbox")
def queue():
    record_read("print_queue", g.actor.municipality_code, "caseworker lists the print queue")
    rows = _rows()
    confirmed = request.args.get("confirmed", "")
    day = parse_date(request.args.get("on"))
    done = (
        _("%(count)s decisions marked as served by post on %(date)s.", count=int(confirmed), date=day.isoformat())
        if confirmed.isdigit() and day
        else None
    )
    return _page(_form(rows), rows, done=done)


@bp.post("/")
@requires("inbox")
def act():
    rows = _rows()
    form = _form(rows)
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("batch", "confirm"):
        return _page(form, rows, 400)
    if action == "batch":
        pdf = services.batch_pdf(g.actor.municipality_code, form.letters.data or [])
        return send_private_file(pdf, filename="beslut-att-posta.pdf", mimetype="application/pdf")
    day = form.posted_on()
    if day is None:
        return _page(form, rows, 400)
    count = services.confirm_sent(g.actor.municipality_code, form.letters.data or [], g.actor.name or "", day)
    return redirect(url_for("delgivning.queue", confirmed=count, on=day.isoformat()))
