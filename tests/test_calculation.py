"""Calculation lines (issue 16, point 3): the proposed lines by hand against the 2023 norm table (official),
and the lines frozen in the exchange document 1.2.0 with the emergency flag.

2023 figures (kronor per month): single adult 3 490; couple 6 300; a child of 0 years 2 420;
common household costs for 1 person 1 130, 2 persons 1 250, 3 persons 1 560 (portal/data/riksnorm/2023.json).
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from portal.calculation import lines as calc
from portal.calculation.lines import FetchedIncome, Member, StatedCost, StatedIncome, propose
from portal.indication.riksnorm import NormUnavailable, table_for_month
from portal.submission import services as submission


def kr(amount: int) -> int:
    return amount * 100


def _by_id(proposal) -> dict:
    return {line.id: line for line in proposal.lines}


def test_riksnorm_per_person_by_age_and_household():
    table, _stand_in = table_for_month(date(2023, 3, 1))
    # A couple (ids 1 and 2) and a baby born in the month (counts as 0 years): the pair's amount, the child's band.
    proposal = propose(
        date(2023, 3, 1),
        [Member(1, date(1985, 1, 1)), Member(2, date(1987, 5, 5)), Member(3, date(2023, 3, 20))],
        [],
        [],
        [],
    )
    lines = _by_id(proposal)
    assert list(lines) == ["norm-person-3", "norm-couple-1-2", "norm-household"]
    assert lines["norm-person-3"].amount_ore == kr(table.children["0"]) == kr(2420)
    assert lines["norm-person-3"].params["age"] == 0
    assert lines["norm-person-3"].member_ids == (3,)
    assert lines["norm-couple-1-2"].amount_ore == kr(6300) and lines["norm-couple-1-2"].member_ids == (1, 2)
    assert lines["norm-household"].amount_ore == kr(table.household_cost(3))
    assert all(line.group == calc.NORM and line.source == {"kind": "norm", "year": 2023} for line in proposal.lines)
    assert proposal.need_ore == kr(2420) + kr(6300) + kr(table.household_cost(3))
    assert proposal.income_ore == 0 and proposal.result_ore == proposal.need_ore


def test_a_non_partner_counts_in_the_household_but_has_no_line_of_their_own():
    # An adult sharing the home: the single amount for the applicant, a half share of the household of two.
    proposal = propose(date(2023, 3, 1), [Member(1, date(1990, 1, 1)), Member(2, date(1970, 1, 1), True)], [], [], [])
    lines = _by_id(proposal)
    assert list(lines) == ["norm-person-1", "norm-household"]
    assert lines["norm-person-1"].amount_ore == kr(3490)
    assert lines["norm-household"].code == "household_cost.share"
    assert lines["norm-household"].amount_ore == kr(1250) // 2


def test_costs_one_line_per_kind_and_incomes_per_kind_net():
    member = [Member(7, date(1990, 1, 1))]
    costs = [
        StatedCost("rent", kr(6000), ref="cost:1"),
        StatedCost("electricity", kr(350), ref="cost:2"),
        StatedCost("rent", kr(500), ref="situation:rent_extra"),
        StatedCost("dental", kr(1200)),
    ]
    fetched = [
        FetchedIncome(7, "forsakringskassan", "sjukpenning", kr(4000), (11,)),
        FetchedIncome(7, "forsakringskassan", "sjukpenning", kr(1000), (12,)),
        FetchedIncome(7, "arbetsformedlingen", "aktivitetsstod", 0, (13,)),
    ]
    stated = [StatedIncome(7, "salary", kr(900), "income:4")]
    proposal = propose(date(2023, 3, 1), member, costs, fetched, stated)
    lines = _by_id(proposal)
    assert lines["cost-rent"].amount_ore == kr(6500)
    assert lines["cost-rent"].source == {"kind": "applicant", "refs": ["cost:1", "situation:rent_extra"]}
    assert lines["cost-electricity"].amount_ore == kr(350) and lines["cost-dental"].amount_ore == kr(1200)
    # Two payments of the same kind are one line; a payment of nothing is no line.
    assert lines["income-7-forsakringskassan-sjukpenning"].amount_ore == kr(5000)
    assert lines["income-7-forsakringskassan-sjukpenning"].source["itemIds"] == [11, 12]
    assert "income-7-arbetsformedlingen-aktivitetsstod" not in lines
    assert lines["income-stated-7-salary"].amount_ore == kr(900)
    norm = kr(3490) + kr(1130)
    assert proposal.need_ore == norm + kr(6500 + 350 + 1200)
    assert proposal.income_ore == kr(5900)
    assert proposal.result_ore == norm + kr(8050) - kr(5900)
    assert all(calc.LINE_ID.match(line.id) for line in proposal.lines)


def test_the_result_can_be_negative_and_bad_input_is_refused():
    proposal = propose(
        date(2023, 3, 1),
        [Member(1, date(1990, 1, 1))],
        [],
        [FetchedIncome(1, "pensionsmyndigheten", "pension", kr(20000))],
        [],
    )
    assert proposal.result_ore == kr(3490 + 1130) - kr(20000) < 0
    with pytest.raises(ValueError):
        propose(date(2023, 3, 1), [Member(1, date(1990, 1, 1))], [StatedCost("rent", -1)], [], [])
    with pytest.raises(ValueError):
        propose(date(2023, 3, 1), [], [], [], [])
    with pytest.raises(NormUnavailable):
        propose(date(2010, 3, 1), [Member(1, date(1990, 1, 1))], [], [], [])


def test_the_lines_agree_with_the_indication_on_the_same_household():
    from portal.indication.calculate import CostInput, HouseholdMemberInput, IncomeInput, calculate

    members = [Member(1, date(1980, 2, 2)), Member(2, date(2012, 6, 6)), Member(3, date(2005, 1, 1))]
    indication = calculate(
        date(2023, 3, 1),
        [HouseholdMemberInput(m.birth_date) for m in members],
        [CostInput("rent", kr(7000))],
        [IncomeInput("Lön", kr(3000))],
    )
    proposal = propose(
        date(2023, 3, 1),
        members,
        [StatedCost("rent", kr(7000))],
        [FetchedIncome(1, "skatteverket", "lon", kr(3000))],
        [],
    )
    assert (proposal.need_ore, proposal.income_ore, proposal.result_ore) == (
        indication.need_ore,
        indication.income_ore,
        indication.result_ore,
    )


# --- the exchange document 1.2.0 ------------------------------------------------------------------------


def test_the_document_carries_the_proposed_lines_and_validates(app):
    from portal.exchange import document
    from tests.test_exchange import full_application

    application, item = full_application()
    doc = document.build(application, "sv")
    document.validate(doc)
    assert doc["schemaVersion"] == "1.2.0" and doc["emergency"] is None
    part = doc["calculationLines"]
    assert part["proposed"] is True and part["available"] is True
    lines = {line["id"]: line for line in part["lines"]}
    member = application.members[0].id
    assert lines[f"norm-person-{member}"]["group"] == "norm"
    assert lines["cost-rent"]["amountOre"] == 650000 and lines["cost-rent"]["text"] == "Hyra"
    assert lines[f"income-stated-{member}-salary"]["amountOre"] == 250000
    fetched = [line for line in part["lines"] if line["code"] == "income.fetched"]
    assert all(line["source"]["kind"] == "system" for line in fetched)
    # The same need, income and result as the indication the document carries beside them.
    assert (part["needOre"], part["incomeOre"], part["resultOre"]) == (
        doc["indication"]["needOre"],
        doc["indication"]["incomeOre"],
        doc["indication"]["resultOre"],
    )

    broken = copy.deepcopy(doc)
    broken["calculationLines"]["lines"][0]["id"] = "Not an id!"
    with pytest.raises(document.InvalidDocument):
        document.validate(broken)


def test_a_document_of_1_1_0_is_still_valid(app):
    from portal.exchange import document
    from tests.test_exchange import full_application

    application, _item = full_application()
    doc = document.build(application, "sv")
    older = {key: value for key, value in copy.deepcopy(doc).items() if key not in ("calculationLines", "emergency")}
    older["schemaVersion"] = "1.1.0"
    older["$schema"] = "https://egnautrymmet.se/exchange/schema/application-1.1.0.json"
    document.validate(older)


def test_the_emergency_application_says_so_in_its_document(app):
    from portal.application import services as applications
    from portal.exchange import document
    from tests import factories
    from tests.test_journey import SINGLE_ADULT

    first = factories.sent(SINGLE_ADULT)
    applicant = factories.person(SINGLE_ADULT)
    with factories.acting_as(applicant):
        second = applications.start(applicant.id, first.period, emergency_reason="Elräkningen måste betalas i dag.")
    doc = document.build(second, "sv")
    document.validate(doc)
    assert doc["emergency"]["reason"] == "Elräkningen måste betalas i dag."
    assert doc["emergency"]["source"]["kind"] == "applicant"
    frozen = json.loads(submission.frozen_document(first).body)
    assert frozen["emergency"] is None
    wrong = copy.deepcopy(doc)
    wrong["emergency"] = {"reason": "no source"}
    with pytest.raises(document.InvalidDocument):
        document.validate(wrong)


def test_the_application_pdf_shows_the_proposed_lines_and_the_emergency(app):
    import io

    from pypdf import PdfReader

    from portal.exchange import document
    from portal.exchange import pdf as exchange_pdf
    from tests.test_exchange import full_application

    application, _item = full_application()
    doc = document.build(application, "sv")
    doc["emergency"] = {"source": {"kind": "applicant"}, "reason": "Elräkningen måste betalas i dag."}
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(exchange_pdf.render(doc))).pages).split()
    ).replace("\u00a0", " ")
    assert "AKUT ANSÖKAN" in text and "Elräkningen måste betalas i dag." in text
    assert "Beräkningsrader – förslag till handläggaren" in text
    assert "Kostnad: Hyra Sökanden 6 500,00 kr" in text


def test_a_cost_answered_in_the_situation_is_not_counted_twice(app, monkeypatch):
    from flask_babel import force_locale

    from portal.calculation import proposal
    from portal.calculation.text import line_text
    from tests.test_exchange import full_application

    application, _item = full_application()  # rent 6 500 kr added on the application
    monkeypatch.setattr(
        proposal,
        "_situation_costs",
        lambda _application: [
            StatedCost("rent", kr(7000), None, "situation:rent"),
            StatedCost("medicine", kr(300), None, "situation:x"),
        ],
    )
    lines = {line.id: line for line in proposal.propose(application).lines}
    assert lines["cost-rent"].amount_ore == kr(7000) and lines["cost-rent"].source["refs"] == ["situation:rent"]
    assert lines["cost-medicine"].amount_ore == kr(300)
    with force_locale("sv"):
        assert line_text({"code": "cost", "params": {"kind": "medicine"}}).startswith("Läkemedel")
