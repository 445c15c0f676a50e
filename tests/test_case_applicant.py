"""The applicant's view of a sent application: every handling event (driven through the case
services, as the inbox and the API drive them) and what the applicant then sees on the case
page and the overview; the decision document; access."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from pypdf import PdfReader
from sqlalchemy import select

from portal import clock
from portal.application.models import Application
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.delivery.services import run_once
from portal.extensions import db
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, private_file_checks, soup
from tests.test_attachments_domain import make_pdf
from tests.test_journey import SINGLE_ADULT

OTHER_CITIZEN = "199107172380"  # Emma Sundberg, Stockholm


def sek_en(kronor: int) -> str:
    """An amount as the portal writes it in English: CLDR's pattern with the sign apart ("SEK 7,450.00")."""
    return "SEK\xa0" + format_decimal(kronor, format="#,##0.00", locale="en")


def english(client):
    """Pages in English: the catalogs' source language, so the assertions survive translation."""
    client.get("/language?lang=en&next=/")
    return client


def signed_in(app, personnummer=SINGLE_ADULT):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": personnummer})
    return english(client)


@pytest.fixture
def applicant(app):
    return signed_in(app)


def send(personnummer=SINGLE_ADULT) -> Application:
    """An application sent (signed in English, the language of these tests' pages) and delivered to
    the municipality's inbox."""
    application = factories.sent(personnummer, language="en")
    assert application.status == "submitted" and application.inbox_id
    return application


@pytest.fixture
def sent(applicant):
    """Anders Testsson's application, sent and delivered to Uppsala's inbox (he is logged in)."""
    return send()


def later(days=7):
    return clock.today() + timedelta(days=days)


def case_page(client, application, lang="en", direction="ltr"):
    response = client.get(f"/cases/{application.id}")
    assert response.status_code == 200, response.status_code
    db.session.expire_all()
    return page_checks(response, lang=lang, direction=direction)


def summary(doc) -> dict[str, str]:
    rows = doc.find("dl", id="case-summary").find_all("div", class_="summary__row")
    return {row.find("dt").get_text(" ", strip=True): row.find("dd").get_text(" ", strip=True) for row in rows}


def timeline(doc) -> list[str]:
    return [li.get_text(" ", strip=True) for li in doc.find("ol", class_="timeline").find_all("li")]


def overview_row(client, application):
    doc = page_checks(client.get("/overview"), lang="en")
    link = doc.find("a", href=f"/cases/{application.id}")
    assert link is not None, "a sent application leads to its case page"
    return link.find_parent("tr")


def long_date(day: date, locale="en") -> str:
    return format_date(day, format="long", locale=locale)


def test_sent_and_waiting_then_received_with_the_case_number(applicant, sent):
    doc = case_page(applicant, sent)
    facts = summary(doc)
    assert facts["Status"].startswith("Sent – waiting for the municipality")
    assert "Uppsala" in facts["Municipality"]
    assert facts["Reference"] == sent.reference
    assert "Case number" not in facts
    assert timeline(doc)[0].endswith("The application was sent")
    assert doc.find("a", href=f"/applications/{sent.id}/receipt.pdf")
    assert "Sent – waiting for the municipality" in overview_row(applicant, sent).get_text()

    number = case.register(sent)
    doc = case_page(applicant, sent)
    facts = summary(doc)
    assert facts["Status"].startswith("Received by the municipality")
    assert number in facts["Status"] and facts["Case number"] == number
    assert f"Uppsala registered your application with case number {number}" in timeline(doc)[0]
    row = overview_row(applicant, sent).get_text(" ", strip=True)
    assert "Received by the municipality" in row and number in row


def test_under_handling_and_assigned_without_the_caseworkers_name(applicant, sent):
    case.register(sent)
    case.start_handling(sent)
    doc = case_page(applicant, sent)
    assert summary(doc)["Status"].startswith("Being handled")
    assert "The municipality started handling your application" in timeline(doc)[0]
    case.assign(sent, "staff-uppsala-1", "Per Handläggare")
    doc = case_page(applicant, sent)
    assert "A caseworker was assigned to your application" in timeline(doc)[0]
    assert "Per Handläggare" not in doc.find("main").get_text()


