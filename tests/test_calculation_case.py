"""Calculation lines in a case: accepted or changed in the built-in inbox (no JavaScript), kept as a
history, carried by the decision (its PDF, with a cover page in the applicant's language) and explained to
the applicant on the decision page in sv, en and ar."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.calculation import services as calculation
from portal.calculation.models import LineChange
from portal.case.models import Decision
from portal.extensions import db
from tests import factories
from tests.support import page_checks
from tests.test_caseworker import EMMA, applicant_client, audited, case_path, caseworker, refresh, rich


def _pdf_text(data: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _handled(language: str = "sv"):
    """Emma's application, sent in ``language`` with rent and a salary stated and a payment fetched, registered."""
    application, item, _attachment, _pdf = rich(EMMA) if language == "sv" else _rich_in(language)
    factories.received(application)
    return application


def _rich_in(language: str):
    from portal.information import services as information
    from portal.supplements import services as supplements
    from tests.test_caseworker import plant_item

    application = factories.draft(EMMA)
    item = plant_item(application)
    information.save_comment(application, item, application.applicant_id, "Bidraget upphörde.")
    supplements.add(
        application,
        "costs",
        {"category": "rent", "description": None, "amount_ore": 650000, "month": application.period},
    )
    application = factories.delivered(factories.submitted(application, language))
    return application, item, None, None


def csrf_from(page) -> str:
    return page.find("input", attrs={"name": "csrf_token"})["value"]


def _line_ids(page) -> list[str]:
    return [row["id"].removeprefix("line-") for row in page.find(id="calculation-lines").find("tbody").find_all("tr")]


