"""Bank adapter: the person's own accounts and balances on one date (consent only)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers import bank
from portal.providers.bank import PROVIDER
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack/testdata/persons"
DEC, NOV, SEP = Period(date(2026, 12, 1)), Period(date(2026, 11, 1)), Period(date(2026, 9, 1))
NAME = "bank"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(bank, "today", lambda: date(2026, 11, 25))


def raw(slug: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][NAME]["konton"]


def test_every_set_needs_consent():
    assert [(s.key, s.extended) for s in PROVIDER.sets] == [("konton", True)]


def test_request_asks_for_the_period_end_or_today():
    path, body = PROVIDER.request("199006022397", "konton", DEC)
    assert "1990" not in path and body == {"kundId": "199006022397", "saldodatum": "2026-11-25"}
    assert PROVIDER.request("199006022397", "konton", SEP)[1]["saldodatum"] == "2026-09-30"


def test_own_accounts_with_the_balance_on_the_date():
    items = PROVIDER.normalise("konton", raw("single-adult"), DEC)
    assert [(i.period_start, i.amount_ore, i.theme, i.gross, dict(i.details)) for i in items] == [
        (
            date(2026, 11, 24),
            4261_50,
            "assets",
            None,
            {"bank": "Swedbank", "account": "…8231", "account_type": "TRANSAKTION", "joint": False},
        ),
        (
            date(2026, 11, 24),
            3500_00,
            "assets",
            None,
            {"bank": "Swedbank", "account": "…2204", "account_type": "SPAR", "joint": False},
        ),
    ]
    september = PROVIDER.normalise("konton", raw("single-adult"), SEP)
    assert [(i.period_start, i.amount_ore) for i in september] == [
        (date(2026, 9, 30), 6841_50),
        (date(2026, 9, 30), 3500_00),
    ]


def test_minimised_no_other_peoples_accounts_numbers_or_history():
    items = PROVIDER.normalise("konton", raw("single-adult"), DEC)
    text = repr(items)
    for forbidden in (
        "Mammas",
        "Birgitta",
        "195712302842",
        "800 221",
        "914 357 823",
        "SE00",
        "Lönekonto",
        "199006022397",
        "Testsson",
        "8327-9",
        "21480",
    ):
        assert forbidden not in text
    joint = PROVIDER.normalise("konton", raw("stockholm-kista"), DEC)
    assert joint[0].details["joint"] is True and "198808112380" not in repr(joint) and "Hanna" not in repr(joint)


def test_closed_account_and_negative_balance():
    items = PROVIDER.normalise("konton", raw("vehicle-owner"), DEC)
    assert len(items) == 1  # the account closed in 2024 is not kept
    payload = raw("af-sanctions")
    payload["konton"][0]["saldon"][-1]["bokfortSaldo"]["belopp"] = "-12.50"
    assert PROVIDER.normalise("konton", payload, DEC)[0].amount_ore == -1250


def test_no_accounts_is_nothing():
    empty = {"kundId": "199312162390", "forfragningsId": None, "konton": []}
    assert PROVIDER.nothing("konton", empty)
    assert PROVIDER.normalise("konton", empty, DEC) == []


def _drifts():
    cases = [[], "text", {}, {"konton": {}}]
    for change in (
        lambda p: p["konton"][0].__setitem__("saldohistorik", p["konton"][0].pop("saldon")),
        lambda p: p["konton"][0]["saldon"][0]["bokfortSaldo"].__setitem__("belopp", "1 234,50"),
        lambda p: p["konton"][0]["saldon"][0]["bokfortSaldo"].__setitem__("belopp", 1234.5),
        lambda p: p["konton"][0]["saldon"][0]["bokfortSaldo"].__setitem__("valuta", "EUR"),
        lambda p: p["konton"][0]["saldon"][0].__setitem__("datum", "20261124"),
        lambda p: p["konton"][0].__setitem__("roll", "AGARE"),
        lambda p: p["konton"][0].__setitem__("kontotyp", "OKAND"),
        lambda p: p["konton"][0].pop("kontohavare"),
    ):
        payload = copy.deepcopy(raw("single-adult"))
        change(payload)
        cases.append(payload)
    return cases


@pytest.mark.parametrize("payload", _drifts())
def test_drifted_or_malformed_payloads_are_errors(payload):
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise("konton", payload, DEC)
    assert error.value.reason == "unexpected_format" and error.value.provider == NAME


def test_fetch_over_http_from_the_sandbox():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient(NAME, base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "196108283166", "konton", DEC)
        assert [i.details["joint"] for i in items] == [True, False]
        assert PROVIDER.fetch(client, "199312162390", "konton", DEC) == []
