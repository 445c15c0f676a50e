"""What each fetched amount is (income before tax, tax withheld, untaxed payment, balance, fact), per
provider, and totals that add only what belongs together (issue 15, point 1).

The expected figures are read from the agencies' own raw answers in the sandbox's cast
(devstack/testdata/persons), by fields the normalisers never use for totals (the agencies' net
amounts where they send one), so the totals are checked against the source, not against themselves.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from devstack.sandbox.dates import AUTHORED_MONTH
from portal.information.totals import in_month, month_totals, payouts
from portal.providers.items import ASSET_BALANCE, FACT, FIGURES, INCOME_GROSS, INCOME_NET, TAX_WITHHELD, Period
from portal.providers.registry import provider, providers

PERSONS = Path(__file__).resolve().parents[1] / "devstack" / "testdata" / "persons"
PERIOD = Period(AUTHORED_MONTH)


def _months(period: Period) -> list[date]:
    months, day = [], period.start
    while day <= period.month:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def _kronor(text: str) -> int:
    return int(Decimal(text.replace(" ", "").replace(",", ".")) * 100)


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _month_of(text: str) -> date:
    text = text.replace("-", "")
    return date(int(text[:4]), int(text[4:6]), 1)


# What the agency says was paid out for a month, from its own raw answer (öre).
def _paid_forsakringskassan(raw, month):
    return sum(_kronor(p["nettobelopp"]) for p in raw.get("utbetalningar", []) if _month_of(p["avserManad"]) == month)


def _paid_akassa(raw, month):
    return sum(
        _kronor(p["netto"])
        for p in raw.get("utbetalningar", [])
        if in_month(date.fromisoformat(p["avser"]["from"]), date.fromisoformat(p["avser"]["tom"]), month)
    )


def _paid_pensionsmyndigheten(raw, month):
    return sum(p["nettoOre"] for p in raw.get("manadsutbetalningar", []) if _month_of(p["manad"]) == month)


def _paid_csn(raw, month):
    keys = ("Bidrag", "Tillaggsbidrag", "Lan", "Tillaggslan", "Merkostnadslan")
    return sum(
        sum(p[k] for k in keys) * 100
        for study in raw.get("Studieperioder", [])
        if PERIOD.overlaps(_ymd(study["PeriodFran"]), _ymd(study["PeriodTill"]))
        for p in study["Utbetalningar"]
        if in_month(_ymd(p["AvserFran"]), _ymd(p["AvserTill"]), month)
    )


def _paid_migrationsverket(raw, month):
    return sum(p["beloppOre"] for p in raw.get("utbetalningar", []) if _month_of(p["manad"]) == month)


def _paid_skatteverket(raw, month):
    account = raw.get("Skattekonto") or {"Transaktioner": []}
    return sum(
        abs(t["Belopp"]) * 100
        for t in account["Transaktioner"]
        if t["Transaktionskod"] == "UTB" and _ymd(t["Transaktionsdatum"]).replace(day=1) == month
    )


def _paid_arbetsgivardeklaration(raw, month):
    # An employer declares no net pay: cash pay less the tax withheld, benefits never (not money).
    return sum(
        (d["KontantErsattning"] - d["AvdragenSkatt"]) * 100
        for d in raw.get("Individuppgifter", [])
        if d["Borttagen"] == "N" and _month_of(d["Redovisningsmanad"]) == month
    )


PAID = {
    "arbetsgivardeklaration": _paid_arbetsgivardeklaration,
    "forsakringskassan": _paid_forsakringskassan,
    "akassa": _paid_akassa,
    "pensionsmyndigheten": _paid_pensionsmyndigheten,
    "csn": _paid_csn,
    "migrationsverket": _paid_migrationsverket,
    "skatteverket": _paid_skatteverket,
}


def _cast() -> list[tuple[str, str, str, dict]]:
    found = []
    for path in sorted(PERSONS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, sets in data.get("providers", {}).items():
            for info_set, raw in sets.items():
                if name == "skatteverket" and info_set == "folkbokforing":
                    continue
                found.append((path.stem, name, info_set, raw))
    return found


CAST = _cast()


def test_every_kind_of_every_provider_says_what_its_amount_is():
    for each in providers():
        assert set(each.labels) <= set(each.figures), each.name
        assert set(each.figures.values()) <= set(FIGURES) | {"payment"}, each.name


def test_the_cast_covers_every_provider():
    assert {name for _slug, name, _set, _raw in CAST} == {p.name for p in providers()}


@pytest.mark.parametrize(("slug", "name", "info_set", "raw"), CAST, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CAST])
def test_totals_per_month_are_what_the_agency_paid_out(as_authored, slug, name, info_set, raw):
    items = provider(name).normalise(info_set, raw, PERIOD)
    for item in items:
        assert item.kind in provider(name).figures, item.kind
        if item.amount_ore is None:
            assert item.figure == FACT, item.kind  # nothing to add
    for month in _months(PERIOD):
        totals = month_totals(items, month)
        expected = PAID[name](raw, month) if name in PAID and info_set not in ("taxerad_inkomst", "f_skatt") else 0
        assert totals.paid_ore == expected, (slug, name, info_set, month)
        # one payout per payment, each as it reached the person
        assert sum(p.amount_ore for p in payouts(items, month)) == expected
    balances = [i for i in items if i.figure == ASSET_BALANCE]
    assert all(i.provider == "bank" for i in balances)
    assert all(i.figure == ASSET_BALANCE for i in items if i.provider == "bank")
    # a balance is not money per month: it is in no month's payments, only in the assets
    assert month_totals(items, PERIOD.month).assets_ore == sum(i.amount_ore for i in balances)


def test_emma_september_counts_sjukpenning_after_tax_not_plus_tax(as_authored):
    """The issue's example: 10,098.00 before tax and 3,231.36 tax must not add up to 13,329.36."""
    raw = json.loads((PERSONS / "stockholm-sodermalm.json").read_text(encoding="utf-8"))
    raw = raw["providers"]["forsakringskassan"]["sjukpenning"]
    items = provider("forsakringskassan").normalise("sjukpenning", raw, PERIOD)
    september = date(2026, 9, 1)
    totals = month_totals(items, september)
    assert (totals.gross_ore, totals.tax_ore) == (1009800, 323136)
    assert totals.paid_ore == 1009800 - 323136
    assert {i.figure for i in items if i.kind.endswith(".tax")} == {TAX_WITHHELD}
    assert {i.figure for i in items if i.kind.endswith(".payment")} == {INCOME_GROSS}


def test_an_untaxed_payment_is_net_and_a_taxed_one_gross():
    fk = provider("forsakringskassan")
    assert fk.figure("forsakringskassan.barnbidrag.payment", False) == INCOME_NET
    assert fk.figure("forsakringskassan.sjukpenning.payment", True) == INCOME_GROSS
    assert fk.figure("forsakringskassan.bostadsbidrag.application", None) == FACT
    assert fk.figure("forsakringskassan.aktivitetsstod.decision", True) == FACT  # a daily rate
    assert fk.figure("forsakringskassan.unknown.kind", True) == FACT  # never added
    assert provider("skatteverket").figure("skatteverket.taxerad_inkomst.employment", True) == FACT
    assert provider("akassa").figure("akassa.ersattning.period", True) == FACT
