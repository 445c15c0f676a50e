"""Administrators' delivery page: every inbox's health (working, failing, paused), dead letters put back in
their queue with a reason (audited), and "try again now" for an inbox that backs off or is paused."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal.application.models import Application
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.delivery import queries, services
from portal.delivery.forms import RequeueForm
from portal.delivery.models import Delivery
from portal.delivery.states import DeliveryStatus, InboxState
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.routing.config import routing_config

bp = Blueprint("delivery", __name__)

STATE_LABEL = {
    InboxState.WORKING: _l("Working"),
    InboxState.FAILING: _l("Failing, trying again"),
    InboxState.PAUSED: _l("Paused: not answering"),
}
KIND_LABEL = {
    "timeout": _l("No answer in time (it may have arrived)"),
    "unavailable": _l("Not reachable or answering with an error"),
    "configuration": _l("Not configured in the portal"),
    "refused": _l("Refused the application"),
    "document": _l("The application document could not be sent"),
}


def _page(template: str, status: int = 200, **context):
    return render_template(
        template, state_label=STATE_LABEL, kind_label=KIND_LABEL, inbox_name=_inbox_name, **context
    ), status


def _inbox_name(inbox_id: str) -> str:
    inbox = routing_config().inboxes.get(inbox_id)
    return inbox.name if inbox is not None else inbox_id


@bp.app_template_global("paused_delivery_inboxes")
def paused_delivery_inboxes() -> list[str]:
    """For the administrators' overview: the names of the inboxes paused now."""
    return [_inbox_name(inbox_id) for inbox_id in queries.paused_inboxes()]


@bp.get("/delivery/admin")
@requires("admin")
def admin():
    inboxes = queries.health()
    dead = queries.dead_letters()
    record_read("delivery_health", None, "administrator looks at delivery health and dead letters")
    return _page("delivery/admin.html", inboxes=inboxes, dead=dead, button_form=FlaskForm())


@bp.route("/delivery/admin/<delivery_id>/requeue", methods=["GET", "POST"])
@requires("admin")
def requeue(delivery_id: str):
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    if delivery.status != DeliveryStatus.DEAD:
        flash(_("This application is no longer stopped: there is nothing to send again."))
        return redirect(url_for("delivery.admin"))
    form = RequeueForm()
    if form.validate_on_submit():
        try:
            assert form.reason.data is not None  # DataRequired held
            services.requeue(delivery.id, form.reason.data.strip())
        except services.NotRequeueable:
            flash(_("This application is no longer stopped: there is nothing to send again."))
        else:
            flash(_("The application is back in its inbox's queue and will be sent again."))
        return redirect(url_for("delivery.admin"))
    application = db.session.scalar(select(Application).where(Application.id == delivery.application_id))
    record_read(
        "delivery",
        delivery.id,
        "administrator looks at a dead-lettered delivery before sending it again",
        subject_id=application.applicant_id if application else None,
    )
    return _page(
        "delivery/requeue.html",
        400 if form.errors else 200,
        form=form,
        delivery=delivery,
        reference=application.reference if application else "",
    )


@bp.post("/delivery/admin/inboxes/<inbox_id>/retry")
@requires("admin")
def retry_inbox(inbox_id: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    if (
        inbox_id not in routing_config().inboxes
        and db.session.scalar(select(Delivery.id).where(Delivery.inbox_id == inbox_id).limit(1)) is None
    ):
        abort(404)
    services.retry_inbox_now(inbox_id)
    flash(_("The inbox will be tried again now."))
    return redirect(url_for("delivery.admin"))
