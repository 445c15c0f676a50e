"""Unit tests for the situation's rules: account numbers by bank and check digit, skip logic of the
follow-up questions, and the documents the answers call for."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from portal.situation import bankaccount, documents
from portal.situation.questions import BY_KEY, PAGES, question


@pytest.mark.parametrize(
    "clearing,account,bank",
    [
        ("9420", "417 23 85", "Forex Bank"),  # type 1, comment 1: modulus 11 over 3 clearing digits + account
        ("6789", "123 456 789", "Handelsbanken"),  # type 2, comment 2: modulus 11 over 9 digits
        ("3300", "000000 0000", "Nordea (personkonto)"),  # type 2, comment 1: modulus 10 over 10 digits
        ("8327-9", "12 3456 7897", "Swedbank"),  # type 2, comment 3: 5-digit clearing with its own check digit
        ("8327", "1234567897", "Swedbank"),  # the same account typed without the clearing's check digit
        ("٩٤٢٠", "٤١٧٢٣٨٥", "Forex Bank"),  # Arabic-Indic digits
    ],
)
def test_valid_accounts_are_accepted_with_their_bank(clearing, account, bank):
    assert bankaccount.check(clearing, account).bank == bank


@pytest.mark.parametrize(
    "clearing,account,reason",
    [
        ("9420", "417 23 86", "account_check"),  # last digit changed
        ("6789", "123 456 788", "account_check"),
        ("8327-8", "1234567897", "clearing_check"),
        ("8327", "1234567898", "account_check"),
        ("9999", "1234567", "clearing_unknown"),
        ("0999", "1234567", "clearing_unknown"),
        ("12", "1234567", "clearing_length"),
        ("94201", "4172385", "clearing_length"),  # a fifth clearing digit only for Swedbank's 8-series
        ("9420", "41723855", "account_length"),
        ("6789", "12345678", "account_length"),
        ("9420", "", "account_missing"),
        ("", "4172385", "clearing_missing"),
        ("9420", "417 23 8x", "characters"),
    ],
)
def test_invalid_accounts_say_what_is_wrong(clearing, account, reason):
    with pytest.raises(bankaccount.AccountError) as refused:
        bankaccount.check(clearing, account)
    assert refused.value.reason == reason


def test_a_follow_up_is_asked_only_when_its_condition_holds():
    arrears = question("rent", "rent_arrears_amount")
    assert arrears.asked({"rent_arrears": "yes"}) and not arrears.asked({"rent_arrears": "no"})
    dental = question("needs", "dental_amount")
    assert dental.asked({"needs": ["dental", "moving"]}) and not dental.asked({"needs": ["moving"]})
    interpreter = question("contact", "interpreter_language")
    assert not interpreter.asked({})


def test_pages_are_skipped_by_earlier_answers():
    family = SimpleNamespace(members=[SimpleNamespace(relation="child")])
    alone = SimpleNamespace(members=[SimpleNamespace(relation="applicant")])
    rent, children = BY_KEY["rent"], BY_KEY["children"]
    assert rent.show(alone, {"housing": "sublet"}) and not rent.show(alone, {"housing": "parents"})
    assert children.show(family, {}) and not children.show(alone, {})
    assert [p.key for p in PAGES][0] == "housing"


def _member(member_id, relation, born=date(1980, 1, 1)):
    return SimpleNamespace(id=member_id, relation=relation, birth_date=born, is_minor_on=lambda day: False)


FAMILY = SimpleNamespace(
    period=date(2026, 12, 1),
    members=[_member(1, "applicant"), _member(2, "spouse"), _member(3, "child", date(2005, 1, 1))],
)


def _kinds(answers, items=(), calls=()):
    return [(r.kind, r.member_id) for r in documents.expected(FAMILY, answers, list(items), list(calls))]


def test_documents_follow_from_the_answers():
    assert _kinds({}) == []
    assert _kinds({"housing": "sublet", "rent": 700_000}) == [
        ("rent_contract", None),
        ("sublet_consent", None),
        ("rent_notice", None),
    ]
    assert _kinds({"housing": "parents", "rent": 700_000}) == []
    assert _kinds({"housing": "emergency_housing", "rent": 300_000, "eviction_notice": "yes"}) == [
        ("rent_notice", None),
        ("eviction_notice", None),
    ]
    assert _kinds(
        {"members": {"3": {"lives": "part", "alternating": "yes", "maintenance": "received", "childcare": 90_000}}}
    ) == [("residence_agreement", 3), ("maintenance_agreement", 3), ("childcare_invoice", 3)]
    assert _kinds({"needs": ["dental", "glasses", "medicine", "furniture", "moving"]}) == [
        ("dental_estimate", None),
        ("glasses_estimate", None),
        ("medicine_receipt", None),
        ("furniture_estimate", None),
        ("moving_estimate", None),
    ]


def test_a_statement_is_asked_for_each_provider_and_member_whose_fetch_failed():
    def call(member_id, provider, status):
        return SimpleNamespace(member_id=member_id, provider=provider, status=status)

    calls = [
        call(1, "csn", "failed"),
        call(1, "csn", "failed"),  # a second set of the same provider: one statement
        call(2, "csn", "failed"),
        call(1, "akassa", "done"),
        call(1, "forsakringskassan", "pending"),  # still being fetched: nothing asked yet
    ]
    assert _kinds({"housing": "own_contract"}, calls=calls) == [
        ("rent_contract", None),
        ("provider_statement", 1),
        ("provider_statement", 2),
    ]
    keys = [r.key for r in documents.expected(FAMILY, {}, [], calls)]
    assert keys == ["provider_statement:csn:1", "provider_statement:csn:2"]
    assert _kinds({}, calls=[call(1, "csn", "done")]) == []


def test_a_sick_certificate_is_asked_only_when_no_sickness_benefit_was_fetched():
    sick = {"members": {"2": {"occupation": "sick", "sick_certificate": "yes"}}}
    assert _kinds(sick) == [("sick_certificate", 2)]
    benefit = SimpleNamespace(member_id=2, kind="forsakringskassan.sjukpenning.payment")
    assert _kinds(sick, [benefit]) == []
    other_member = SimpleNamespace(member_id=1, kind="forsakringskassan.sjukpenning.payment")
    assert _kinds(sick, [other_member]) == [("sick_certificate", 2)]
