"""The situation sealed with the application (issue 16, points 4-5): exchange document 1.2.0 carries the
answers and the expected documents, each from the applicant; the caseworker's view and the application PDF
show them from the frozen document; next month's application starts prefilled, each answer to confirm."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from portal.exchange import pdf
from portal.information import services as information
from portal.situation import documents, services
from portal.situation.questions import BY_KEY
from portal.submission import services as submission
from tests import factories
from tests.support import csrf_from, page_checks, soup
from tests.test_attachments_domain import make_pdf

FAMILY = "196108283166"  # couple-with-children, Göteborg (1480)


def answer(application, page_key, household=None, **by_member):
    given = {None: household} if household is not None else {int(k): v for k, v in by_member.items()}
    services.save_page(application, BY_KEY[page_key], given)


def answered(application):
    """A family renting, one parent working, a child living part-time at home, dental care needed."""
    adults, kids = services.adults(application), services.children(application)
    answer(application, "housing", {"housing": "own_contract"})
    answer(
        application,
        "rent",
        {"rent": 812_000, "rent_paid_to": "landlord", "rent_arrears": "no", "eviction_notice": "no"},
    )
    answer(
        application,
        "work",
        **{
            str(adults[0].id): {"occupation": "working"},
            str(adults[1].id): {"occupation": "looking", "registered_af": "yes"},
        },
    )
    answer(
        application,
        "children",
        **{
            str(kids[0].id): {"lives": "part", "alternating": "yes", "maintenance": "none"},
            str(kids[1].id): {"lives": "all", "maintenance": "none"},
        },
    )
    answer(application, "needs", {"needs": ["dental"], "dental_amount": 350_000})
    answer(
        application,
        "payout",
        {
            "clearing": "6789",
            "account": "123456789",
            "holder_confirmed": True,
            "bank": "Handelsbanken",
            "holder": "confirmed",
        },
    )
    answer(application, "contact", {"interpreter": "yes", "interpreter_language": "so", "contact": "sms"})
    contract = factories.attached(application, make_pdf(), "hyreskontrakt.pdf")
    requirement = next(r for r in documents.expected(application) if r.kind == "rent_contract")
    documents.respond(application, requirement, documents.ATTACHED, attachment_id=contract.id)
    dentist = next(r for r in documents.expected(application) if r.kind == "dental_estimate")
    documents.respond(application, dentist, documents.LATER)
    return application


def test_the_frozen_document_carries_the_situation_and_the_documents(app):
    application = factories.submitted(answered(factories.draft(FAMILY)))
    doc = json.loads(submission.frozen_document(application).body)
    assert doc["schemaVersion"] == "1.2.0"
    situation = doc["situation"]
    assert situation["source"] == "applicant"
    assert {a["source"] for a in situation["answers"]} == {"applicant"}
    assert {
        "topic": "rent",
        "question": "rent",
        "memberId": None,
        "value": 812_000,
        "source": "applicant",
    } in situation["answers"]
    assert situation["interpreter"] == {"needed": True, "language": "so"}
    assert situation["payoutAccount"] == {
        "bank": "Handelsbanken",
        "clearing": "6789",
        "account": "123456789",
        "holder": "confirmed",
        "source": "applicant",
    }
    states = {d["kind"]: d["status"] for d in doc["expectedDocuments"]}
    assert states == {
        "rent_contract": "met",
        "rent_notice": "missing",
        "residence_agreement": "missing",
        "dental_estimate": "later",
    }
    assert all(d["source"] == "applicant" for d in doc["expectedDocuments"])
    # Sealed: after sending, the answers can no longer change.
    try:
        answer(application, "housing", {"housing": "parents"})
        raise AssertionError("a sent application's situation was changed")
    except services.NotEditable:
        pass


def test_working_with_no_employer_income_fetched_is_to_explain_not_an_error(app):
    application = answered(factories.draft(FAMILY))
    applicant = services.adults(application)[0]
    assert services.to_explain(application) == []  # nothing fetched yet: nothing to compare with
    factories.with_consents(application)
    fetched = [i for i in information.items(application) if i.member_id == applicant.id]
    assert fetched and not [i for i in fetched if i.provider == "arbetsgivardeklaration"]
    assert [(t.code, t.member_id) for t in services.to_explain(application)] == [("working_no_income", applicant.id)]


def test_the_caseworker_sees_the_answers_and_the_documents_met_and_missing(app, client, staff_login):
    application = factories.delivered(factories.submitted(answered(factories.draft(FAMILY))))
    staff_login("staff-goteborg-1")
    page = page_checks(client.get(f"/municipality/inbox/{application.id}"))
    section = page.find(id="situation")
    text = section.get_text(" ", strip=True)
    assert "Tolk behövs: Somaliska" in text
    assert "Jag hyr med eget kontrakt (förstahand)" in text
    rows = {
        tr.find("td").get_text(" ", strip=True): tr.find_all("td")[-1].get_text(" ", strip=True)
        for tr in section.find("table").find("tbody").find_all("tr")
    }
    assert rows["Ditt hyreskontrakt"] == "Bifogat"
    assert rows["Din senaste hyresavi"] == "Saknas"


def test_the_application_pdf_shows_the_situation_in_swedish(app):
    application = factories.submitted(answered(factories.draft(FAMILY)))
    doc = json.loads(submission.frozen_document(application).body)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.render(doc))).pages)
    assert "Sökandens situation" in text
    assert "Tolk behövs: Somaliska (so)" in text
    assert "Ditt hyreskontrakt (hyreskontrakt)" not in text  # the Swedish title, not the English with the term
    assert "Ditt hyreskontrakt: Bifogat" in text


def test_next_month_starts_prefilled_and_each_answer_is_confirmed(app, client, login):
    sent = factories.delivered(factories.submitted(answered(factories.draft(FAMILY))))
    draft = factories.next_month(sent)
    view = services.current(draft)
    assert view.stored is None and view.prefilled_from == sent.id  # a GET writes nothing
    assert services.effective(draft)["rent"] == 812_000
    assert services.state(draft) == "in_progress"
    login(FAMILY)
    path = f"/applications/{draft.id}/situation"
    assert client.get(path).headers["Location"].endswith("/situation/housing")
    housing = client.get(f"{path}/housing")
    doc = soup(housing)
    assert doc.find(id="prefilled") is not None
    assert doc.find("input", attrs={"name": "housing", "value": "own_contract"}).has_attr("checked")
    assert services.stored(draft) is None  # showing the prefilled pages changed nothing
    client.post(f"{path}/housing", data={"csrf_token": csrf_from(housing), "housing": "own_contract"})
    view = services.current(draft)
    assert "housing" not in view.unconfirmed and "rent" in view.unconfirmed
    kid = services.children(draft)[0]
    assert view.member(kid.id)["lives"] == "part"  # matched by relation and order, not by last month's id
