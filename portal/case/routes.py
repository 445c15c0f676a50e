"""The applicant's side of a sent application: the case page, answering the municipality's
requests, messages both ways, the decision document, and withdrawing. Views stay thin over
``portal/case/services.py`` (operations) and ``portal/case/overview.py`` (what is shown)."""

from __future__ import annotations

import json

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.application import labels as application_labels
from portal.application.access import load_application
from portal.application.states import OPEN_CASE
from portal.attachments import services as attachment_services
from portal.attachments import validation
from portal.attachments.models import Attachment
from portal.attachments.storage import current_storage
from portal.audit.services import record, record_read
from portal.auth.access import requires
from portal.case import labels, overview
from portal.case import services as case
from portal.case.forms import AnswerForm, DocumentForm, MessageForm, WithdrawForm, chosen_files
from portal.exchange.pdf import render as render_document
from portal.extensions import db
from portal.submission.services import frozen_document
from portal.web.files import send_private_file

bp = Blueprint("case", __name__)

# What the case page confirms after a successful POST (Post/Redirect/Get).
DONE = {"answered", "withdrawn", "document"}


def _not_sent(application):
    """Drafts (and applications waiting for a co-signature) have no case yet."""
    return redirect(url_for("application.show", application_id=application.id))


@bp.get("/cases/<application_id>")
@requires("case")
def show(application_id: str):
    application = load_application(application_id, "case")
    if not overview.is_sent(application):
        return _not_sent(application)
    record_read("case", application.id, "applicant views own case", subject_id=application.applicant_id)
    done = request.args.get("done")
    return render_template("case/show.html", done=done if done in DONE else None, **overview.case_page(application))


# --- files sent with an answer or a message -----------------------------------------------------


def _store_files(application, field) -> list[str] | None:
    """Check and store the chosen files (reusing the attachments' validation and storage). On a
    refused file nothing is kept: the transaction rolls back and its stored bytes go with it."""
    stored = []
    for upload in chosen_files(field):
        try:
            attachment = attachment_services.add(
                application.id, g.subject_id, upload.read(), upload.filename, current_storage()
            )
        except validation.AttachmentRefused as refused:
            db.session.rollback()
            field.errors = [
                _("%(file)s: %(problem)s", file=validation.safe_name(upload.filename), problem=refused.message)
            ]
            return None
        record(
            "create",
            "attachment",
            attachment.id,
            "applicant sends a document on the case",
            subject_id=application.applicant_id,
        )
        stored.append(attachment.id)
    return stored


def _case_error(form, field, error: case.CaseError) -> str | None:
    """Put a refusal beside the field it concerns; otherwise return it for the page."""
    db.session.rollback()
    text = str(labels.CASE_ERROR.get(error.reason, labels.CASE_ERROR["wrong_state"]))
    if error.reason in ("answer_empty", "message_empty"):
        field.errors = [text]
        return None
    if error.reason == "unknown_attachment":
        form.files.errors = [text]
        return None
    return text


def _send(application, form, field, body: str, **options) -> tuple[bool, str | None]:
    """Store the chosen files and send the applicant's message with them: (sent, refusal). A refused file or
    an empty text is put beside its field (nothing sent, no refusal); another refusal is for the page."""
    stored = _store_files(application, form.files)
    if stored is None:
        return False, None
    try:
        case.send_message(application, case.APPLICANT, g.actor.name, body, attachment_ids=stored, **options)
    except case.CaseError as error:
        return False, _case_error(form, field, error)
    return True, None


# --- answering a request --------------------------------------------------------------------------


@bp.route("/cases/<application_id>/requests/<request_id>", methods=["GET", "POST"])
@requires("case")
def answer(application_id: str, request_id: str):
    application = load_application(application_id, "case")
    supplement = overview.request_of(application, request_id)
    if supplement is None or not overview.is_sent(application):
        abort(404)
    form = AnswerForm()
    answerable = supplement.is_open and application.status in OPEN_CASE
    refusal = None
    if form.is_submitted() and not answerable:
        refusal = str(labels.CASE_ERROR["already_answered" if not supplement.is_open else "wrong_state"])
    elif form.validate_on_submit():
        stored = _store_files(application, form.files)
        if stored is not None:
            try:
                case.answer_request(supplement, form.text.data or "", stored)
            except case.CaseError as error:
                refusal = _case_error(form, form.text, error)
            else:
                return redirect(
                    url_for(
                        "case.show", application_id=application.id, done="answered", _anchor=f"request-{supplement.id}"
                    )
                )
    record_read(
        "supplement_request",
        supplement.id,
        "applicant reads a request for more information",
        subject_id=application.applicant_id,
    )
    view = overview.RequestView(
        supplement,
        overview.item_text(supplement.item_id),
        overview.files_by(_attachment_column("request_id"), [supplement.id])[supplement.id],
    )
    status = 409 if refusal else 400 if form.errors else 200
    return render_template(
        "case/answer.html",
        application=application,
        view=view,
        form=form,
        refusal=refusal,
        unsent=form.text.data if refusal else None,
        answerable=answerable and not refusal,
        files_lost=bool(form.errors),
        max_files=validation.MAX_PER_APPLICATION,
    ), status