def test_interim_reply_with_the_expected_date_in_the_applicants_language(applicant, sent):
    case.register(sent)
    expected = later(20)
    case.interim_reply(sent, "Vi behöver några dagar till.", expected)
    doc = case_page(applicant, sent)
    main = doc.find("main").get_text(" ", strip=True)
    assert "Vi behöver några dagar till." in main
    assert f"The municipality expects to decide by {long_date(expected)}." in main
    assert long_date(expected) in timeline(doc)[0]

    applicant.get("/language?lang=sv&next=/")
    doc = case_page(applicant, sent, lang="sv")
    assert long_date(expected, "sv") in doc.find("main").get_text(" ", strip=True)
    applicant.get("/language?lang=ar&next=/")
    doc = case_page(applicant, sent, lang="ar", direction="rtl")
    assert long_date(expected, "ar") in doc.find("main").get_text(" ", strip=True)


def test_a_supplement_request_shows_what_why_by_when_and_the_item(applicant, app):
    from tests.test_items import plant_item

    sent, item = plant_item(application=factories.draft(SINGLE_ADULT))
    factories.delivered(factories.submitted(sent, language="en"))
    case.register(sent)
    due = later(10)
    request = case.request_supplement(
        sent, "Hyreskontrakt", "För att se din boendekostnad", due, "Per", item_id=item.id
    )
    doc = case_page(applicant, sent)
    section = doc.find(id=f"request-{request.id}")
    text = section.get_text(" ", strip=True)
    assert "Hyreskontrakt" in text and "För att se din boendekostnad" in text
    assert long_date(due) in text
    assert "Anders Testsson" in text and "October 2026" in text  # the fetched item it concerns
    answer = section.find("a", href=f"/cases/{sent.id}/requests/{request.id}")
    assert answer is not None
    assert doc.find(id="attention").find("a", href=answer["href"])
    assert "The municipality asked you for more information" in timeline(doc)[0]
    row = overview_row(applicant, sent)
    assert "1 request to answer" in row.get_text(" ", strip=True)


def test_decision_with_amount_period_and_the_document_through_an_audited_route(applicant, sent):
    case.register(sent)
    request = case.request_supplement(sent, "Hyreskontrakt", "Boendekostnad", later(), "Per")
    decision = case.decide(
        sent,
        "partly_granted",
        "Hyran är högre än skälig nivå.",
        "Per Handläggare",
        amount=7450,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    doc = case_page(applicant, sent)
    assert summary(doc)["Status"].startswith("Decided")
    assert "Uppsala has made a decision on your application: Partly granted." in summary(doc)["Status"]
    main = doc.find("main").get_text(" ", strip=True)
    assert sek_en(7450) in main
    assert f"{long_date(date(2026, 12, 1))} to {long_date(date(2026, 12, 31))}" in main
    assert "Hyran är högre än skälig nivå." in main
    assert "Decision: Partly granted" in timeline(doc)[0]
    # An open request of a decided case is no longer something to answer.
    assert doc.find(id="attention") is None
    assert doc.find("a", href=f"/cases/{sent.id}/requests/{request.id}") is None
    assert "1 request to answer" not in overview_row(applicant, sent).get_text()
    # No withdrawing after a decision.
    assert doc.find("a", href=f"/cases/{sent.id}/withdraw") is None

    link = doc.find("a", href=f"/cases/{sent.id}/decisions/{decision.id}.pdf")
    pdf = applicant.get(link["href"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == decision.document and pdf.data.startswith(b"%PDF-")
    private_file_checks(pdf, decision.document)
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "decision", AuditEvent.object_id == decision.id)
    ).all()
    assert [(a.action, a.subject_id) for a in audited] == [("read", sent.applicant_id)]
    assert applicant.get(f"/cases/{sent.id}/decisions/not-a-decision.pdf").status_code == 404


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_applicant_downloads_the_application_as_the_municipality_received_it(app, applicant, sent):
    doc = case_page(applicant, sent)
    link = doc.find("a", href=f"/cases/{sent.id}/application.pdf")
    assert link is not None and "as the municipality received it" in link.get_text()
    mine = applicant.get(link["href"])
    private_file_checks(mine)
    assert mine.mimetype == "application/pdf" and mine.data.startswith(b"%PDF-")
    assert f"ansokan-{sent.reference}.pdf" in mine.headers["Content-Disposition"]

    staff = app.test_client()
    idp_login(staff, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    theirs = staff.get(f"/municipality/inbox/{sent.id}/document.pdf")
    assert theirs.status_code == 200
    text = pdf_text(mine.data)
    assert text == pdf_text(theirs.data)  # the same document, not a summary of it
    assert sent.reference in text and "Anders" in text
    assert SINGLE_ADULT not in mine.headers.get("Content-Disposition", "")

    reads = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "exchange_document",
            AuditEvent.object_id == sent.id,
            AuditEvent.purpose == "applicant downloads the application as sent",
        )
    ).all()
    assert [(r.action, r.subject_id) for r in reads] == [("read", sent.applicant_id)]


