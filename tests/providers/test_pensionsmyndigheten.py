"""Pensionsmyndigheten adapter."""

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
from portal.providers.pensionsmyndigheten import PROVIDER

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
DECEMBER = Period(date(2026, 12, 1))
NOVEMBER = Period(date(2026, 11, 1))


def fixture(info_set: str) -> dict:
    with (PERSONS / "pensioner.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["pensionsmyndigheten"][info_set]


def rename(entry: dict, old: str, new: str) -> None:
    entry[new] = entry.pop(old)


def test_alderspension_parts_and_tax():
    items = PROVIDER.normalise("alderspension", fixture("alderspension"), DECEMBER)
    october = [i for i in items if i.period_start == date(2026, 10, 1)]
    assert [(i.kind, i.details.get("part"), i.amount_ore, i.gross) for i in october] == [
        ("pensionsmyndigheten.alderspension.payment", "IP", 641_200, True),
        ("pensionsmyndigheten.alderspension.payment", "TP", 215_000, True),
        ("pensionsmyndigheten.alderspension.payment", "GP", 318_000, True),
        ("pensionsmyndigheten.alderspension.tax", None, 171_500, None),
    ]
    assert october[0].period_end == date(2026, 10, 31) and october[0].details["paid_on"] == "2026-10-19"
    assert {i.period_start.month for i in items} == {9, 10, 11, 12}
    assert all(i.theme == "income" for i in items)


def test_premiepension_and_bostadstillagg():
    premie = PROVIDER.normalise("premiepension", fixture("premiepension"), NOVEMBER)
    assert [i.amount_ore for i in premie if i.kind.endswith(".payment")] == [31_200] * 4
    assert "AP7" not in repr(premie) and "41220900" not in repr(premie)
    btp = PROVIDER.normalise("bostadstillagg", fixture("bostadstillagg"), NOVEMBER)
    assert [(i.period_start.month, i.amount_ore, i.gross) for i in btp] == [
        (8, 489_000, False),
        (9, 489_000, False),
        (10, 512_300, False),
        (11, 512_300, False),
    ]
    for secret in ("748000", "HYRESRATT", "Örebrobostäder"):
        assert secret not in repr(btp)


def test_efterlevandepension_ended():
    items = PROVIDER.normalise("efterlevandepension", fixture("efterlevandepension"), DECEMBER)
    (decision,) = [i for i in items if i.kind == "pensionsmyndigheten.efterlevandepension.decision"]
    assert (decision.period_start, decision.period_end) == (date(2019, 9, 1), date(2026, 9, 30))
    assert decision.details == {"type": "ANKEPENSION", "status": "UPPHORD"}
    payments = [i for i in items if i.kind == "pensionsmyndigheten.efterlevandepension.payment"]
    assert [(p.period_start, p.amount_ore, p.gross) for p in payments] == [(date(2026, 9, 1), 185_000, True)]
    for secret in ("194004057032", "Bengt", "Samordnad", "PM-K-", "PMH4471", "Swedbank", "194408139089"):
        assert secret not in repr(items)
    assert PROVIDER.normalise("efterlevandepension", fixture("efterlevandepension"), Period(date(2027, 2, 1))) == []


def test_barnpension_tax_free_efterlevandestod():
    raw = {
        "manadsutbetalningar": [
            {
                "manad": "202611",
                "utbetalningsdag": "2026-11-19",
                "formanstyp": "EFTERLEVANDESTOD",
                "bruttoOre": 190_000,
                "skattOre": 0,
                "skattepliktig": False,
            }
        ],
        "formaner": [
            {
                "formanstyp": "EFTERLEVANDESTOD",
                "giltigFrom": "2024-03-01",
                "giltigTom": None,
                "status": "LOPANDE",
                "avlidenPersonnummer": "194004057032",
            }
        ],
    }
    items = PROVIDER.normalise("efterlevandepension", raw, DECEMBER)
    assert [(i.kind, i.gross) for i in items] == [
        ("pensionsmyndigheten.efterlevandepension.payment", False),
        ("pensionsmyndigheten.efterlevandepension.decision", None),
    ]


@pytest.mark.parametrize("info_set", [s.key for s in PROVIDER.sets])
def test_empty_answer_is_nothing(info_set):
    raw = {"personnummer": "199312162390", "manadsutbetalningar": [], "formaner": []}
    assert PROVIDER.nothing(info_set, raw)
    assert PROVIDER.normalise(info_set, raw, DECEMBER) == []


@pytest.mark.parametrize("info_set", [s.key for s in PROVIDER.sets])
@pytest.mark.parametrize("raw", [None, [], "x", {}, {"manadsutbetalningar": {}}, {"manadsutbetalningar": ["x"]}])
def test_malformed_is_unexpected_format(info_set, raw):
    assert not PROVIDER.nothing(info_set, raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize(
    "info_set,change",
    [
        ("alderspension", lambda r: rename(r["manadsutbetalningar"][10], "manad", "period")),
        ("alderspension", lambda r: r["manadsutbetalningar"][10]["delar"][0].__setitem__("delkod", "XP")),
        ("alderspension", lambda r: r["manadsutbetalningar"][10]["delar"][0].__setitem__("bruttoOre", "641200")),
        ("alderspension", lambda r: r["manadsutbetalningar"][10].pop("skattOre")),
        ("premiepension", lambda r: r["manadsutbetalningar"][10].__setitem__("bruttoOre", 312.0)),
        ("premiepension", lambda r: r["manadsutbetalningar"][10].__setitem__("manad", "2026-11")),
        ("bostadstillagg", lambda r: rename(r["manadsutbetalningar"][10], "beloppOre", "bruttoOre")),
        ("bostadstillagg", lambda r: r["manadsutbetalningar"][0].__setitem__("utbetalningsdag", "19/1")),
        ("efterlevandepension", lambda r: r.pop("formaner")),
        ("efterlevandepension", lambda r: r["formaner"][0].__setitem__("status", "AVSLUTAD")),
        ("efterlevandepension", lambda r: r["manadsutbetalningar"][0].pop("skattepliktig")),
    ],
    ids=[
        "renamed-month",
        "unknown-part",
        "amount-as-text",
        "missing-tax",
        "float",
        "month-format",
        "renamed-amount",
        "bad-date",
        "missing-benefits",
        "unknown-status",
        "missing-flag",
    ],
)
def test_schema_drift_is_unexpected_format(info_set, change):
    raw = copy.deepcopy(fixture(info_set))
    change(raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


def test_request_and_flags():
    path, body = PROVIDER.request("194408139089", "bostadstillagg", DECEMBER)
    assert path == "/pensionsmyndigheten/api/v1/bostadstillagg"
    assert body == {"personnummer": "194408139089", "franManad": "202609", "tillManad": "202612"}
    flags = {s.key: s.for_children for s in PROVIDER.sets}
    assert flags == {
        "alderspension": False,
        "premiepension": False,
        "bostadstillagg": False,
        "efterlevandepension": True,
    }


def test_fetch_over_http():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient("pensionsmyndigheten", base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "194408139089", "bostadstillagg", DECEMBER)
        assert [i.amount_ore for i in items] == [489_000, 512_300, 512_300, 512_300]
        assert PROVIDER.fetch(client, "199312162390", "efterlevandepension", DECEMBER) == []
        assert PROVIDER.fetch(client, "198808112380", "alderspension", DECEMBER) == []