def _attachment_column(name: str):
    return getattr(Attachment, name)


# --- messages ---------------------------------------------------------------------------------


def _messages_page(application, form, status: int = 200, refusal: str | None = None):
    record_read(
        "case_messages", application.id, "applicant reads the messages on the case", subject_id=application.applicant_id
    )
    found = case.messages(application)
    new = {m.id for m in found if m.sender == case.MUNICIPALITY and m.read_at is None}
    waiting = {m.id for m in overview.replies_wanted(application)}
    files = overview.files_by(_attachment_column("message_id"), [m.id for m in found])
    # Reading the page marks nothing (a GET changes nothing: issue 13 point 11); the person marks the
    # new messages read with the button, or by replying.
    return render_template(
        "case/messages.html",
        application=application,
        messages=list(reversed(found)),
        new_ids=new,
        waiting_ids=waiting,
        by_id={m.id: m for m in found},
        files=files,
        form=form,
        refusal=refusal,
        unsent=form.body.data if refusal else None,
        may_write=overview.may_write(application),
        files_lost=bool(form.errors),
        sent=request.args.get("sent") == "1",
        marked=request.args.get("marked"),
    ), status


@bp.post("/cases/<application_id>/messages/read")
@requires("messages")
def messages_read(application_id: str):
    """The person has read the municipality's new messages: the caseworker sees them as read."""
    application = load_application(application_id, "messages")
    if not overview.is_sent(application):
        return _not_sent(application)
    if not FlaskForm().validate_on_submit():
        abort(400)
    marked = case.mark_read(application, case.APPLICANT)
    return redirect(url_for("case.messages", application_id=application.id, marked=str(marked)))


@bp.route("/cases/<application_id>/messages", methods=["GET", "POST"])
@requires("messages")
def messages(application_id: str):
    application = load_application(application_id, "messages")
    if not overview.is_sent(application):
        return _not_sent(application)
    form = MessageForm()
    if form.is_submitted() and not overview.may_write(application):
        return _messages_page(application, form, 409, str(labels.CASE_ERROR["wrong_state"]))
    refusal = None
    if form.validate_on_submit():
        sent, refusal = _send(application, form, form.body, form.body.data or "")
        if sent:
            return redirect(url_for("case.messages", application_id=application.id, sent="1"))
    return _messages_page(application, form, 409 if refusal else 400 if form.errors else 200, refusal)


@bp.route("/cases/<application_id>/documents/<requirement>", methods=["GET", "POST"])
@requires("messages")
def send_document(application_id: str, requirement: str):
    """A document the applicant said would come later, sent as a message that carries it (the caseworker sees
    it with the case's messages and files; the case page marks it sent)."""
    application = load_application(application_id, "messages")
    if not overview.is_sent(application):
        abort(404)
    document = next((d for d in overview.later_documents(application) if d.key == requirement), None)
    if document is None:
        abort(404)
    form = DocumentForm()
    writable = overview.may_write(application)
    refusal = None
    if form.is_submitted() and not writable:
        refusal = str(labels.CASE_ERROR["wrong_state"])
    elif form.validate_on_submit():
        # The document's name as the case file has it (Swedish), then the applicant's own words.
        body = "\n\n".join(part for part in (document.filed_title, form.note.data) if part)
        sent, refusal = _send(application, form, form.note, body, document_requirement=document.key)
        if sent:
            anchor = "document-" + document.key.replace(":", "-")
            return redirect(url_for("case.show", application_id=application.id, done="document", _anchor=anchor))
    record_read("situation_document", application.id, "applicant sends a document", subject_id=application.applicant_id)
    status = 409 if refusal else 400 if form.errors else 200
    return render_template(
        "case/document.html",
        application=application,
        document=document,
        form=form,
        refusal=refusal,
        writable=writable and not refusal,
        files_lost=bool(form.errors),
    ), status