def test_a_draft_has_no_application_as_sent(applicant):
    draft = factories.draft(SINGLE_ADULT)
    assert applicant.get(f"/cases/{draft.id}/application.pdf").status_code == 404


def test_a_decision_document_sent_by_a_system_is_served_as_sent(applicant, sent):
    case.register(sent)
    own = make_pdf(pages=2)
    decision = case.decide(sent, "refused", "Inkomsten täcker behovet.", "System", document=own)
    doc = case_page(applicant, sent)
    assert "Refused" in doc.find("main").get_text()
    assert applicant.get(f"/cases/{sent.id}/decisions/{decision.id}.pdf").data == own


def test_payments_planned_paid_stopped_cancelled(applicant, sent):
    case.register(sent)
    case.decide(
        sent,
        "granted",
        "Du har rätt till bistånd.",
        "Per",
        amount=9000,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    case.report_payment(sent, 6000, date(2026, 12, 3), "planned", external_ref="P-1")
    case.report_payment(sent, 3000, date(2026, 12, 20), "planned", external_ref="P-2")
    doc = case_page(applicant, sent)
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in doc.find(id="payments").find_next("table").find("tbody").find_all("tr")
    ]
    assert rows == [
        [long_date(date(2026, 12, 3)), sek_en(6000), "Planned"],
        [long_date(date(2026, 12, 20)), sek_en(3000), "Planned"],
    ]
    case.report_payment(sent, 6000, date(2026, 12, 3), "paid", external_ref="P-1")
    case.report_payment(sent, 3000, date(2026, 12, 20), "stopped", external_ref="P-2")
    case.report_payment(sent, 500, date(2026, 12, 24), "cancelled")
    doc = case_page(applicant, sent)
    states = [
        tr.find_all("td")[2].get_text(strip=True)
        for tr in doc.find(id="payments").find_next("table").find("tbody").find_all("tr")
    ]
    assert states == ["Paid", "Stopped", "Cancelled"]
    assert f"Payment of {sek_en(6000)} on {long_date(date(2026, 12, 3))}: Paid" in (" ".join(timeline(doc)))


def test_closed_case(applicant, sent):
    case.register(sent)
    case.decide(sent, "refused", "Inkomsten täcker behovet.", "Per")
    case.close(sent)
    doc = case_page(applicant, sent)
    assert summary(doc)["Status"].startswith("Closed")
    assert "The case was closed" in timeline(doc)[0]
    assert doc.find("a", href=f"/cases/{sent.id}/withdraw") is None
    assert "Closed" in overview_row(applicant, sent).get_text()


def test_will_not_be_handled_with_the_reason(applicant, sent):
    case.register(sent)
    case.not_handled(sent, "Du har redan en ansökan för samma månad.")
    doc = case_page(applicant, sent)
    assert summary(doc)["Status"].startswith("Will not be handled")
    main = doc.find("main").get_text(" ", strip=True)
    assert "Reason given by the municipality: Du har redan en ansökan för samma månad." in main
    assert "Du har redan en ansökan för samma månad." in timeline(doc)[0]
    assert doc.find("a", href=f"/cases/{sent.id}/withdraw") is None


def test_forwarded_to_another_municipality_with_the_reason_and_its_name(applicant, sent):
    case.register(sent)
    case.forward(sent, "0180", None, "Du är folkbokförd i Stockholm sedan förra månaden.")
    doc = case_page(applicant, sent)
    facts = summary(doc)
    assert facts["Status"].startswith("Sent – waiting for the municipality")
    assert "forwarded to Stockholm" in facts["Status"]
    assert "Case number" not in facts  # Stockholm registers it in its own series
    assert "Stockholm" in facts["Municipality"]
    notice = doc.find("h2", string="Your application has been forwarded").find_parent("div")
    assert "Stockholm" in notice.get_text() and "Du är folkbokförd i Stockholm" in notice.get_text()
    assert "forwarded to" in timeline(doc)[0] and "Stockholm" in timeline(doc)[0]
    # The earlier registration still names the municipality that made it.
    assert any("Uppsala registered your application" in line for line in timeline(doc))
    assert run_once() == 1  # delivered to Stockholm's inbox
    number = case.register(db.session.get(Application, sent.id))
    doc = case_page(applicant, sent)
    assert summary(doc)["Case number"] == number
    assert f"Stockholm registered your application with case number {number}" in timeline(doc)[0]


