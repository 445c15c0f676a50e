"""Bank transactions (issue 22, point 4): NextGenPSD2 transactions summarised, the list never kept."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.information.totals import month_totals
from portal.providers.bank_transactions import LARGE_WITHDRAWAL, NAMED_FROM, PROVIDER
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import FACT, Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
NOVEMBER = Period(date(2026, 11, 1))
KIND = "banktransaktioner.kontohandelser."


def fixture(slug: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["banktransaktioner"]["kontohandelser"]


def summary(items):
    return [(i.kind.removeprefix(KIND), i.period_start, i.amount_ore, dict(i.details)) for i in items]


def test_incoming_by_sender_per_month_smaller_senders_added_up_without_names():
    items = PROVIDER.normalise("kontohandelser", fixture("single-adult"), NOVEMBER)
    incoming = [s for s in summary(items) if s[0].startswith("incoming")]
    assert incoming == [
        ("incoming", date(2026, 8, 1), 150_000, {"sender": "Lars Testsson", "payments": 1}),
        ("incoming", date(2026, 9, 1), 150_000, {"sender": "Lars Testsson", "payments": 1}),
        ("incoming", date(2026, 10, 1), 150_000, {"sender": "Lars Testsson", "payments": 1}),
        ("incoming", date(2026, 10, 1), 435_000, {"sender": "Uppsala Evenemang & Servering AB", "payments": 1}),
        ("incoming", date(2026, 11, 1), 300_000, {"sender": "Blocket Betalning AB", "payments": 1}),
        ("incoming", date(2026, 11, 1), 150_000, {"sender": "Lars Testsson", "payments": 1}),
        # two friends' Swish in August (250 + 180 kronor), one in each later month: no names
        ("incoming_other", date(2026, 8, 1), 43_000, {"payments": 2}),
        ("incoming_other", date(2026, 9, 1), 25_000, {"payments": 1}),
        ("incoming_other", date(2026, 10, 1), 25_000, {"payments": 1}),
        ("incoming_other", date(2026, 11, 1), 25_000, {"payments": 1}),
    ]
    assert all(s[2] >= NAMED_FROM for s in incoming if s[0] == "incoming")
    assert all(i.period_end.month == i.period_start.month for i in items if i.kind.endswith("incoming"))


def test_large_withdrawals_only_without_who_got_them():
    items = PROVIDER.normalise("kontohandelser", fixture("single-adult"), NOVEMBER)
    # rent by direct debit (6,840 kronor a month) is a regular cost, not a withdrawal; groceries are never kept
    assert [s for s in summary(items) if s[0] == "withdrawal"] == [
        ("withdrawal", date(2026, 9, 8), 600_000, {"kind": "CASH", "booked_on": "2026-09-08"}),
        ("withdrawal", date(2026, 10, 17), 1_250_000, {"kind": "TRANSFER", "booked_on": "2026-10-17"}),
    ]
    assert all(i.theme == "assets" and i.amount_ore >= LARGE_WITHDRAWAL for i in items if i.kind.endswith("withdrawal"))


def test_money_between_own_accounts_neither_comes_in_nor_leaves():
    items = PROVIDER.normalise("kontohandelser", fixture("vehicle-owner"), NOVEMBER)
    assert [(s[0], s[1], s[2]) for s in summary(items)] == [
        ("incoming", date(2026, 8, 1), 1_978_000),
        ("incoming", date(2026, 9, 1), 1_978_000),
        ("incoming", date(2026, 10, 1), 2_186_000),
        ("incoming", date(2026, 11, 1), 1_978_000),
        ("withdrawal", date(2026, 11, 3), 800_000),
    ]  # the 25,000 to his own savings account is neither


def test_only_the_period_up_to_today_and_only_booked(as_authored):
    raw = fixture("single-adult")
    items = PROVIDER.normalise("kontohandelser", raw, NOVEMBER)
    assert min(i.period_start for i in items) == date(2026, 8, 1)  # July's are before the period
    assert raw["accounts"][0]["transactions"]["pending"]  # a pending card payment, not kept
    assert PROVIDER.request("199006022397", "kontohandelser", NOVEMBER)[1]["dateTo"] == "2026-11-25"


@pytest.mark.parametrize("slug", ["single-adult", "pending-bostadsbidrag", "vehicle-owner"])
def test_the_list_is_never_kept(slug):
    raw = fixture(slug)
    items = PROVIDER.normalise("kontohandelser", raw, NOVEMBER)
    text = repr(items)
    booked = [t for a in raw["accounts"] for t in a["transactions"]["booked"]]
    assert len(items) < len(booked)
    for transaction in booked:
        for secret in (
            transaction["transactionId"],
            transaction["entryReference"],
            transaction["remittanceInformationUnstructured"],
        ):
            assert not secret or secret not in text, secret
        if "creditorName" in transaction:
            assert transaction["creditorName"] not in text  # never who got money
        for side in ("debtorAccount", "creditorAccount"):
            if side in transaction:
                assert transaction[side]["iban"] not in text
    for account in raw["accounts"]:
        assert account["account"]["iban"] not in text and account["account"]["resourceId"] not in text
    assert raw["psuId"] not in text
    assert all(i.figure == FACT for i in items)
    assert month_totals(items, date(2026, 10, 1)) == month_totals([], date(2026, 10, 1))


def test_no_accounts_is_nothing():
    raw = {"psuId": "199312162390", "accounts": []}
    assert PROVIDER.nothing("kontohandelser", raw) and PROVIDER.normalise("kontohandelser", raw, NOVEMBER) == []


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"accounts": None}, {"accounts": [{}]}])
def test_malformed_is_unexpected_format(raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("kontohandelser", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a["transactions"].__setitem__("bookedTransactions", a["transactions"].pop("booked")),
        lambda a: a["transactions"]["booked"][0]["transactionAmount"].__setitem__("amount", "-6 840,00"),
        lambda a: a["transactions"]["booked"][0]["transactionAmount"].__setitem__("currency", "EUR"),
        lambda a: a["transactions"]["booked"][0].__setitem__("bookingDate", "20260701"),
        lambda a: a["transactions"]["booked"][0].__setitem__("bankTransactionCode", "XXXX"),
        lambda a: a["transactions"]["booked"][0].__setitem__("bankTransactionCode", "PMNT-ZZZZ-ZZZZ"),
        lambda a: a["account"].pop("iban"),
    ],
    ids=[
        "renamed-booked",
        "comma-amount",
        "other-currency",
        "compact-date",
        "bad-code",
        "unknown-outgoing",
        "account-without-iban",
    ],
)
def test_schema_drift_is_unexpected_format(change):
    raw = copy.deepcopy(fixture("single-adult"))
    change(raw["accounts"][0])  # July's rent: outside the period, and still checked
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("kontohandelser", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def test_a_unit_of_its_own_beside_the_balances():
    from portal.consent.services import unit

    assert [s.key for s in unit("banktransaktioner.extended").sets] == ["kontohandelser"]
    assert [s.key for s in unit("bank.extended").sets] == ["konton"]
    assert all(s.extended and not s.for_children for s in PROVIDER.sets)


def test_fetch_over_http_with_faults():
    rules = {
        "rules": [
            {"provider": "banktransaktioner", "person": "vehicle-owner", "kind": "schema_drift"},
            {"provider": "banktransaktioner", "person": "pending-bostadsbidrag", "kind": "timeout", "seconds": 0.5},
        ]
    }
    with serve(create_sandbox_app(faults=rules)) as base_url:
        client = ProviderClient("banktransaktioner", base_url, "sandbox-token", timeout_seconds=0.2)
        items = PROVIDER.fetch(client, "199006022397", "kontohandelser", NOVEMBER)
        assert len([i for i in items if i.kind.endswith("withdrawal")]) == 2
        assert PROVIDER.fetch(client, "199312162390", "kontohandelser", NOVEMBER) == []  # no accounts
        for pnr, reason in (("196404153832", "unexpected_format"), ("199912282382", "timeout")):
            with pytest.raises(ProviderError) as err:
                PROVIDER.fetch(client, pnr, "kontohandelser", NOVEMBER)
            assert err.value.reason == reason