@bp.route("/cases/<application_id>/messages/<message_id>/reply", methods=["GET", "POST"])
@requires("messages")
def reply(application_id: str, message_id: str):
    application = load_application(application_id, "messages")
    original = overview.message_of(application, message_id)
    if original is None or original.sender != case.MUNICIPALITY:
        abort(404)
    form = MessageForm()
    may_write = overview.may_write(application)
    refusal = None
    if form.is_submitted() and not may_write:
        refusal = str(labels.CASE_ERROR["wrong_state"])
    elif form.validate_on_submit():
        sent, refusal = _send(application, form, form.body, form.body.data or "", in_reply_to=original.id)
        if sent:
            # Replying shows it was read; opening the page does not (a GET changes nothing: issue 13,
            # point 11): a prefetch or a link preview marks nothing.
            overview.mark_message_read(original)
            return redirect(url_for("case.messages", application_id=application.id, sent="1"))
    record_read(
        "case_message", original.id, "applicant reads a message to reply to", subject_id=application.applicant_id
    )
    files = overview.files_by(_attachment_column("message_id"), [original.id])[original.id]
    status = 409 if refusal else 400 if form.errors else 200
    return render_template(
        "case/reply.html",
        application=application,
        original=original,
        files=files,
        form=form,
        refusal=refusal,
        unsent=form.body.data if refusal else None,
        may_write=may_write and not refusal,
        files_lost=bool(form.errors),
    ), status


@bp.get("/cases/<application_id>/messages/files/<attachment_id>")
@requires("messages")
def message_file(application_id: str, attachment_id: str):
    """A file sent with a message, either way (the municipality's files are served only here):
    a file of this application's messages, to whoever may read its messages; audited."""
    application = load_application(application_id, "messages")
    found = attachment_services.get(application.id, attachment_id)
    if found is None or found.message_id is None:
        abort(404)
    record_read(
        "attachment", found.id, "applicant opens a file sent with a message", subject_id=application.applicant_id
    )
    return send_private_file(
        current_storage().open(found.storage_key),
        filename=found.original_name,
        mimetype=found.media_type,
        sha256=found.sha256,
    )


# --- the decision document ------------------------------------------------------------------------


@bp.get("/cases/<application_id>/decisions/<decision_id>.pdf")
@requires("case")
def decision_pdf(application_id: str, decision_id: str):
    application = load_application(application_id, "case")
    decision = overview.decision_of(application, decision_id)
    if decision is None:
        abort(404)
    record_read("decision", decision.id, "applicant opens the decision document", subject_id=application.applicant_id)
    name = application.case_number or application.reference
    return send_private_file(decision.document, filename=f"beslut-{name}.pdf", mimetype="application/pdf")


@bp.get("/cases/<application_id>/application.pdf")
@requires("case")
def application_pdf(application_id: str):
    """The application as the municipality received it: the PDF its caseworkers open, rendered from the same
    frozen document (so it shows exactly what was sent, in Swedish, the language of the case file)."""
    application = load_application(application_id, "case")
    frozen = frozen_document(application)
    if frozen is None:
        abort(404)
    reader = application.applicant_id
    record_read("exchange_document", application.id, "applicant downloads the application as sent", subject_id=reader)
    document = render_document(json.loads(frozen.body))
    return send_private_file(document, filename=f"ansokan-{application.reference}.pdf", mimetype="application/pdf")


# --- withdrawing --------------------------------------------------------------------------------


@bp.route("/cases/<application_id>/withdraw", methods=["GET", "POST"])
@requires("case")
def withdraw(application_id: str):
    application = load_application(application_id, "case")
    if not overview.is_sent(application):
        return _not_sent(application)
    form = WithdrawForm()
    possible = overview.may_withdraw(application)
    refusal = None
    if form.is_submitted() and not possible:
        refusal = str(labels.CASE_ERROR["wrong_state"])
    elif form.validate_on_submit():
        try:
            case.withdraw(application, form.reason.data or None)
        except case.CaseError as error:
            refusal = _case_error(form, form.reason, error)
        else:
            return redirect(url_for("case.show", application_id=application.id, done="withdrawn"))
    record_read("case", application.id, "applicant considers withdrawing", subject_id=application.applicant_id)
    status = 409 if refusal else 400 if form.errors else 200
    return render_template(
        "case/withdraw.html",
        application=application,
        form=form,
        refusal=refusal,
        possible=possible and not refusal,
        status_label=application_labels.STATUS.get(application.status, application.status),
        municipality_name=overview.municipality_name(application.municipality_code),
    ), status