def test_forwarded_to_another_unit_of_the_municipality(app):
    client = signed_in(app, OTHER_CITIZEN)  # Emma Sundberg, Stockholm (Södermalm)
    application = send(OTHER_CITIZEN)
    case.register(application)
    other = next(i for i in case.inboxes_of("0180") if i != application.inbox_id)
    unit = case.inboxes_of("0180")[other].name
    case.forward(application, "0180", other, "Ärendet hör till en annan stadsdel.")
    doc = case_page(client, application)
    assert summary(doc)["Status"].startswith("Received by the municipality")
    notice = doc.find("h2", string="Your application has been forwarded").find_parent("div").get_text(" ", strip=True)
    assert unit in notice and "Ärendet hör till en annan stadsdel." in notice
    assert unit in summary(doc)["Municipality"]


def test_drafts_keep_their_page_and_have_no_case(applicant):
    application_id = factories.draft(SINGLE_ADULT).id
    path = f"/applications/{application_id}"
    doc = page_checks(applicant.get("/overview"), lang="en")
    row = doc.find("a", href=path).find_parent("tr")
    assert "Draft – not sent" in row.get_text()
    assert doc.find("a", href=f"/cases/{application_id}") is None
    response = applicant.get(f"/cases/{application_id}")
    assert response.status_code == 302 and response.location == path


# --- access ---------------------------------------------------------------------------------------


def case_routes(application, decision_id="d", request_id="r", message_id="m"):
    base = f"/cases/{application.id}"
    return [
        f"{base}",
        f"{base}/messages",
        f"{base}/withdraw",
        f"{base}/requests/{request_id}",
        f"{base}/messages/{message_id}/reply",
        f"{base}/decisions/{decision_id}.pdf",
        f"{base}/application.pdf",
    ]


@pytest.fixture
def full_case(sent):
    case.register(sent)
    request = case.request_supplement(sent, "Hyreskontrakt", "Boendekostnad", later(), "Per")
    message = case.send_message(sent, case.MUNICIPALITY, "Per", "Hej", reply_requested=True)
    decision = case.decide(
        sent, "granted", "Ja.", "Per", amount=100, period_start=date(2026, 12, 1), period_end=date(2026, 12, 31)
    )
    return sent, case_routes(sent, decision.id, request.id, message.id)


def test_every_case_route_works_for_the_applicant(applicant, full_case):
    _sent, routes = full_case
    for route in routes:
        assert applicant.get(route).status_code == 200, route


def test_another_citizen_gets_not_found_on_every_case_route(app, full_case):
    sent, routes = full_case
    other = app.test_client()
    idp_login(other, "/auth/login", {"subject": OTHER_CITIZEN})
    token = csrf_from(other.get("/applications/new"))
    for route in routes:
        assert other.get(route).status_code == 404, route
    for route in routes[1:5]:
        assert other.post(route, data={"csrf_token": token, "body": "x", "text": "x"}).status_code == 404, route
    db.session.refresh(sent)
    assert sent.status == "decided"


def test_a_caseworker_cannot_use_the_applicants_routes(app, full_case):
    sent, routes = full_case
    staff = app.test_client()
    idp_login(staff, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    for route in routes:
        assert staff.get(route).status_code == 403, route
    token = csrf_from(staff.get("/inbox"))
    for route in routes[1:5]:
        assert staff.post(route, data={"csrf_token": token, "body": "x"}).status_code == 403, route
    assert len(case.messages(sent)) == 1


def test_anonymous_visitors_are_sent_to_the_login(app, full_case):
    _sent, routes = full_case
    for route in routes:
        response = app.test_client().get(route)
        assert response.status_code == 302 and "/auth/login" in response.location, route


def test_the_case_page_is_audited(applicant, sent):
    case_page(applicant, sent)
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "case", AuditEvent.object_id == sent.id)
    ).all()
    assert reads and all(r.action == "read" and r.subject_id == sent.applicant_id for r in reads)


def test_no_personnummer_in_the_case_pages(applicant, full_case):
    _sent, routes = full_case
    for route in routes[:5]:
        assert SINGLE_ADULT not in applicant.get(route).get_data(as_text=True), route
    assert soup(applicant.get(routes[0])).find("h1")
