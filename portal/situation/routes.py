from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, TextAreaField

from portal.application import services as applications
from portal.application.access import load_application
from portal.attachments import services as attachments
from portal.attachments import validation
from portal.attachments.storage import current_storage
from portal.audit.services import record, record_read
from portal.auth.access import requires
from portal.i18n.lazy import _l
from portal.information.services import items
from portal.situation import bankaccount, documents, services, summary
from portal.situation.forms import build
from portal.situation.models import REASON_MAX
from portal.situation.questions import BY_KEY
from portal.web.text import clean_text

bp = Blueprint("situation", __name__)


def _names(application) -> dict[int, str]:
    return {m.id: m.name for m in application.members}


def _fetched_accounts(application) -> list[str]:
    """The last four digits of the accounts fetched from the banks in the applicant's own name (the
    adapter keeps no more of the number)."""

    applicant = next((m for m in application.members if m.relation == "applicant"), None)
    return [
        str(i.details.get("account", ""))[-4:]
        for i in items(application)
        if applicant is not None
        and i.member_id == applicant.id
        and i.kind == "bank.konton.balance"
        and not i.details.get("joint")
    ]


@bp.app_template_global("situation_for_check")
def situation_for_check(application) -> dict:
    """What the application's check page shows of the situation (its summary partial)."""
    view = services.current(application)
    names = _names(application)
    block = summary.situation_block(application)
    return {
        "sections": summary.sections(block, names, set(view.unconfirmed)),
        "explain": summary.explain_texts(block, names),
        "documents": summary.document_rows(summary.documents_block(application), names),
    }


@bp.app_template_global("situation_from_document")
def situation_from_document(doc: dict | None, messages=()) -> dict | None:
    """What the caseworker's view shows of the situation: from the frozen document, as sealed; a document said
    to come later marked with when a message (of ``messages``) brought it."""
    sent = {m.document_requirement: m.sent_at for m in messages if getattr(m, "document_requirement", None)}
    return summary.for_document(doc, sent)


@bp.get("/applications/<application_id>/situation")
@requires("application")
def start(application_id: str):
    """The task list's link: the first page not yet saved, or the answers when every page is."""
    application = load_application(application_id, "application")
    view = services.current(application)
    for page in services.visible_pages(application, view):
        if page.key not in view.pages_done or services.page_unconfirmed(view, page, application):
            return redirect(url_for("situation.question", application_id=application.id, page_key=page.key))
    return redirect(url_for("situation.check", application_id=application.id))


@bp.route("/applications/<application_id>/situation/<page_key>", methods=["GET", "POST"])
@requires("application")
def question(application_id: str, page_key: str):
    application = load_application(application_id, "application")
    page = BY_KEY.get(page_key)
    if page is None:
        abort(404)
    view = services.current(application)
    if not page.show(application, view.answers):
        # Skipped by an earlier answer: on to the next page that is shown.
        return _after(application, view, page.key)
    subjects = services.subjects(application, page)
    members = [(m.id, m.name) for m in services.moved_choices(application)]
    fetched = _fetched_accounts(application) if page.key == "payout" else []
    stored = {None if m is None else m.id: services.values(view, page, m) for m in subjects}
    posted = request.method == "POST"
    form = build(
        page,
        subjects,
        members=members,
        data=None if posted else stored,
        fetched_accounts=fetched,
        formdata=request.form if posted else None,
    )
    if posted:
        if not application.is_draft:
            return redirect(url_for("situation.check", application_id=application.id))
        if form.validate():
            try:
                services.save_page(application, page, form.answers())
            except (services.NotEditable, bankaccount.AccountError):
                abort(409)
            return _after(application, services.current(application), page.key)
    else:
        applications.remember_place(application, request.path)
        record_read(
            "situation",
            application.id,
            f"applicant views own situation: {page.key}",
            subject_id=application.applicant_id,
        )
    return render_template(
        "situation/page.html",
        application=application,
        page=page,
        form=form,
        prefilled=services.page_unconfirmed(view, page, application),
        fetched_accounts=fetched,
    ), 400 if form.errors else 200


def _after(application, view, page_key: str):
    following = services.next_page(application, view, page_key)
    if following is None:
        return redirect(url_for("situation.check", application_id=application.id))
    return redirect(url_for("situation.question", application_id=application.id, page_key=following.key))


