"""Documents the applicant said, when sending, would come later: listed on the case page from the frozen
document, sent from their own page as a message that carries the file, marked sent; the caseworker sees the
file with the case's messages (SQLite, and PostgreSQL with PORTAL_TEST_DATABASE_URL)."""

from __future__ import annotations

import io

from sqlalchemy import select

from portal.attachments.models import Attachment
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.case.models import Message
from portal.extensions import db
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, soup
from tests.test_attachments_domain import make_pdf
from tests.test_situation_exchange import FAMILY, answered

DENTIST = "dental_estimate"


def family_case(app):
    """Maria's application, sent with the dentist's estimate to come later, delivered to Göteborg; she is
    logged in, reading English."""
    application = factories.delivered(factories.submitted(answered(factories.draft(FAMILY))))
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": FAMILY})
    client.get("/language?lang=en&next=/")
    return client, application


def later_section(client, application):
    doc = page_checks(client.get(f"/cases/{application.id}"), lang="en")
    return doc, doc.find(id="documents-later")


def test_a_document_said_to_come_later_is_sent_from_the_case_page_and_marked_sent(app):
    client, application = family_case(app)
    doc, section = later_section(client, application)
    assert section is not None and section.get_text(" ", strip=True) == "Documents you said you would send later"
    item = doc.find(id=f"document-{DENTIST}")
    assert "A cost estimate from the dentist" in item.get_text() and "Not sent yet" in item.get_text()
    assert doc.find(id="document-rent_notice") is None  # missing, never said to come later: not listed here
    link = item.find("a")
    assert link["href"] == f"/cases/{application.id}/documents/{DENTIST}"

    page = client.get(link["href"])
    form_page = page_checks(page, lang="en")
    assert "When you sent the application, you said you would send this later." in form_page.get_text()

    # No file: a clear error, and the note is kept.
    nothing = client.post(link["href"], data={"csrf_token": csrf_from(page), "note": "Tandläkaren ringer."})
    assert nothing.status_code == 400
    refused = page_checks(nothing, lang="en")
    assert [a.get_text(" ", strip=True) for a in refused.find(class_="error-summary").find_all("a")] == [
        "Choose the file to send"
    ]
    assert refused.find("textarea", attrs={"name": "note"}).get_text() == "Tandläkaren ringer."
    assert db.session.scalar(select(Message.id)) is None

    sent = client.post(
        link["href"],
        data={
            "csrf_token": csrf_from(page),
            "note": "Tandläkaren ringer.",
            "files": (io.BytesIO(make_pdf()), "kostnadsforslag.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and sent.location.endswith(
        f"/cases/{application.id}?done=document#document-{DENTIST}"
    )
    message = db.session.scalar(select(Message))
    assert message.sender == case.APPLICANT and message.document_requirement == DENTIST
    # The document's name as the case file has it, in Swedish, then her words.
    assert message.body == "En kostnadsberäkning från tandläkaren\n\nTandläkaren ringer."
    files = db.session.scalars(select(Attachment).where(Attachment.message_id == message.id)).all()
    assert [f.original_name for f in files] == ["kostnadsforslag.pdf"]

    doc = page_checks(client.get(sent.location), lang="en")
    assert doc.find(class_="panel--confirmation").find("h2").get_text() == "Your document has been sent"
    item = doc.find(id=f"document-{DENTIST}")
    assert "Sent" in item.get_text() and "Not sent yet" not in item.get_text()
    assert item.find("a").get_text(" ", strip=True).startswith("Send more")

    # The caseworker finds the file with the case's messages.
    staff = app.test_client()
    idp_login(staff, "/auth/staff/login", {"subject": "staff-goteborg-1"})
    view = soup(staff.get(f"/municipality/inbox/{application.id}"))
    assert view.find("a", string="kostnadsforslag.pdf") is not None
    assert "En kostnadsberäkning från tandläkaren" in view.get_text()
    rows = {
        tr.find("td").get_text(" ", strip=True): tr.find_all("td")[-1].get_text(" ", strip=True)
        for tr in view.find(id="situation").find("table").find("tbody").find_all("tr")
    }
    assert rows["En kostnadsberäkning från tandläkaren"].startswith("Skickas senare Skickat i efterhand")
    assert "med ett meddelande" in rows["En kostnadsberäkning från tandläkaren"]
    assert "Skickat i efterhand" not in rows["Din senaste hyresavi"]

    read = db.session.scalars(
        select(AuditEvent.purpose).where(AuditEvent.object_type == "situation_document", AuditEvent.action == "read")
    ).all()
    assert "applicant sends a document" in read


def test_only_a_document_said_to_come_later_has_a_page(app):
    client, application = family_case(app)
    assert client.get(f"/cases/{application.id}/documents/rent_notice").status_code == 404  # missing, not later
    assert client.get(f"/cases/{application.id}/documents/nothing-of-the-sort").status_code == 404
    other = app.test_client()
    idp_login(other, "/auth/login", {"subject": "199107172380"})
    assert other.get(f"/cases/{application.id}/documents/{DENTIST}").status_code == 404


def test_an_application_without_a_later_document_lists_none(app):
    application = factories.delivered(factories.submitted(factories.draft(FAMILY)))
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": FAMILY})
    assert soup(client.get(f"/cases/{application.id}")).find(id="documents-later") is None


def test_after_the_case_has_ended_nothing_more_is_sent(app):
    client, application = family_case(app)
    page = client.get(f"/cases/{application.id}/documents/{DENTIST}")
    case.withdraw(application, "Jag klarar mig.")
    db.session.commit()
    doc, _section = later_section(client, application)
    assert doc.find(id=f"document-{DENTIST}").find("a") is None
    ended = client.post(
        f"/cases/{application.id}/documents/{DENTIST}",
        data={"csrf_token": csrf_from(page), "files": (io.BytesIO(make_pdf()), "sent.pdf")},
        content_type="multipart/form-data",
    )
    assert ended.status_code == 409
    assert "nothing more can be sent here" in soup(ended).get_text()
    assert db.session.scalar(select(Message.id)) is None
