from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.application import services as applications
from portal.application.access import load_application
from portal.attachments import services, validation
from portal.attachments.forms import UploadForm
from portal.attachments.storage import current_storage
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.i18n.services import money, month
from portal.information import labels as information_labels
from portal.information.services import items
from portal.providers.registry import provider as provider_named
from portal.supplements import services as supplements
from portal.supplements.labels import entry_label
from portal.web.files import send_private_file

bp = Blueprint("attachments", __name__)


def _link_choices(application) -> list[tuple[str, str]]:
    members = {m.id: m.name for m in application.members}
    choices = [("", _("Nothing in particular"))]
    for item in items(application):
        label, _help = information_labels.item_label(provider_named(item.provider), item.kind)
        when = item.period_start.strftime("%Y-%m") if item.period_start else ""
        choices.append((f"item:{item.id}", f"{label} – {members.get(item.member_id, '')} {when}".strip()))
    for cost in _costs(application):
        choices.append((f"cost:{cost.id}", cost_label(cost)))
    return choices


def _costs(application):

    return supplements.entries(application, "costs")


def cost_label(cost) -> str:

    return _(
        "Your cost: %(what)s, %(amount)s, %(month)s",
        what=entry_label(cost),
        amount=money(cost.amount_ore),
        month=month(cost.month),
    )


def _page(application, form, status=200):
    attachments = services.for_application(application.id)
    record_read("attachment_list", application.id, "applicant's attachments", subject_id=application.applicant_id)
    choices = dict(_link_choices(application))
    links = {
        a.id: choices.get(f"item:{a.linked_item_id}") or choices.get(f"cost:{a.linked_cost_id}") for a in attachments
    }
    return render_template(
        "attachments/list.html",
        application=application,
        form=form,
        attachments=attachments,
        links=links,
        max_files=validation.MAX_PER_APPLICATION,
    ), status


@bp.route("/applications/<application_id>/attachments", methods=["GET", "POST"])
@requires("application")
def manage(application_id: str):
    application = load_application(application_id, "application")
    form = UploadForm()
    form.documents.choices = _link_choices(application)
    if form.is_submitted() and not application.is_draft:
        abort(409)
    if form.validate_on_submit():
        upload = form.file.data
        linked_item = linked_cost = None
        kind, _sep, ident = (form.documents.data or "").partition(":")
        if kind == "item":
            linked_item = int(ident)
        elif kind == "cost":
            linked_cost = int(ident)
        try:
            services.attach(
                application,
                g.subject_id,
                upload.read(),
                upload.filename or "",
                current_storage(),
                linked_item_id=linked_item,
                linked_cost_id=linked_cost,
                description=form.description.data or None,
            )
        except validation.AttachmentRefused as refused:
            form.file.errors = [refused.message]
            return _page(application, form, 400)
        return redirect(url_for("attachments.manage", application_id=application.id))
    if request.method == "GET":
        applications.remember_place(application, request.path)
    return _page(application, form, 400 if form.errors else 200)


@bp.get("/applications/<application_id>/attachments/<attachment_id>")
@requires("joint")
def download(application_id: str, attachment_id: str):
    """The applicant and the co-signer of a joint application open its files; no other household member
    (rule ``joint``, portal/auth/access.py). The list and changes are the applicant's (rule ``application``)."""
    application = load_application(application_id, "joint")
    attachment = services.get(application.id, attachment_id)
    # The municipality's files are on its messages, for the applicant only (``case.message_file``).
    if attachment is None or attachment.from_municipality:
        abort(404)
    record_read("attachment", attachment.id, "attachment opened", subject_id=application.applicant_id)
    return send_private_file(
        current_storage().open(attachment.storage_key),
        filename=attachment.original_name,
        mimetype=attachment.media_type,
        sha256=attachment.sha256,
    )


@bp.post("/applications/<application_id>/attachments/<attachment_id>/remove")
@requires("application")
def remove(application_id: str, attachment_id: str):
    application = load_application(application_id, "application")
    attachment = services.get(application.id, attachment_id)
    if attachment is None or not application.is_draft:
        abort(404)
    if FlaskForm().validate_on_submit():
        services.detach(application, attachment, current_storage())
    return redirect(url_for("attachments.manage", application_id=application.id))
