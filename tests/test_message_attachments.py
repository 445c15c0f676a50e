"""Files on the municipality's messages (issue #6 part 4): a caseworker in the built-in inbox and a
municipality's system through the API attach PDFs and pictures to a message, checked as the
applicant's files are; the applicant opens them with the message through an audited route of
their own, nobody else can; they are never part of the application or its document."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.api import clients
from portal.application.models import Application
from portal.attachments import services as attachment_services
from portal.attachments.models import Attachment
from portal.attachments.storage import current_storage
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.case.models import Message
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests.support import csrf_from, page_checks, soup
from tests.test_api import UPPSALA, UPPSALA_ADULT, send_to_uppsala
from tests.test_api_case import System
from tests.test_attachments_domain import EXE, make_pdf, make_png
from tests.test_caseworker import ANDERS, DANIEL, EMMA, HANNA, applicant_client, case_path, caseworker, delivered

KARIN = "Karin Handläggare"  # staff-stockholm-1, unit stockholm-sodermalm (Emma's)


def english(client):
    client.set_cookie("portal_lang", "en")
    return client


def send_from_inbox(worker, application, body: str, chosen=(), **fields):
    """The caseworker's message form as the case page renders it (prefixed names, its CSRF token)."""
    page = worker.get(case_path(application))
    assert page.status_code == 200, page.status_code
    form = soup(page).find(id="messages").find("form")
    assert form["enctype"] == "multipart/form-data"
    data = {
        "message-csrf_token": csrf_from(page),
        "message-body": body,
        **{f"message-{name}": value for name, value in fields.items()},
    }
    if chosen:
        data["message-files"] = [(io.BytesIO(content), name) for content, name in chosen]
    return worker.post(f"{case_path(application)}/messages", data=data, content_type="multipart/form-data")


def attachments() -> list[Attachment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attachment).order_by(Attachment.created_at, Attachment.id)))


def audited(action: str, attachment_id: str, actor_type: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == action, AuditEvent.object_type == "attachment", AuditEvent.object_id == attachment_id
        )
    )
    if actor_type is not None:
        query = query.where(AuditEvent.actor_type == actor_type)
    return db.session.scalar(query)


def stored_keys() -> list[str]:
    return list(current_storage().keys())


def messages_page(client, application):
    response = client.get(f"/cases/{application.id}/messages")
    assert response.status_code == 200, response.status_code
    return page_checks(response, lang="en")


def file_links(doc) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in doc.find_all("a", href=lambda h: h and "/files/" in h)}


# --- the caseworker ---------------------------------------------------------------------------------


