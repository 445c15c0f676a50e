"""Försäkringskassan adapter: normalisation, minimisation, drift and a fetch over real HTTP."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.forsakringskassan import PROVIDER
from portal.providers.items import Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
DECEMBER = Period(date(2026, 12, 1))


def fixture(slug: str, info_set: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["forsakringskassan"][info_set]


def payment(month: str, gross: str, tax: str, taxable: bool, **extra) -> dict:
    return {
        "utbetalningsdatum": f"{month}-25",
        "avserManad": month,
        "bruttobelopp": gross,
        "skatteavdrag": tax,
        "nettobelopp": gross,
        "skattepliktig": taxable,
        "mottagarkonto": "Nordea 3300, 111 222 333",
        "utbetalningsreferens": "FKU-SECRET-REF",
        **extra,
    }


# Sets nobody in the cast has (no minor test numbers exist): built here in the agency's format.
CONSTRUCTED = {
    "barnbidrag": ({"antalBarn": 2}, False, {"children": 2}),
    "underhallsstod": (
        {"stodtyp": "UNDERHALLSSTOD", "bidragsskyldig": {"personId": "194004057032", "namn": "Other Parent"}},
        False,
        {"type": "UNDERHALLSSTOD"},
    ),
    "sjukersattning": (
        {"formanstyp": "AKTIVITETSERSATTNING", "omfattning": "HALV"},
        True,
        {"type": "AKTIVITETSERSATTNING", "extent": "HALV"},
    ),
    "vardbidrag": (
        {"formanstyp": "OMVARDNADSBIDRAG", "omfattning": "EN_FJARDEDEL"},
        True,
        {"type": "OMVARDNADSBIDRAG", "extent": "EN_FJARDEDEL"},
    ),
    "merkostnadsersattning": ({"niva": "NIVA_2"}, False, {"level": "NIVA_2"}),
}


def constructed(info_set: str) -> dict:
    extra, taxable, _ = CONSTRUCTED[info_set]
    return {
        "personId": "199006022397",
        "formansslag": info_set.upper(),
        "arendeId": "FK-INTERNAL-1",
        "handlaggare": {"namn": "Ulla Handläggare", "enhet": "X"},
        "utbetalningar": [
            payment("2026-01", "1 250,00", "300,00", taxable, **extra),
            payment("2026-10", "1 250,00", "300,00", taxable, **extra),
            payment("2026-11", "1 250,50", "300,00", taxable, **extra),
        ],
    }


def test_sjukpenning_months_amounts_and_tax():
    items = PROVIDER.normalise("sjukpenning", fixture("couple-with-children", "sjukpenning"), DECEMBER)
    payments = [i for i in items if i.kind == "forsakringskassan.sjukpenning.payment"]
    taxes = [i for i in items if i.kind == "forsakringskassan.sjukpenning.tax"]
    assert [(p.period_start, p.period_end) for p in payments] == [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
    ]
    assert payments[0].amount_ore == 2_640_000 and payments[0].gross is True
    assert payments[0].details == {"paid_on": "2026-10-06", "extent": "HEL", "days": 30}
    assert payments[-1].details["extent"] == "HALV"
    assert [t.amount_ore for t in taxes] == [792_000, 818_400, 303_600]
    assert all(i.theme == "income" and i.provider == "forsakringskassan" for i in items)


def test_sjukpenning_minimised():
    raw = fixture("couple-with-children", "sjukpenning")
    items = PROVIDER.normalise("sjukpenning", raw, DECEMBER)
    text = repr(items)
    for secret in ("Karin Åberg", "FK-2026-0817-4471", "Majorna", "FKU-26", "8327-9", "386 000", "196108283166"):
        assert secret not in text
    assert all(i.period_start >= date(2026, 9, 1) for i in items)  # February and August are outside
    november = PROVIDER.normalise("sjukpenning", raw, Period(date(2026, 11, 1)))
    assert min(i.period_start for i in november) == date(2026, 8, 1)


def test_pending_bostadsbidrag_application():
    raw = fixture("pending-bostadsbidrag", "bostadsbidrag")
    items = PROVIDER.normalise("bostadsbidrag", raw, DECEMBER)
    assert len(items) == 1  # the refused 2025 application is outside the period
    item = items[0]
    assert item.kind == "forsakringskassan.bostadsbidrag.application" and item.theme == "housing"
    assert (item.period_start, item.period_end) == (date(2026, 11, 1), None)
    assert item.details == {"status": "UNDER_HANDLAGGNING", "applied_on": "2026-11-09"}
    assert item.amount_ore is None
    for secret in ("Anna Karlsson", "Jonas Öberg", "200001042399", "hyresavtal", "FK-2026-1109-3317"):
        assert secret not in repr(items)
    assert not PROVIDER.nothing("bostadsbidrag", raw)


def test_bostadsbidrag_payments_are_tax_free():
    raw = {"utbetalningar": [payment("2026-10", "1 834,00", "0,00", False)], "ansokningar": []}
    (item,) = PROVIDER.normalise("bostadsbidrag", raw, DECEMBER)
    assert item.kind == "forsakringskassan.bostadsbidrag.payment"
    assert (item.amount_ore, item.gross, item.theme) == (183_400, False, "income")


def test_aktivitetsstod_reductions_and_level():
    items = PROVIDER.normalise("aktivitetsstod", fixture("af-sanctions", "aktivitetsstod"), DECEMBER)
    payments = [i for i in items if i.kind == "forsakringskassan.aktivitetsstod.payment"]
    assert [p.details["reduction_reason"] for p in payments] == [
        "AVSTANGNING_1_DAG",
        "AVSTANGNING_5_DAGAR",
        "AVSTANGNING_10_DAGAR",
    ]
    assert payments[1].details == {
        "paid_on": "2026-11-25",
        "type": "AKTIVITETSSTOD",
        "level": "GRUNDNIVA",
        "daily_amount_kr": 255,
        "days": 17,
        "reduction_reason": "AVSTANGNING_5_DAGAR",
        "reduction_days": 5,
    }
    assert payments[1].amount_ore == 17 * 25_500
    (decision,) = [i for i in items if i.kind == "forsakringskassan.aktivitetsstod.decision"]
    assert (decision.period_end, decision.amount_ore, decision.theme) == (date(2026, 11, 20), 25_500, "work")
    for secret in ("Sofia Lind", "AF-SAN-2026", "Uteblev", "misskötsamhet", "FKB-2025"):
        assert secret not in repr(items)


def test_aktivitetsstod_without_reduction_has_no_reduction_fields():
    raw = fixture("af-sanctions", "aktivitetsstod")
    items = PROVIDER.normalise("aktivitetsstod", raw, Period(date(2026, 9, 1)))
    june = [i for i in items if i.period_start == date(2026, 6, 1)]
    assert june and "reduction_reason" not in june[0].details


def test_etableringsersattning_decision_without_payments():
    items = PROVIDER.normalise("aktivitetsstod", fixture("residence-permit", "aktivitetsstod"), DECEMBER)
    assert [(i.kind, i.details["type"], i.amount_ore) for i in items] == [
        ("forsakringskassan.aktivitetsstod.decision", "ETABLERINGSERSATTNING", 30_800)
    ]


def test_foraldrapenning_kinds():
    raw = {
        "utbetalningar": [
            payment(
                "2026-10",
                "12 400,00",
                "3 720,00",
                True,
                formanstyp="FORALDRAPENNING",
                omfattning="HEL",
                dagar=20,
                barnPersonId="201805051234",
            ),
            payment(
                "2026-11",
                "2 480,00",
                "744,00",
                True,
                formanstyp="TILLFALLIG_FORALDRAPENNING",
                omfattning="HEL",
                dagar=2,
                barnPersonId="201805051234",
            ),
        ]
    }
    items = PROVIDER.normalise("foraldrapenning", raw, DECEMBER)
    assert [i.kind for i in items] == [
        "forsakringskassan.foraldrapenning.foraldrapenning",
        "forsakringskassan.foraldrapenning.tax",
        "forsakringskassan.foraldrapenning.tillfallig",
        "forsakringskassan.foraldrapenning.tax",
    ]
    assert items[0].amount_ore == 1_240_000 and items[0].details["days"] == 20
    assert "201805051234" not in repr(items)


@pytest.mark.parametrize("info_set", sorted(CONSTRUCTED))
def test_constructed_sets(info_set):
    _, taxable, details = CONSTRUCTED[info_set]
    items = PROVIDER.normalise(info_set, constructed(info_set), DECEMBER)
    payments = [i for i in items if i.kind == f"forsakringskassan.{info_set}.payment"]
    assert [p.period_start for p in payments] == [date(2026, 10, 1), date(2026, 11, 1)]
    assert payments[1].amount_ore == 125_050 and payments[1].gross is taxable
    assert {k: v for k, v in payments[0].details.items() if k != "paid_on"} == details
    assert len([i for i in items if i.kind.endswith(".tax")]) == (2 if taxable else 0)
    for secret in ("Ulla", "FK-INTERNAL-1", "FKU-SECRET-REF", "111 222 333", "Other Parent", "194004057032"):
        assert secret not in repr(items)


@pytest.mark.parametrize("info_set", [s.key for s in PROVIDER.sets])
def test_empty_answer_is_nothing(info_set):
    raw = {"personId": "199312162390", "utbetalningar": [], "ansokningar": [], "beslut": []}
    assert PROVIDER.nothing(info_set, raw)
    assert PROVIDER.normalise(info_set, raw, DECEMBER) == []


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "text",
        42,
        {},
        {"utbetalningar": None},
        {"utbetalningar": "x"},
        {"utbetalningar": [None]},
        {"utbetalningar": [{"avserManad": "2026-10"}]},
    ],
)
def test_malformed_is_unexpected_format(raw):
    assert not PROVIDER.nothing("sjukpenning", raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("sjukpenning", raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


def _drifted(change):
    raw = copy.deepcopy(fixture("couple-with-children", "sjukpenning"))
    change(raw)
    return raw


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["utbetalningar"][3].pop("bruttobelopp"),
        lambda r: r["utbetalningar"][3].__setitem__("belopp", r["utbetalningar"][3].pop("bruttobelopp")),
        lambda r: r.__setitem__("payments", r.pop("utbetalningar")),
        lambda r: r["utbetalningar"][3].__setitem__("bruttobelopp", 27280),
        lambda r: r["utbetalningar"][3].__setitem__("bruttobelopp", "27280.00"),
        lambda r: r["utbetalningar"][3].__setitem__("avserManad", "202610"),
        lambda r: r["utbetalningar"][3].__setitem__("utbetalningsdatum", "2026-13-05"),
        lambda r: r["utbetalningar"][3].__setitem__("omfattning", "FULL"),
        lambda r: r["utbetalningar"][3].__setitem__("dagar", "31"),
        lambda r: r["utbetalningar"][3].__setitem__("skattepliktig", "J"),
        # drift in a month outside the period is still drift
        lambda r: r["utbetalningar"][0].pop("skatteavdrag"),
    ],
    ids=[
        "missing",
        "renamed",
        "list-renamed",
        "int-amount",
        "point-decimal",
        "month-format",
        "bad-date",
        "unknown-code",
        "days-as-text",
        "flag-as-text",
        "old-month",
    ],
)
def test_schema_drift_is_unexpected_format(change):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("sjukpenning", _drifted(change), DECEMBER)
    assert err.value.reason == "unexpected_format"


def test_application_drift_is_unexpected_format():
    raw = copy.deepcopy(fixture("pending-bostadsbidrag", "bostadsbidrag"))
    raw["ansokningar"][0]["status"] = "PAGAENDE"
    with pytest.raises(ProviderError):
        PROVIDER.normalise("bostadsbidrag", raw, DECEMBER)
    raw = copy.deepcopy(fixture("pending-bostadsbidrag", "bostadsbidrag"))
    del raw["ansokningar"]
    with pytest.raises(ProviderError):
        PROVIDER.normalise("bostadsbidrag", raw, DECEMBER)


def test_unknown_extra_keys_are_ignored():
    raw = copy.deepcopy(fixture("couple-with-children", "sjukpenning"))
    raw["nyttFalt"] = {"x": 1}
    for entry in raw["utbetalningar"]:
        entry["valuta"] = "SEK"
    assert PROVIDER.normalise("sjukpenning", raw, DECEMBER) == PROVIDER.normalise(
        "sjukpenning", fixture("couple-with-children", "sjukpenning"), DECEMBER
    )


def test_request_keeps_the_personnummer_in_the_body():
    path, body = PROVIDER.request("199006022397", "bostadsbidrag", DECEMBER)
    assert "199006022397" not in path
    assert body == {"personId": "199006022397", "fromDatum": "2026-09-01", "tomDatum": "2026-12-31"}


def test_every_kind_has_a_label():
    kinds = {
        f"forsakringskassan.{s}.payment"
        for s in (
            "bostadsbidrag",
            "barnbidrag",
            "underhallsstod",
            "sjukpenning",
            "aktivitetsstod",
            "sjukersattning",
            "vardbidrag",
            "merkostnadsersattning",
        )
    }
    kinds |= {
        "forsakringskassan.bostadsbidrag.application",
        "forsakringskassan.aktivitetsstod.decision",
        "forsakringskassan.foraldrapenning.foraldrapenning",
        "forsakringskassan.foraldrapenning.tillfallig",
    }
    assert kinds <= set(PROVIDER.labels)
    flags = {s.key: (s.extended, s.for_children) for s in PROVIDER.sets}
    assert flags["underhallsstod"] == (False, True) and flags["sjukpenning"] == (False, False)


def test_fetch_over_http():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient("forsakringskassan", base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "199107172380", "sjukpenning", DECEMBER)
        assert [i.amount_ore for i in items if i.kind.endswith(".payment")] == [1_009_800, 1_841_400, 1_366_200]
        pending = PROVIDER.fetch(client, "199912282382", "bostadsbidrag", DECEMBER)
        assert [i.details["status"] for i in pending] == ["UNDER_HANDLAGGNING"]
        # in the cast with nothing: 200 with empty lists; outside the cast: 404
        assert PROVIDER.fetch(client, "199312162390", "bostadsbidrag", DECEMBER) == []
        assert PROVIDER.fetch(client, "198808112380", "sjukpenning", DECEMBER) == []


def test_schema_drift_over_http():
    rules = {"rules": [{"provider": "forsakringskassan", "set": "sjukpenning", "kind": "schema_drift"}]}
    with serve(create_sandbox_app(faults=rules)) as base_url:
        client = ProviderClient("forsakringskassan", base_url, "sandbox-token")
        with pytest.raises(ProviderError) as err:
            PROVIDER.fetch(client, "199107172380", "sjukpenning", DECEMBER)
        assert err.value.reason == "unexpected_format"