def test_the_caseworker_accepts_and_changes_lines_and_the_decision_carries_them(app):
    application = _handled()
    worker = caseworker(app, "staff-stockholm-1")
    page = page_checks(worker.get(case_path(application)), "en")
    ids = _line_ids(page)
    member = application.members[0].id
    assert ids[0] == f"norm-person-{member}" and "norm-household" in ids and "cost-rent" in ids
    assert f"income-stated-{member}-salary" in ids
    rent = page.find(id="line-cost-rent")
    assert "Rent" in rent.get_text() and "Proposed" in rent.get_text()

    # Accept the norm line with its button (a plain form: CSRF token, no JavaScript).
    form = page.find(id=f"line-norm-person-{member}").find("form")
    response = worker.post(form["action"], data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.location.endswith("#calculation")

    # Change the rent: a missing reason and a bad amount are refused with what was typed kept.
    change_path = f"{case_path(application)}/lines/cost-rent"
    change_page = page_checks(worker.get(change_path), "en")
    bad = worker.post(change_path, data={"csrf_token": csrf_from(change_page), "amount": "sex tusen", "reason": ""})
    assert bad.status_code == 400
    bad_page = page_checks(bad, "en")
    summary = bad_page.find(class_="error-summary").get_text()
    assert "whole kronor" in summary and "Write why you change the amount" in summary
    assert bad_page.find(id="amount")["value"] == "sex tusen"
    assert bad_page.title.get_text().startswith("Error:")
    assert db.session.scalar(select(LineChange).where(LineChange.line_id == "cost-rent")) is None

    ok = worker.post(
        change_path,
        data={
            "csrf_token": csrf_from(change_page),
            "amount": "5 200",
            "reason": "Skälig hyra för en person i Stockholm är 5 200 kr.",
        },
    )
    assert ok.status_code == 302
    sheet = calculation.sheet(refresh(application))
    assert sheet.line("cost-rent").amount_ore == 520000 and sheet.line("cost-rent").status == "changed"
    assert sheet.line(f"norm-person-{member}").status == "accepted"
    assert sheet.line("norm-household").status == "proposed"
    assert sheet.result_ore == sheet.proposed_result_ore - (650000 - 520000)
    # A second change is history too: who, when, why, from what.
    worker.post(change_path, data={"csrf_token": csrf_from(change_page), "amount": "5300", "reason": "Rättat."})
    history = [(c.action, c.previous_ore, c.amount_ore, c.changed_by) for c in calculation.changes(application)]
    assert history == [
        ("accept", history[0][1], history[0][1], "Karin Handläggare"),
        ("change", 650000, 520000, "Karin Handläggare"),
        ("change", 520000, 530000, "Karin Handläggare"),
    ]
    shown = page_checks(worker.get(change_path), "en").find("table").get_text()
    assert "Skälig hyra" in shown and "Rättat." in shown
    assert audited("change", "application", application.id) >= 3

    page = page_checks(worker.get(case_path(application)), "en")
    assert "Rättat." in page.find(id="line-cost-rent").get_text()

    decision = factories.decided(refresh(application), "partly_granted", reasoning="Hyran över skälig nivå.")
    lines = {line["id"]: line for line in decision.calculation_lines}
    assert lines["cost-rent"] | {"judgedAt": None} == lines["cost-rent"] | {
        "proposedOre": 650000,
        "amountOre": 530000,
        "status": "changed",
        "reason": "Rättat.",
        "judgedBy": "Karin Handläggare",
        "judgedAt": None,
    }
    event = refresh(application).events[-1]
    assert event.kind == "decision" and event.data["calculation_lines"] == decision.calculation_lines
    text = _pdf_text(decision.document)
    assert "Beräkning" in text and "Hyra" in text and "Ändrad: Rättat." in text and "5 300,00 kr" in text

    # After the decision the lines are the decision's: no more changes, no buttons.
    page = page_checks(worker.get(case_path(application)), "en")
    assert page.find(id="calculation-lines").find("form") is None
    refused = worker.post(change_path, data={"csrf_token": csrf_from(change_page), "amount": "1", "reason": "x"})
    assert refused.status_code == 409


def test_another_municipality_cannot_see_or_change_the_lines(app):
    application = _handled()
    other = caseworker(app, "staff-uppsala-1")
    assert other.get(f"{case_path(application)}/lines/cost-rent").status_code == 404
    assert other.post(f"{case_path(application)}/lines/cost-rent/accept").status_code in (400, 404)
    assert calculation.changes(application) == []


def test_an_unknown_line_is_404(app):
    application = _handled()
    worker = caseworker(app, "staff-stockholm-1")
    assert worker.get(f"{case_path(application)}/lines/cost-nothing").status_code == 404


@pytest.mark.parametrize(
    ("language", "direction", "expect"),
    [
        ("sv", "ltr", ("Så räknade kommunen", "Hyra", "Överklaga")),
        ("en", "ltr", ("How the municipality calculated", "Rent", "appeal")),
        ("ar", "rtl", ("كيف حسبت البلدية", "الإيجار", "الاعتراض")),
    ],
)
def test_the_applicant_reads_the_decision_and_its_lines_in_their_language(app, language, direction, expect):
    application = _handled()
    calculation.judge(
        application, "cost-rent", "change", "Karin Handläggare", amount_ore=520000, reason="Skälig hyra är 5 200 kr."
    )
    decision = factories.decided(refresh(application), "partly_granted")
    applicant = applicant_client(app, EMMA)
    applicant.set_cookie("portal_lang", language)
    case_page = page_checks(applicant.get(f"/cases/{application.id}"), language, direction)
    link = case_page.find("a", href=f"/cases/{application.id}/decisions/{decision.id}")
    assert link is not None
    page = page_checks(applicant.get(link["href"]), language, direction)
    text = page.get_text()
    for part in expect:
        assert part.lower() in text.lower(), part
    rent = [row for row in page.find(id="decision-lines").find_all("tr") if "Skälig hyra" in row.get_text()]
    assert len(rent) == 1
    assert audited("read", "decision", decision.id) >= 1


def test_the_decision_pdf_has_a_cover_page_in_the_applicant_s_language(app):
    application = _handled("ar")
    decision = factories.decided(application, "refused", reasoning="Inkomsten täcker behovet.")
    reader = PdfReader(io.BytesIO(decision.document))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "قرار" in first and "كيف حسبت البلدية" in first and "Beslut om ekonomiskt bistånd" not in first
    rest = " ".join(" ".join(page.extract_text() for page in reader.pages[1:]).split())
    assert "Beslut om ekonomiskt bistånd" in rest and "Beräkning" in rest and "Hur du överklagar" in rest
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv" and root["/MarkInfo"]["/Marked"].value is True
    # A Swedish applicant's decision has no cover page.
    swedish = factories.decided(factories.received(factories.sent("199006022397")), "refused")
    assert "Beslut om ekonomiskt bistånd" in PdfReader(io.BytesIO(swedish.document)).pages[0].extract_text()


def test_a_decision_on_an_application_without_lines_has_none(app):
    application = _handled()
    from portal.submission.services import frozen_document

    frozen = frozen_document(application)
    import json

    body = json.loads(frozen.body)
    del body["calculationLines"]
    frozen.body = json.dumps(body)
    db.session.commit()
    decision = factories.decided(refresh(application), "refused")
    assert db.session.get(Decision, decision.id).calculation_lines is None
    assert "calculation_lines" not in refresh(application).events[-1].data
