"""Arbetslöshetskassorna adapter: membership and benefit."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers.akassa import PROVIDER
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
DECEMBER = Period(date(2026, 12, 1))


def fixture(slug: str, info_set: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["akassa"][info_set]


def test_membership_current_only():
    items = PROVIDER.normalise("medlemskap", fixture("single-adult", "medlemskap"), DECEMBER)
    assert [(i.kind, i.theme, i.period_start, i.period_end, dict(i.details)) for i in items] == [
        ("akassa.medlemskap.membership", "work", date(2016, 9, 1), None, {"fund": "Akademikernas a-kassa"})
    ]
    for secret in ("Handels", "AEA-5521877", "140.00", "BETALD"):
        assert secret not in repr(items)


def test_benefit_payments_tax_and_days():
    items = PROVIDER.normalise("ersattning", fixture("couple-partner", "ersattning"), DECEMBER)
    (summary,) = [i for i in items if i.kind == "akassa.ersattning.period"]
    assert summary.amount_ore == 100_000 and summary.gross is True
    assert summary.details == {
        "fund": "IF Metalls a-kassa",
        "type": "INKOMSTBASERAD",
        "days_used": 185,
        "days_total": 300,
    }
    payments = [i for i in items if i.kind == "akassa.ersattning.payment"]
    taxes = [i for i in items if i.kind == "akassa.ersattning.tax"]
    assert [(p.period_start, p.period_end, p.amount_ore) for p in payments] == [
        (date(2026, 9, 1), date(2026, 9, 30), 2_200_000),
        (date(2026, 10, 1), date(2026, 10, 31), 2_200_000),
        (date(2026, 11, 1), date(2026, 11, 22), 1_500_000),
    ]
    assert all(p.gross is True for p in payments) and [t.amount_ore for t in taxes] == [660_000, 660_000, 450_000]
    assert payments[2].details == {"days": 15, "paid_on": "2026-11-24"}
    assert all(i.theme == "income" for i in items)


def test_benefit_minimised():
    items = PROVIDER.normalise("ersattning", fixture("stockholm-kista", "ersattning"), Period(date(2026, 11, 1)))
    assert min(i.period_start for i in items if i.kind == "akassa.ersattning.payment") == date(2026, 8, 17)
    for secret in (
        "Maja Lindström",
        "NCC",
        "556034-5174",
        "Kassakort",
        "BYGGNADS-2026",
        "Handelsbanken",
        "197911109291",
    ):
        assert secret not in repr(items)
    older = PROVIDER.normalise("ersattning", fixture("couple-partner", "ersattning"), DECEMBER)
    assert not any(i.period_start < date(2026, 9, 1) for i in older if i.kind != "akassa.ersattning.period")


def test_not_a_member_is_nothing():
    raw = {"identitetsnummer": "199504242398", "medlemskap": []}
    assert PROVIDER.nothing("medlemskap", raw)
    assert PROVIDER.normalise("medlemskap", raw, DECEMBER) == []


@pytest.mark.parametrize("info_set", ["medlemskap", "ersattning"])
@pytest.mark.parametrize("raw", [None, [], "x", {}, {"medlemskap": None, "utbetalningar": None}])
def test_malformed_is_unexpected_format(info_set, raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize(
    "info_set,change",
    [
        (
            "medlemskap",
            lambda r: r["medlemskap"][0].__setitem__("medlemSedan", r["medlemskap"][0].pop("intradesdatum")),
        ),
        ("medlemskap", lambda r: r["medlemskap"][0].__setitem__("kassa", "Akademikernas a-kassa")),
        ("medlemskap", lambda r: r["medlemskap"][1].pop("uttradesdatum")),
        (
            "ersattning",
            lambda r: r["utbetalningar"][7].__setitem__("bruttobelopp", r["utbetalningar"][7].pop("brutto")),
        ),
        ("ersattning", lambda r: r["utbetalningar"][7].__setitem__("brutto", "22 000,00")),
        ("ersattning", lambda r: r["utbetalningar"][7].__setitem__("brutto", 22000)),
        ("ersattning", lambda r: r["utbetalningar"][7]["avser"].pop("tom")),
        ("ersattning", lambda r: r["ersattningsperiod"].__setitem__("dagarForbrukade", "185")),
        ("ersattning", lambda r: r["ersattningsperiod"].__setitem__("ersattningstyp", "ALFA")),
        ("ersattning", lambda r: r.pop("ersattningsperiod")),
        ("ersattning", lambda r: r["utbetalningar"][0].__setitem__("utbetalningsdatum", "20260408")),
    ],
    ids=[
        "renamed-date",
        "fund-as-text",
        "missing-end",
        "renamed-amount",
        "comma-amount",
        "int-amount",
        "missing-period-end",
        "days-as-text",
        "unknown-type",
        "missing-period",
        "old-bad-date",
    ],
)
def test_schema_drift_is_unexpected_format(info_set, change):
    slug = "single-adult" if info_set == "medlemskap" else "couple-partner"
    raw = copy.deepcopy(fixture(slug, info_set))
    change(raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


def test_request_and_flags():
    path, body = PROVIDER.request("199006022397", "medlemskap", DECEMBER)
    assert path == "/akassa/api/v1/medlemskap"
    assert body == {"identitetsnummer": "199006022397", "period": {"from": "2026-09-01", "tom": "2026-12-31"}}
    assert not any(s.extended or s.for_children for s in PROVIDER.sets)


def test_fetch_over_http():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient("akassa", base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "197911109291", "ersattning", DECEMBER)
        assert [i.amount_ore for i in items if i.kind == "akassa.ersattning.payment"] == [
            2_059_200,
            2_059_200,
            1_404_000,
        ]
        assert len(PROVIDER.fetch(client, "197911109291", "medlemskap", DECEMBER)) == 1
        assert PROVIDER.fetch(client, "199312162390", "medlemskap", DECEMBER) == []  # 200, not a member
        assert PROVIDER.fetch(client, "199312162390", "ersattning", DECEMBER) == []  # 404 INGET_ARENDE
