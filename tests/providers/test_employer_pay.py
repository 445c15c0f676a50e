"""Pay from employers month by month: Skatteverket's employer declarations at individual level
(issue 22, point 2)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.information.totals import month_totals, payouts
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.employer_pay import PROVIDER
from portal.providers.items import FACT, INCOME_GROSS, TAX_WITHHELD, Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
NOVEMBER = Period(date(2026, 11, 1))
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def fixture(slug: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["arbetsgivardeklaration"]["lon"]


def test_pay_tax_and_benefits_per_month_in_the_period_only():
    items = PROVIDER.normalise("lon", fixture("vehicle-owner"), NOVEMBER)
    pay = [
        (i.period_start, i.period_end, i.amount_ore, i.gross)
        for i in items
        if i.kind == "arbetsgivardeklaration.lon.pay"
    ]
    assert pay == [
        (date(2026, 8, 1), date(2026, 8, 31), 3_120_000, True),
        (date(2026, 9, 1), date(2026, 9, 30), 3_387_000, True),
        (date(2026, 10, 1), date(2026, 10, 31), 3_120_000, True),
    ]  # July is before the period
    assert [i.amount_ore for i in items if i.kind == "arbetsgivardeklaration.lon.tax"] == [842_000, 931_000, 842_000]
    benefits = [
        (i.period_start.month, i.amount_ore, i.details["benefit_type"])
        for i in items
        if i.kind == "arbetsgivardeklaration.lon.benefit"
    ]
    assert benefits == [
        (8, 315_000, "BILFORMAN"),
        (9, 315_000, "BILFORMAN"),
        (10, 315_000, "BILFORMAN"),
        (10, 42_000, "KOSTFORMAN"),
    ]
    assert {i.details["employer"] for i in items} == {"Umeå Transport & Logistik AB"}
    assert all(i.theme == "income" for i in items)


def test_totals_count_cash_pay_after_tax_never_benefits():
    items = PROVIDER.normalise("lon", fixture("vehicle-owner"), NOVEMBER)
    assert {i.kind: i.figure for i in items} == {
        "arbetsgivardeklaration.lon.pay": INCOME_GROSS,
        "arbetsgivardeklaration.lon.tax": TAX_WITHHELD,
        "arbetsgivardeklaration.lon.benefit": FACT,
    }
    october = month_totals(items, OCTOBER)
    assert (october.gross_ore, october.tax_ore, october.paid_ore) == (3_120_000, 842_000, 3_120_000 - 842_000)
    assert [p.amount_ore for p in payouts(items, SEPTEMBER)] == [3_387_000 - 931_000]


def test_two_employers_and_a_withdrawn_declaration():
    items = PROVIDER.normalise("lon", fixture("pending-bostadsbidrag"), NOVEMBER)
    october = [
        (i.details["employer"], i.amount_ore)
        for i in items
        if i.kind == "arbetsgivardeklaration.lon.pay" and i.period_start == OCTOBER
    ]
    # the café's first October declaration (4,800 kr) was withdrawn; its correction counts
    assert october == [("ICA Supermarket Hälla AB", 1_047_500), ("Kaffebönan i Västerås AB", 420_000)]
    assert month_totals(items, OCTOBER).paid_ore == 1_047_500 - 170_000 + 420_000
    assert month_totals(items, SEPTEMBER).paid_ore == 1_122_000 - 193_000 + 360_000
    # no tax withheld (a small second job): no tax item
    assert not [i for i in items if i.kind == "arbetsgivardeklaration.lon.tax" and "Kaffe" in i.details["employer"]]


@pytest.mark.parametrize("slug", ["vehicle-owner", "pending-bostadsbidrag", "stockholm-kista", "single-adult"])
def test_raw_only_fields_are_dropped(slug):
    raw = fixture(slug)
    items = PROVIDER.normalise("lon", raw, NOVEMBER)
    assert items
    text = repr(items)
    for declaration in raw["Individuppgifter"]:
        for secret in (
            declaration["Arbetsgivare"]["Organisationsnummer"],
            declaration["Arbetsplats"]["Adress"],
            declaration["Inlamningsdatum"],
        ):
            assert secret not in text
    assert raw["Identitetsbeteckning"] not in text
    assert set().union(*(i.details for i in items)) <= {"employer", "benefit_type"}


def test_none_reported_is_nothing():
    raw = {"Identitetsbeteckning": "199312162390", "Individuppgifter": []}
    assert PROVIDER.nothing("lon", raw) and PROVIDER.normalise("lon", raw, NOVEMBER) == []
    assert not PROVIDER.nothing("lon", fixture("single-adult"))


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"Individuppgifter": None}, {"Individuppgifter": [None]}])
def test_malformed_is_unexpected_format(raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("lon", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("FK011", d.pop("KontantErsattning")),
        lambda d: d.__setitem__("KontantErsattning", "31200"),
        lambda d: d.__setitem__("AvdragenSkatt", -5),
        lambda d: d.__setitem__("Redovisningsmanad", "2026-10"),
        lambda d: d.__setitem__("Redovisningsmanad", "202613"),
        lambda d: d["Formaner"][0].__setitem__("Typ", "CYKEL"),
        lambda d: d.__setitem__("Arbetsgivare", "Umeå Transport & Logistik AB"),
        lambda d: d.__setitem__("Borttagen", True),
        lambda d: d.pop("Formaner"),
    ],
    ids=[
        "renamed-pay",
        "pay-as-text",
        "negative-tax",
        "iso-month",
        "month-13",
        "unknown-benefit",
        "employer-as-text",
        "withdrawn-as-bool",
        "missing-benefits",
    ],
)
def test_schema_drift_is_unexpected_format(change):
    raw = copy.deepcopy(fixture("vehicle-owner"))
    change(raw["Individuppgifter"][0])  # July: outside the period, and still checked
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("lon", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def test_request_and_unit():
    path, body = PROVIDER.request("196404153832", "lon", NOVEMBER)
    assert path == "/skatteverket/arbetsgivardeklaration/v1/individuppgifter"
    assert body == {
        "Identitetsbeteckning": "196404153832",
        "FromRedovisningsmanad": "202608",
        "TomRedovisningsmanad": "202611",
    }
    from portal.consent.services import unit

    assert [s.key for s in unit("arbetsgivardeklaration.basic").sets] == ["lon"]
    assert [s.key for s in unit("skatteverket.basic").sets] != ["lon"]  # a unit of its own


def test_fetch_over_http_with_faults():
    rules = {
        "rules": [
            {"provider": "arbetsgivardeklaration", "person": "stockholm-kista", "kind": "schema_drift"},
            {"provider": "arbetsgivardeklaration", "person": "pending-bostadsbidrag", "kind": "status", "status": 429},
        ]
    }
    with serve(create_sandbox_app(faults=rules)) as base_url:
        client = ProviderClient("arbetsgivardeklaration", base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "196404153832", "lon", NOVEMBER)
        assert [i.amount_ore for i in items if i.kind.endswith(".pay")] == [3_120_000, 3_387_000, 3_120_000]
        assert PROVIDER.fetch(client, "199312162390", "lon", NOVEMBER) == []  # in the cast, nothing reported
        assert PROVIDER.fetch(client, "199312172381", "lon", NOVEMBER) == []  # not in folkbokföring: 404
        for pnr, reason in (("197911109291", "unexpected_format"), ("199912282382", "busy")):
            with pytest.raises(ProviderError) as err:
                PROVIDER.fetch(client, pnr, "lon", NOVEMBER)
            assert err.value.reason == reason