@bp.get("/applications/<application_id>/situation/check")
@requires("application")
def check(application_id: str):
    """Check your answers for the section, with a change link per topic."""
    application = load_application(application_id, "application")
    record_read("situation", application.id, "applicant checks own situation", subject_id=application.applicant_id)
    view = services.current(application)
    open_pages = [
        p
        for p in services.visible_pages(application, view)
        if p.key not in view.pages_done or services.page_unconfirmed(view, p, application)
    ]
    return render_template(
        "situation/check.html", application=application, summary=situation_for_check(application), open_pages=open_pages
    )


class DocumentForm(FlaskForm):
    answer = RadioField(_l("What will you do about this document?"), validate_choice=False)
    file = FileField()
    reason = TextAreaField(filters=[clean_text])


def _document_form(requirement, formdata=None) -> DocumentForm:
    prefix = requirement.key.replace(":", "-") + "-"
    form = DocumentForm(prefix=prefix, formdata=formdata) if formdata is not None else DocumentForm(prefix=prefix)
    form.answer.label.text = _("What will you do about this document?")
    form.answer.choices = [
        (documents.ATTACHED, _("Attach it now")),
        (documents.LATER, _("I will send it later")),
        (documents.UNAVAILABLE, _("I do not have it")),
    ]
    form.file.label.text = _("Choose a file")
    form.reason.label.text = _("If you do not have it: why not?")
    return form


def _documents_page(application, forms: dict, status: int = 200):
    record_read(
        "situation_document",
        application.id,
        "applicant views own expected documents",
        subject_id=application.applicant_id,
    )
    statuses = documents.statuses(application)
    names = _names(application)
    files = {a.id: a for a in attachments.for_application(application.id)}
    for status_ in statuses:
        forms.setdefault(status_.requirement.key, _document_form(status_.requirement))
    error_form = next((f for f in forms.values() if f.errors), None)
    return render_template(
        "situation/documents.html",
        application=application,
        statuses=statuses,
        forms=forms,
        names=names,
        files=files,
        state_label=summary.DOCUMENT_STATE,
        form=error_form,
    ), status


@bp.get("/applications/<application_id>/situation/documents")
@requires("application")
def expected_documents(application_id: str):
    application = load_application(application_id, "application")
    applications.remember_place(application, request.path)
    return _documents_page(application, {})


@bp.post("/applications/<application_id>/situation/documents/<requirement_key>")
@requires("application")
def answer_document(application_id: str, requirement_key: str):
    application = load_application(application_id, "application")
    requirement = next(
        (s.requirement for s in documents.statuses(application) if s.requirement.key == requirement_key), None
    )
    if requirement is None:
        abort(404)
    if not application.is_draft:
        abort(409)
    form = _document_form(requirement, formdata=request.form)
    form.file.process(request.files)
    if not form.validate():
        return _documents_page(application, {requirement.key: form}, 400)
    answer = form.answer.data
    if answer not in documents.ANSWERS:
        form.answer.errors = [_("Choose what you will do about the document")]
        return _documents_page(application, {requirement.key: form}, 400)
    if answer == documents.UNAVAILABLE and not (form.reason.data or "").strip():
        form.reason.errors = [_("Say why you do not have the document")]
        return _documents_page(application, {requirement.key: form}, 400)
    if answer == documents.UNAVAILABLE and len(form.reason.data or "") > REASON_MAX:
        form.reason.errors = [_("Write at most %(max)s characters", max=REASON_MAX)]
        return _documents_page(application, {requirement.key: form}, 400)
    attachment_id = None
    if answer == documents.ATTACHED:
        upload = request.files.get(form.file.name)
        if upload is None or not upload.filename:
            form.file.errors = [_("Choose a file to upload")]
            return _documents_page(application, {requirement.key: form}, 400)
        try:
            attachment = attachments.add(
                application.id,
                g.subject_id,
                upload.read(),
                upload.filename,
                current_storage(),
                description=str(requirement.title),
            )
        except validation.AttachmentRefused as refused:
            form.file.errors = [refused.message]
            return _documents_page(application, {requirement.key: form}, 400)
        attachment_id = attachment.id
        record(
            "create",
            "attachment",
            attachment.id,
            "applicant attaches an expected document",
            subject_id=application.applicant_id,
        )
    try:
        documents.respond(application, requirement, answer, form.reason.data, attachment_id)
    except documents.NotEditable:
        abort(409)
    return redirect(url_for("situation.expected_documents", application_id=application.id))
