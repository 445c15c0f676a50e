"""Skatteverket's provider sets: taxed income, tax-account payouts, F-skatt (folkbokföring is
tested in tests/test_skatteverket_adapter.py and is not a set of PROVIDER)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import Period
from portal.providers.skatteverket import PROVIDER, Skatteverket

PERSONS = Path(__file__).resolve().parents[2] / "devstack/testdata/persons"
DEC, NOV = Period(date(2026, 12, 1)), Period(date(2026, 11, 1))
NAME = "skatteverket"
SETS = ("taxerad_inkomst", "skattekonto", "f_skatt")


def raw(slug: str, info_set: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][NAME][info_set]


def test_sets_do_not_include_folkbokforing():
    assert [s.key for s in PROVIDER.sets] == list(SETS)
    assert not any(s.extended or s.for_children for s in PROVIDER.sets)


def test_requests():
    path, body = PROVIDER.request("199006022397", "skattekonto", DEC)
    assert path == "/skatteverket/skattekonto/v1/transaktioner" and "1990" not in path
    assert body == {"Identitetsbeteckning": "199006022397", "FromDatum": "20260901", "TomDatum": "20261231"}
    assert PROVIDER.request("199006022397", "taxerad_inkomst", DEC)[1]["Inkomstar"] == 2025
    assert PROVIDER.request("199006022397", "f_skatt", DEC)[1] == {"Identitetsbeteckning": "199006022397"}


def test_taxed_income_keeps_last_year_in_ore():
    items = PROVIDER.normalise("taxerad_inkomst", raw("single-adult", "taxerad_inkomst"), DEC)
    assert [(i.kind, i.amount_ore, i.gross, i.theme) for i in items] == [
        ("skatteverket.taxerad_inkomst.employment", 268400_00, True, "income"),
        ("skatteverket.taxerad_inkomst.capital", 312_00, True, "income"),
    ]
    assert {(i.period_start, i.period_end) for i in items} == {(date(2025, 1, 1), date(2025, 12, 31))}
    assert dict(items[0].details) == {"income_year": 2025, "decided": "2026-06-12"}
    text = repr(items)
    assert "2024" not in text and "Maj Sandell" not in text and "SlutligSkatt" not in text


def test_taxed_income_takes_the_latest_decision_and_business_income():
    items = PROVIDER.normalise("taxerad_inkomst", raw("f-skatt", "taxerad_inkomst"), DEC)
    assert [(i.kind.rsplit(".", 1)[1], i.amount_ore) for i in items] == [
        ("employment", 12300_00),
        ("business", 171200_00),
        ("capital", 420_00),
    ]
    assert items[0].details["decided"] == "2026-10-15"  # the reconsideration
    # A September application: the reconsideration of October is not known yet.
    september = PROVIDER.normalise("taxerad_inkomst", raw("f-skatt", "taxerad_inkomst"), Period(date(2026, 9, 1)))
    assert september[1].amount_ore == 184500_00
    # In May 2026 the 2025 decisions are not made yet: 2024 is last year's taxed income then.
    may = PROVIDER.normalise("taxerad_inkomst", raw("single-adult", "taxerad_inkomst"), Period(date(2026, 5, 1)))
    assert may[0].details["income_year"] == 2024


def test_capital_deficit_is_subtracted():
    items = PROVIDER.normalise("taxerad_inkomst", raw("stockholm-kista", "taxerad_inkomst"), DEC)
    assert items[-1].kind.endswith(".capital") and items[-1].amount_ore == -2300_00


def test_tax_account_keeps_payouts_in_the_period():
    items = PROVIDER.normalise("skattekonto", raw("single-adult", "skattekonto"), DEC)
    assert [(i.period_start, i.amount_ore, i.gross, dict(i.details)) for i in items] == [
        (date(2026, 10, 20), 1250_00, None, {"method": "KONTO"})
    ]
    avi = PROVIDER.normalise("skattekonto", raw("pensioner", "skattekonto"), DEC)
    assert [(i.amount_ore, i.details["method"], i.theme) for i in avi] == [(2841_00, "AVI", "income")]
    assert "914 357" not in repr(items) and "V2026" not in repr(items)
    assert PROVIDER.normalise("skattekonto", raw("couple-partner", "skattekonto"), DEC) == []  # August
    assert len(PROVIDER.normalise("skattekonto", raw("couple-partner", "skattekonto"), NOV)) == 1


def test_f_skatt_and_business():
    items = PROVIDER.normalise("f_skatt", raw("f-skatt", "f_skatt"), DEC)
    assert [(i.kind, i.period_start, i.period_end, i.theme) for i in items] == [
        ("skatteverket.f_skatt.f_tax", date(2019, 4, 1), None, "work"),
        ("skatteverket.f_skatt.business", date(2019, 4, 1), None, "work"),
    ]
    assert dict(items[0].details) == {"vat_registered": True, "employer_registered": False}
    assert dict(items[1].details) == {"business_name": "Per Eks Bygg & Montage", "legal_form": "EF"}
    text = repr(items)
    assert "Trädgård" not in text and "7907179191" not in text and "43320" not in text and "Box 2211" not in text


@pytest.mark.parametrize(
    ("info_set", "payload"),
    [
        ("taxerad_inkomst", {"Identitetsbeteckning": "199312162390", "Beskattningsbeslut": []}),
        ("skattekonto", {"Identitetsbeteckning": "199312162390", "Skattekonto": None}),
        (
            "f_skatt",
            {"FSkatt": None, "Momsregistrering": None, "Arbetsgivarregistrering": None, "Naringsverksamheter": []},
        ),
        (
            "f_skatt",
            {
                "FSkatt": {"Godkand": "N", "FromDatum": "20200101", "TomDatum": None},
                "Momsregistrering": None,
                "Arbetsgivarregistrering": None,
                "Naringsverksamheter": [],
            },
        ),
    ],
)
def test_empty_answers_give_nothing(info_set, payload):
    assert PROVIDER.normalise(info_set, payload, DEC) == []


def _drift_cases():
    tax, account, fskatt = (raw("f-skatt", s) for s in SETS)
    cases = []
    renamed = copy.deepcopy(tax)
    renamed["Beslut"] = renamed.pop("Beskattningsbeslut")
    cases.append(("taxerad_inkomst", renamed))
    missing = copy.deepcopy(tax)
    del missing["Beskattningsbeslut"][0]["Inkomster"]["OverskottKapital"]
    cases.append(("taxerad_inkomst", missing))
    text_amount = copy.deepcopy(tax)
    text_amount["Beskattningsbeslut"][0]["Inkomster"]["OverskottTjanst"] = "12 300"
    cases.append(("taxerad_inkomst", text_amount))
    bad_date = copy.deepcopy(tax)
    bad_date["Beskattningsbeslut"][0]["Beslutsdatum"] = "2026-09-02"
    cases.append(("taxerad_inkomst", bad_date))
    renamed = copy.deepcopy(account)
    renamed["Skattekonto"]["Kontohandelser"] = renamed["Skattekonto"].pop("Transaktioner")
    cases.append(("skattekonto", renamed))
    method = copy.deepcopy(account)
    next(r for r in method["Skattekonto"]["Transaktioner"] if r["Transaktionskod"] == "UTB")["Utbetalningssatt"] = "X"
    cases.append(("skattekonto", method))
    float_amount = copy.deepcopy(account)
    float_amount["Skattekonto"]["Transaktioner"][0]["Belopp"] = 12.5
    cases.append(("skattekonto", float_amount))
    renamed = copy.deepcopy(fskatt)
    renamed["Fskattsedel"] = renamed.pop("FSkatt")
    cases.append(("f_skatt", renamed))
    yes = copy.deepcopy(fskatt)
    yes["FSkatt"]["Godkand"] = True
    cases.append(("f_skatt", yes))
    form = copy.deepcopy(fskatt)
    form["Naringsverksamheter"][0]["Foretagsform"] = "XYZ"
    cases.append(("f_skatt", form))
    for info_set in SETS:
        cases += [(info_set, []), (info_set, "not json object"), (info_set, {})]
    return cases


@pytest.mark.parametrize(("info_set", "payload"), _drift_cases())
def test_drifted_or_malformed_payloads_are_errors(info_set, payload):
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise(info_set, payload, DEC)
    assert error.value.reason == "unexpected_format" and error.value.provider == NAME


def test_fetch_over_http_from_the_sandbox():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient(NAME, base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "197907179191", "f_skatt", DEC)
        assert [i.kind for i in items] == ["skatteverket.f_skatt.f_tax", "skatteverket.f_skatt.business"]
        assert PROVIDER.fetch(client, "194408139089", "skattekonto", DEC)[0].details["method"] == "AVI"
        assert len(PROVIDER.fetch(client, "199006022397", "taxerad_inkomst", DEC)) == 2
        for info_set in SETS:  # in folkbokföring, nothing else: 200 with an empty answer
            assert PROVIDER.fetch(client, "199312162390", info_set, DEC) == []
        # the folkbokföring client is unchanged next to it
        assert Skatteverket(client).folkbokforing("199006022397").given_name == "Anders"
