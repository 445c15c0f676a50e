"""What the applicant does on a case: answering a request with text and files, messages both
ways with their read state, replying when the municipality asks for it, and withdrawing."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from portal.application.models import Application
from portal.attachments.models import Attachment
from portal.case import services as case
from portal.case.models import Message
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests.support import csrf_from, page_checks
from tests.test_attachments_domain import EXE, make_pdf, make_png
from tests.test_case_applicant import case_page, later, overview_row, send, signed_in, summary, timeline


@pytest.fixture
def applicant(app):
    return signed_in(app)


@pytest.fixture
def sent(applicant):
    return send()


def files(*pairs):
    return [(io.BytesIO(data), name) for data, name in pairs]


def post_form(client, path, fields, chosen=()):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": csrf_from(page), **fields}
    if chosen:
        data["files"] = files(*chosen)
    return client.post(path, data=data, content_type="multipart/form-data")


def attachments():
    db.session.expire_all()
    return list(db.session.scalars(select(Attachment).order_by(Attachment.created_at)))


# --- answering a request --------------------------------------------------------------------------


def test_answer_a_request_with_text_and_files(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Hyreskontrakt", "För att se din boendekostnad", later(), "Per")
    path = f"/cases/{sent.id}/requests/{request.id}"
    doc = page_checks(applicant.get(path), lang="en")
    assert "Hyreskontrakt" in doc.find("main").get_text() and doc.find("label", attrs={"for": "files"})
    assert doc.find("main").find("form")["enctype"] == "multipart/form-data"
    pdf, png = make_pdf(), make_png()
    response = post_form(
        applicant,
        path,
        {"text": "Här är kontraktet och en bild på avin."},
        [(pdf, "Hyreskontrakt.pdf"), (png, "avi.png")],
    )
    assert response.status_code == 302
    assert response.location == f"/cases/{sent.id}?done=answered#request-{request.id}"

    db.session.expire_all()
    assert request.answer == "Här är kontraktet och en bild på avin." and request.answered_at is not None
    stored = attachments()
    assert [(a.original_name, a.request_id, a.message_id) for a in stored] == [
        ("Hyreskontrakt.pdf", request.id, None),
        ("avi.png", request.id, None),
    ]
    # The answer is a new document version that refers to the application's.
    frozen = db.session.get(FrozenDocument, request.document_id)
    body = json.loads(frozen.body)
    assert body["answer"]["text"] == request.answer
    assert [a["name"] for a in body["answer"]["attachments"]] == ["Hyreskontrakt.pdf", "avi.png"]
    # The caseworker lists the case as supplemented.
    supplemented = db.session.scalars(case.case_filter(select(Application), "supplemented", None)).all()
    assert [a.id for a in supplemented] == [sent.id]

    doc = page_checks(applicant.get(response.location), lang="en")
    assert doc.find("div", class_="panel--confirmation").find("h2").get_text() == "Your answer has been sent"
    section = doc.find(id=f"request-{request.id}")
    assert "Här är kontraktet" in section.get_text()
    link = section.find("a", string="Hyreskontrakt.pdf")
    assert applicant.get(link["href"]).data == pdf
    assert doc.find(id="attention") is None
    assert "You answered a request for more information" in timeline(doc)[0]
    assert "request to answer" not in overview_row(applicant, sent).get_text()
    # Answering again is refused, and the answer is shown instead of a form.
    again = applicant.get(path)
    assert again.status_code == 200 and page_checks(again, lang="en").find("textarea") is None
    refused = applicant.post(path, data={"csrf_token": csrf_from(again), "text": "En gång till"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert request.answer == "Här är kontraktet och en bild på avin."


def test_a_case_decided_while_answering_shows_what_was_typed(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Hyreskontrakt", "Boende", later(), "Per")
    path = f"/cases/{sent.id}/requests/{request.id}"
    token = csrf_from(applicant.get(path))
    case.decide(sent, "refused", "Nej.", "Per")
    typed = "Kontraktet kommer nästa vecka."
    response = applicant.post(path, data={"csrf_token": token, "text": typed})
    assert response.status_code == 409
    doc = page_checks(response, lang="en")
    assert "the case has moved on" in doc.find("div", role="alert").get_text()
    unsent = doc.find("h2", string="What you wrote was not sent").find_parent("div")
    assert typed in unsent.get_text()
    db.session.expire_all()
    assert request.is_open and request.answer is None
    messages = f"/cases/{sent.id}/messages"
    token = csrf_from(applicant.get(messages))
    case.close(sent)
    refused = applicant.post(messages, data={"csrf_token": token, "body": "Ett sista meddelande"})
    assert refused.status_code == 409 and "Ett sista meddelande" in page_checks(refused, lang="en").get_text()


def test_answer_with_text_only_and_an_empty_answer_is_refused(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Lönebesked", "Inkomst", later(), "Per")
    path = f"/cases/{sent.id}/requests/{request.id}"
    empty = post_form(applicant, path, {"text": "   "})
    assert empty.status_code == 400
    doc = page_checks(empty, lang="en")
    assert doc.title.get_text().startswith("Error:")
    summary_links = [a.get_text(strip=True) for a in doc.find("div", class_="error-summary").find_all("a")]
    assert summary_links == ["Write an answer or attach a file"]
    assert doc.find(id="text-error")
    db.session.expire_all()
    assert request.is_open
    answered = post_form(applicant, path, {"text": "Jag har inget lönebesked: jag har ingen anställning."})
    assert answered.status_code == 302
    db.session.expire_all()
    assert not request.is_open and attachments() == []


def test_a_refused_file_keeps_what_was_typed_and_stores_nothing(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Kontoutdrag", "Tillgångar", later(), "Per")
    path = f"/cases/{sent.id}/requests/{request.id}"
    typed = "Kontoutdraget för oktober, och ett program jag inte borde skicka."
    response = post_form(applicant, path, {"text": typed}, [(make_pdf(), "konto.pdf"), (EXE, "konto2.pdf")])
    assert response.status_code == 400
    doc = page_checks(response, lang="en")
    assert doc.find("textarea", id="text").get_text() == typed
    error = doc.find(id="files-error").get_text(" ", strip=True)
    assert "konto2.pdf" in error and "PDF, JPG or PNG" in error
    assert doc.find("div", class_="error-summary").find("a", href="#files")
    assert doc.find(id="files-again")  # told to choose the files again
    db.session.expire_all()
    assert request.is_open and attachments() == []  # the good file went with the refused one


def test_a_too_long_answer_is_kept_with_a_clear_error(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Förklaring", "Behov", later(), "Per")
    path = f"/cases/{sent.id}/requests/{request.id}"
    typed = "å" * 5001
    response = post_form(applicant, path, {"text": typed})
    assert response.status_code == 400
    doc = page_checks(response, lang="en")
    assert doc.find("textarea", id="text").get_text() == typed
    assert "at most 5 000 characters" in doc.find(id="text-error").get_text()


def test_a_request_is_answered_only_under_its_own_application(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Hyreskontrakt", "Boende", later(), "Per")
    other = send()
    assert applicant.get(f"/cases/{other.id}/requests/{request.id}").status_code == 404
    token = csrf_from(applicant.get(f"/cases/{sent.id}/requests/{request.id}"))
    response = applicant.post(f"/cases/{other.id}/requests/{request.id}", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert request.is_open


# --- messages -------------------------------------------------------------------------------------


def test_messages_both_ways_with_read_state(applicant, sent):
    case.register(sent)
    first = case.send_message(sent, case.MUNICIPALITY, "Per Handläggare", "Välkommen! Hör av dig om något ändras.")
    asking = case.send_message(
        sent, case.MUNICIPALITY, "Per Handläggare", "Bor du kvar på samma adress?", reply_requested=True
    )
    row = overview_row(applicant, sent).get_text(" ", strip=True)
    assert "2 new messages" in row and "1 message waits for your reply" in row
    doc = case_page(applicant, sent)
    assert doc.find(id="attention").find("a", href=f"/cases/{sent.id}/messages/{asking.id}/reply")
    assert "2 new messages" in doc.find(id="messages").find_next("p").get_text(" ", strip=True)

    path = f"/cases/{sent.id}/messages"
    doc = page_checks(applicant.get(path), lang="en")
    new_tags = [a["id"] for a in doc.find_all("article") if a.find("span", string="New")]
    assert sorted(new_tags) == sorted([f"message-{first.id}", f"message-{asking.id}"])
    waiting = doc.find("article", id=f"message-{asking.id}")
    assert waiting.find("span", string="Waiting for your reply")
    assert "You have 2 new messages" in doc.find(id="new-messages").get_text()
    db.session.expire_all()
    assert first.read_at is None and asking.read_at is None  # opening the page marks nothing (issue 13)
    response = applicant.post(f"{path}/read", data={"csrf_token": csrf_from(applicant.get(path))})
    assert response.status_code == 302
    doc = page_checks(applicant.get(response.headers["Location"]), lang="en")
    assert "2 messages are marked as read" in doc.find(role="status").get_text()
    db.session.expire_all()
    assert first.read_at is not None and asking.read_at is not None
    assert not [a for a in doc.find_all("article") if a.find("span", string="New")]
    assert doc.find(id="new-messages") is None
    assert "new message" not in overview_row(applicant, sent).get_text()
    # Without the form's token nothing is marked.
    third = case.send_message(sent, case.MUNICIPALITY, "Per Handläggare", "En sak till.")
    assert applicant.post(f"{path}/read", data={}).status_code == 400
    db.session.expire_all()
    assert third.read_at is None

    # The applicant writes, with a file; the municipality has not read it yet.
    png = make_png()
    response = post_form(applicant, path, {"body": "Jag har fått ett nytt kontrakt, se bilden."}, [(png, "nytt.png")])
    assert response.status_code == 302 and response.location == f"{path}?sent=1"
    mine = db.session.scalar(select(Message).where(Message.sender == "applicant"))
    assert mine.author_name == "Anders Testsson" and mine.in_reply_to is None
    assert [(a.original_name, a.message_id) for a in attachments()] == [("nytt.png", mine.id)]
    doc = page_checks(applicant.get(f"{path}?sent=1"), lang="en")
    assert doc.find("div", class_="panel--confirmation")
    article = doc.find("article", id=f"message-{mine.id}")
    assert "Not yet read by the municipality" in article.get_text()
    assert applicant.get(article.find("a", string="nytt.png")["href"]).data == png
    assert case.unread(sent, case.MUNICIPALITY) == 1
    case.mark_read(sent, case.MUNICIPALITY)
    doc = page_checks(applicant.get(path), lang="en")
    assert "Read by the municipality" in doc.find("article", id=f"message-{mine.id}").get_text()
    # Still waiting: a message is not a reply.
    assert "1 message waits for your reply" in overview_row(applicant, sent).get_text(" ", strip=True)
    assert "You sent a message to the municipality" in timeline(case_page(applicant, sent))[0]


def test_reply_to_a_message_that_asks_for_one(applicant, sent):
    case.register(sent)
    asking = case.send_message(
        sent, case.MUNICIPALITY, "Per Handläggare", "Bor du kvar på samma adress?", reply_requested=True
    )
    other = case.send_message(sent, case.MUNICIPALITY, "Per Handläggare", "Ett annat ärende.")
    path = f"/cases/{sent.id}/messages/{asking.id}/reply"
    doc = page_checks(applicant.get(path), lang="en")
    assert "Bor du kvar på samma adress?" in doc.find("main").get_text()
    assert "Ett annat ärende." not in doc.find("main").get_text()
    db.session.expire_all()
    assert asking.read_at is None and other.read_at is None  # opening the page changes nothing
    empty = post_form(applicant, path, {"body": ""})
    assert empty.status_code == 400
    doc = page_checks(empty, lang="en")
    assert [a.get_text(strip=True) for a in doc.find("div", class_="error-summary").find_all("a")] == [
        "Write your message"
    ]
    response = post_form(applicant, path, {"body": "Ja, jag bor kvar."}, [(make_pdf(), "intyg.pdf")])
    assert response.status_code == 302
    reply = db.session.scalar(select(Message).where(Message.sender == "applicant"))
    assert reply.in_reply_to == asking.id and reply.body == "Ja, jag bor kvar."
    db.session.expire_all()
    assert asking.read_at is not None and other.read_at is None  # replying shows it was read
    assert [a.message_id for a in attachments()] == [reply.id]
    doc = page_checks(applicant.get(f"/cases/{sent.id}/messages"), lang="en")
    assert doc.find("span", string="Waiting for your reply") is None
    assert "A reply to the message of" in doc.find("article", id=f"message-{reply.id}").get_text()
    assert "waits for your reply" not in overview_row(applicant, sent).get_text()
    assert case_page(applicant, sent).find(id="attention") is None
    # The applicant's own messages cannot be "replied to" here.
    assert applicant.get(f"/cases/{sent.id}/messages/{reply.id}/reply").status_code == 404


def test_an_empty_message_and_a_refused_file_keep_the_text(applicant, sent):
    path = f"/cases/{sent.id}/messages"
    response = post_form(applicant, path, {"body": "Min fråga om ansökan"}, [(b"just text", "fråga.txt")])
    assert response.status_code == 400
    doc = page_checks(response, lang="en")
    assert doc.find("textarea", id="body").get_text() == "Min fråga om ansökan"
    assert "fråga.txt" in doc.find(id="files-error").get_text()
    assert case.messages(sent) == [] and attachments() == []
    assert post_form(applicant, path, {"body": "Min fråga"}).status_code == 302  # before registration, too
    assert [m.body for m in case.messages(sent)] == ["Min fråga"]


def test_no_messages_can_be_written_on_an_ended_case(applicant, sent):
    case.register(sent)
    case.send_message(sent, case.MUNICIPALITY, "Per", "Tidigare meddelande", reply_requested=True)
    case.not_handled(sent, "Dubblett")
    path = f"/cases/{sent.id}/messages"
    doc = page_checks(applicant.get(path), lang="en")
    assert doc.find("textarea") is None and "Tidigare meddelande" in doc.find("main").get_text()
    assert doc.find("span", string="Waiting for your reply") is None
    refused = applicant.post(path, data={"csrf_token": csrf_from(applicant.get(path)), "body": "Hej"})
    assert refused.status_code == 409
    assert [m.sender for m in case.messages(sent)] == ["municipality"]
    assert "waits for your reply" not in overview_row(applicant, sent).get_text()


# --- withdrawing ----------------------------------------------------------------------------------


def test_withdraw_after_a_confirmation_with_a_reason(applicant, sent):
    case.register(sent)
    doc = case_page(applicant, sent)
    link = doc.find("a", href=f"/cases/{sent.id}/withdraw")
    confirm = applicant.get(link["href"])
    doc = page_checks(confirm, lang="en")
    assert doc.find("label", attrs={"for": "reason"})
    assert doc.find("button", string="Yes, withdraw the application")
    db.session.expire_all()
    assert sent.status == "received"  # the page itself changes nothing
    response = applicant.post(
        link["href"], data={"csrf_token": csrf_from(confirm), "reason": "Jag har fått ett arbete."}
    )
    assert response.status_code == 302 and response.location == f"/cases/{sent.id}?done=withdrawn"
    db.session.expire_all()
    assert sent.status == "withdrawn"
    doc = case_page(applicant, sent)
    assert summary(doc)["Status"].startswith("Withdrawn")
    assert "Your reason: Jag har fått ett arbete." in doc.find("main").get_text(" ", strip=True)
    assert "You withdrew the application" in timeline(doc)[0]
    assert doc.find("a", href=f"/cases/{sent.id}/withdraw") is None
    assert "Withdrawn" in overview_row(applicant, sent).get_text()


def test_withdraw_without_a_reason_before_registration(applicant, sent):
    path = f"/cases/{sent.id}/withdraw"
    assert applicant.post(path, data={"csrf_token": csrf_from(applicant.get(path))}).status_code == 302
    db.session.expire_all()
    assert sent.status == "withdrawn" and sent.events[-1].data is None


def test_no_withdrawing_after_a_decision(applicant, sent):
    from datetime import date

    case.register(sent)
    path = f"/cases/{sent.id}/withdraw"
    token = csrf_from(applicant.get(path))
    case.decide(
        sent, "granted", "Ja.", "Per", amount=5000, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31)
    )
    page = applicant.get(path)
    doc = page_checks(page, lang="en")
    assert page.status_code == 200 and doc.find("textarea") is None
    assert doc.find("button", string="Yes, withdraw the application") is None
    assert "can no longer be withdrawn" in doc.find("main").get_text()
    refused = applicant.post(path, data={"csrf_token": token, "reason": "Ångrar mig"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert sent.status == "decided" and "withdrawn" not in [e.kind for e in sent.events]


def test_a_withdraw_without_the_form_token_changes_nothing(applicant, sent):
    response = applicant.post(f"/cases/{sent.id}/withdraw", data={"reason": "x"})
    assert response.status_code == 400
    db.session.expire_all()
    assert sent.status == "submitted"