def test_a_caseworker_sends_a_pdf_and_the_applicant_opens_it(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    pdf = make_pdf(pages=2)
    response = send_from_inbox(
        worker, application, "Här är beslutsunderlaget.", [(pdf, "underlag.pdf")], reply_requested="y"
    )
    assert response.status_code == 302, response.status_code
    (file,) = attachments()
    message = db.session.scalar(select(Message))
    assert (message.sender, message.author_name, message.reply_requested) == ("municipality", KARIN, True)
    assert (file.message_id, file.request_id, file.uploaded_by_staff, file.uploaded_by_person_id) == (
        message.id,
        None,
        KARIN,
        None,
    )
    assert (file.original_name, file.kind, file.size, file.sha256) == (
        "underlag.pdf",
        "pdf",
        len(pdf),
        hashlib.sha256(pdf).hexdigest(),
    )
    assert current_storage().read(file.storage_key) == pdf
    assert audited("create", file.id, "staff") == 1

    # The caseworker sees the file with the message and can open it.
    doc = page_checks(worker.get(case_path(application)), "en")
    link = doc.find(id="messages").find("a", string="underlag.pdf")
    assert link["href"] == f"{case_path(application)}/attachments/{file.id}"
    assert worker.get(link["href"]).data == pdf

    # The applicant sees it on the messages page and downloads it, audited.
    applicant = english(applicant_client(app, EMMA))
    doc = messages_page(applicant, application)
    article = doc.find(id=f"message-{message.id}")
    assert "Här är beslutsunderlaget." in article.get_text()
    href = article.find("a", string="underlag.pdf")["href"]
    assert href == f"/cases/{application.id}/messages/files/{file.id}"
    before = audited("read", file.id, "citizen")
    opened = applicant.get(href)
    assert opened.status_code == 200 and opened.data == pdf
    assert opened.mimetype == "application/pdf"
    assert (
        opened.headers["Content-Disposition"].startswith("attachment;")
        and "underlag.pdf" in opened.headers["Content-Disposition"]
    )
    assert opened.headers["Cache-Control"] == "no-store" and opened.headers["X-Content-Type-Options"] == "nosniff"
    assert audited("read", file.id, "citizen") == before + 1
    # ... also from the reply page the municipality's question leads to.
    reply = page_checks(applicant.get(f"/cases/{application.id}/messages/{message.id}/reply"), "en")
    assert reply.find("a", string="underlag.pdf")["href"] == href

    # The household route for the applicant's own files does not serve the municipality's.
    assert applicant.get(f"/applications/{application.id}/attachments/{file.id}").status_code == 404
    # Never part of the application: not on its attachments, not in its document, not its count.
    assert attachment_services.for_application(application.id) == []
    assert attachment_services.count_for(application.id) == 0
    assert attachment_services.count_for(application.id, municipality=True) == 1
    bodies = db.session.scalars(select(FrozenDocument.body).where(FrozenDocument.application_id == application.id))
    assert all(file.id not in body and file.sha256 not in body for body in bodies)


def test_nobody_else_opens_the_file(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    assert send_from_inbox(worker, application, "Se bilagan.", [(make_png(), "karta.png")]).status_code == 302
    (file,) = attachments()
    path = f"/cases/{application.id}/messages/files/{file.id}"
    other = english(applicant_client(app, ANDERS))
    assert other.get(path).status_code == 404
    assert other.get(f"/applications/{application.id}/attachments/{file.id}").status_code == 404
    assert audited("read", file.id) == 0
    # A caseworker of another unit does not reach the case or its files.
    assert (
        caseworker(app, "staff-stockholm-2").get(f"{case_path(application)}/attachments/{file.id}").status_code == 404
    )
    # Another application's id with this file: 404 (the file belongs to Emma's application only).
    theirs = delivered(ANDERS)
    assert other.get(f"/cases/{theirs.id}/messages/files/{file.id}").status_code == 404
    # A file that is not on a message (the applicant's own, of the application) is not served here.
    emma = applicant_client(app, EMMA)
    own = attachment_services.add(application.id, application.applicant_id, make_pdf(), "egen.pdf", current_storage())
    db.session.commit()
    assert emma.get(f"/cases/{application.id}/messages/files/{own.id}").status_code == 404
    assert emma.get(path).status_code == 200


def test_a_co_applicant_does_not_open_the_messages_files(app):
    application = delivered(DANIEL)
    worker = caseworker(app, "staff-stockholm-2")
    assert send_from_inbox(worker, application, "Till Daniel.", [(make_pdf(), "brev.pdf")]).status_code == 302
    (file,) = attachments()
    hanna = applicant_client(app, HANNA)  # signed with him; the messages are the applicant's
    assert hanna.get(f"/cases/{application.id}/messages/files/{file.id}").status_code == 404
    assert hanna.get(f"/applications/{application.id}/attachments/{file.id}").status_code == 404
    assert applicant_client(app, DANIEL).get(f"/cases/{application.id}/messages/files/{file.id}").status_code == 200


def test_a_bad_file_is_refused_clearly_and_the_text_is_kept(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    typed = "Här kommer underlaget\noch en fil som inte är en PDF."
    response = send_from_inbox(
        worker, application, typed, [(make_pdf(), "bra.pdf"), (EXE, "falsk.pdf")], reply_requested="y"
    )
    assert response.status_code == 400
    doc = page_checks(response, "en")
    form = doc.find(id="messages").find("form")
    assert form.find("textarea", id="message-body").get_text() == typed
    assert form.find("input", id="message-reply_requested").has_attr("checked")
    error = doc.find(id="message-files-error").get_text(" ", strip=True)
    assert "falsk.pdf" in error and "must be a PDF, JPG or PNG" in error
    assert doc.find("div", class_="error-summary").find("a", href="#message-files")
    assert doc.find(id="message-files")["aria-invalid"] == "true"
    assert doc.find(id="message-files-again")  # told to choose the files again
    # Nothing was sent or kept: not the message, not the good file, not its bytes.
    assert attachments() == [] and db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert stored_keys() == []

    broken = make_pdf()[:-200]
    response = send_from_inbox(worker, application, "Trasig", [(broken, "trasig.pdf")])
    assert response.status_code == 400
    assert "could not be read" in soup(response).find(id="message-files-error").get_text()
    too_many = [(make_png(), f"bild{n}.png") for n in range(11)]
    response = send_from_inbox(worker, application, "Många", too_many)
    assert response.status_code == 400
    assert "at most 10 files" in soup(response).find(id="message-files-error").get_text()
    assert attachments() == [] and stored_keys() == []


def test_the_error_is_in_swedish_for_a_swedish_caseworker(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    worker.set_cookie("portal_lang", "sv")
    response = send_from_inbox(worker, application, "Text", [(EXE, "program.pdf")])
    assert response.status_code == 400
    error = soup(response).find(id="message-files-error").get_text(" ", strip=True)
    assert "program.pdf" in error and "PDF, JPG eller PNG" in error


def test_a_message_without_files_still_works_and_an_empty_one_keeps_the_files_hint(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    response = send_from_inbox(worker, application, "   ", [(make_pdf(), "a.pdf")])
    assert response.status_code == 400
    doc = soup(response)
    assert doc.find(id="message-body-error") and doc.find(id="message-files-again")
    assert attachments() == [] and stored_keys() == []
    assert send_from_inbox(worker, application, "Bara text.").status_code == 302
    assert attachments() == [] and db.session.scalar(select(func.count()).select_from(Message)) == 1


# --- the model --------------------------------------------------------------------------------------


@pytest.mark.parametrize("person, staff", [(True, True), (False, False)])
def test_exactly_one_uploader(app, person, staff):
    application = delivered(EMMA)
    db.session.add(
        Attachment(
            application_id=application.id,
            storage_key="0" * 32,
            original_name="x.pdf",
            kind="pdf",
            media_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by_person_id=application.applicant_id if person else None,
            uploaded_by_staff=KARIN if staff else None,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_each_side_has_its_own_limit(app, monkeypatch):
    from portal.attachments import validation

    monkeypatch.setattr(validation, "MAX_PER_APPLICATION", 1)
    application = delivered(EMMA)
    storage = current_storage()
    attachment_services.add_from_municipality(application.id, KARIN, make_pdf(), "a.pdf", storage)
    with pytest.raises(validation.AttachmentRefused) as refused:
        attachment_services.add_from_municipality(application.id, KARIN, make_pdf(), "b.pdf", storage)
    assert refused.value.reason == "too_many"
    # The municipality's file does not use up the applicant's allowance.
    attachment_services.add(application.id, application.applicant_id, make_pdf(), "c.pdf", storage)
    with pytest.raises(ValueError):
        attachment_services.add_from_municipality(application.id, "  ", make_pdf(), "d.pdf", storage)
    db.session.rollback()


# --- the API ------------------------------------------------------------------------------------------


@pytest.fixture
def received(app):
    return send_to_uppsala()


@pytest.fixture
def system(app):
    clients.clear_cache()
    yield System(app.test_client())
    clients.clear_cache()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_a_system_sends_a_message_with_files(app, login, client, system, received):
    pdf, png = make_pdf(), make_png()
    body = {
        "body": "Beslutsunderlag bifogas.",
        "authorName": "Per",
        "attachments": [
            {"name": "underlag.pdf", "mediaType": "application/pdf", "content": b64(pdf)},
            {"name": "karta.png", "mediaType": "image/png", "content": b64(png)},
        ],
    }
    sent = system.post(f"/applications/{received.id}/messages", body, key="msg-1")
    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    assert [(f["name"], f["mediaType"], f["size"], f["sha256"]) for f in message["attachments"]] == [
        ("underlag.pdf", "application/pdf", len(pdf), hashlib.sha256(pdf).hexdigest()),
        ("karta.png", "image/png", len(png), hashlib.sha256(png).hexdigest()),
    ]
    client_name = clients.get(UPPSALA[0]).name or UPPSALA[0]
    files = attachments()
    assert [(f.uploaded_by_staff, f.uploaded_by_person_id, f.message_id) for f in files] == [
        (client_name, None, message["id"])
    ] * 2
    assert all(audited("create", f.id, "api") == 1 for f in files)

    # A repeat with the same key stores nothing again.
    again = system.post(f"/applications/{received.id}/messages", body, key="msg-1")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == message and len(attachments()) == 2

    # Both sides list the files and fetch them.
    listed = system.get(f"/applications/{received.id}/messages").get_json()["messages"]
    assert listed[-1]["attachments"] == message["attachments"]
    fetched = system.get(f"/applications/{received.id}/attachments/{message['attachments'][0]['id']}")
    assert fetched.status_code == 200 and fetched.data == pdf
    login(UPPSALA_ADULT)
    applicant = english(client)
    doc = messages_page(applicant, received)
    links = file_links(doc.find(id=f"message-{message['id']}"))
    assert set(links) == {"underlag.pdf", "karta.png"}
    assert applicant.get(links["karta.png"]).data == png
    assert attachment_services.for_application(received.id) == []
    document = json.loads(
        db.session.scalar(select(FrozenDocument.body).where(FrozenDocument.application_id == received.id))
    )
    assert document["attachments"] == []


@pytest.mark.parametrize(
    "attachments_value, pointer",
    [
        (None, "/attachments"),
        ({"name": "a.pdf"}, "/attachments"),
        ([{"name": "a.pdf", "mediaType": "application/pdf"}], "/attachments/0/content"),
        ([{"name": "a.pdf", "mediaType": "application/pdf", "content": "not base64!"}], "/attachments/0/content"),
        ([{"name": "a.pdf", "mediaType": "text/plain", "content": "QUJD"}], "/attachments/0/mediaType"),
        ([{"name": "a.pdf", "mediaType": "application/pdf", "content": "QUJD", "extra": 1}], "/attachments/0/extra"),
        ([{"name": "", "mediaType": "application/pdf", "content": "QUJD"}], "/attachments/0/name"),
        ([{"name": "a.pdf", "mediaType": "application/pdf", "content": "QUJD"}] * 11, "/attachments"),
        # Content checks: the applicant's.
        ([{"name": "a.pdf", "mediaType": "application/pdf", "content": "QUJD"}], "/attachments/0/content"),
        ([{"name": "a.pdf", "mediaType": "application/pdf", "content": b64(EXE)}], "/attachments/0/content"),
        (
            [{"name": "a.pdf", "mediaType": "application/pdf", "content": b64(make_pdf()[:-200])}],
            "/attachments/0/content",
        ),
        (
            [{"name": "a.pdf", "mediaType": "application/pdf", "content": b64(make_pdf(password="x"))}],
            "/attachments/0/content",
        ),
        ([{"name": "a.png", "mediaType": "application/pdf", "content": b64(make_png())}], "/attachments/0/mediaType"),
        (
            [
                {"name": "a.pdf", "mediaType": "application/pdf", "content": b64(make_pdf())},
                {"name": "b.png", "mediaType": "image/png", "content": b64(make_png()[:-12])},
            ],
            "/attachments/1/content",
        ),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_sent(system, received, attachments_value, pointer):
    response = system.post(
        f"/applications/{received.id}/messages",
        {"body": "Med fil", "authorName": "Per", "attachments": attachments_value},
    )
    assert response.status_code == 400, response.get_json()
    problem = response.get_json()
    assert problem["errors"][0]["pointer"] == pointer, problem
    assert attachments() == [] and stored_keys() == []
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_the_description_matches_the_reading(app):
    from portal.api import message_files

    spec = json.loads((Path(message_files.__file__).parent / "openapi.json").read_text())
    schemas = spec["components"]["schemas"]
    listed = schemas["MessageRequest"]["properties"]["attachments"]
    assert listed["maxItems"] == message_files.MAX_FILES
    item = schemas["MessageAttachment"]
    assert set(item["required"]) == set(item["properties"]) == {"name", "mediaType", "content"}
    assert item["properties"]["mediaType"]["enum"] == list(message_files.MEDIA_TYPES)
    assert item["properties"]["content"]["pattern"] == message_files.BASE64_PATTERN
    assert item["properties"]["content"]["maxLength"] == message_files.MAX_CONTENT_CHARS
    assert item["properties"]["name"]["pattern"] == schemas["MessageRequest"]["properties"]["body"]["pattern"]


def test_a_finished_case_takes_no_files(system, received):
    case.not_handled(db.session.get(Application, received.id), "Fel kommun")
    response = system.post(
        f"/applications/{received.id}/messages",
        {
            "body": "Sent",
            "authorName": "Per",
            "attachments": [{"name": "a.pdf", "mediaType": "application/pdf", "content": b64(make_pdf())}],
        },
    )
    assert response.status_code == 409
    assert attachments() == [] and stored_keys() == []
    assert case.messages(db.session.get(Application, received.id)) == []
