"""Kronofogden adapter: debts in enforcement, utmätning and skuldsanering (issue 22, point 1)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.information.totals import month_totals
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import FACT, Period
from portal.providers.kronofogden import PROVIDER

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
NOVEMBER = Period(date(2026, 11, 1))


def fixture(slug: str, info_set: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["kronofogden"][info_set]


def test_debts_in_the_period_only_with_what_is_left():
    items = PROVIDER.normalise("skulder", fixture("stockholm-kista", "skulder"), NOVEMBER)
    assert [(i.kind, i.theme, i.period_start, i.period_end, i.amount_ore, dict(i.details)) for i in items] == [
        (
            "kronofogden.skulder.debt",
            "other",
            date(2026, 4, 14),
            None,
            2_754_000,
            {"creditor": "Skatteverket", "creditor_type": "ALLMAN"},
        ),
        (
            "kronofogden.skulder.debt",
            "other",
            date(2026, 7, 2),
            None,
            1_432_000,
            {"creditor": "Telia Sverige AB", "creditor_type": "ENSKILD"},
        ),
    ]
    # paid off within the period: still shown, with its end; written off years ago: not
    paid = PROVIDER.normalise("skulder", fixture("vehicle-owner", "skulder"), NOVEMBER)
    assert [(i.details["creditor"], i.period_end, i.amount_ore) for i in paid] == [
        ("Försäkringskassan", None, 812_000),
        ("Umeå Energi AB", date(2026, 9, 15), 0),
    ]
    assert [i.details["creditor"] for i in PROVIDER.normalise("skulder", fixture("f-skatt", "skulder"), NOVEMBER)] == [
        "Skatteverket"
    ]


def test_garnishment_current_only():
    items = PROVIDER.normalise("utmatning", fixture("vehicle-owner", "utmatning"), NOVEMBER)
    assert [(i.kind, i.theme, i.period_start, i.period_end, i.amount_ore, dict(i.details)) for i in items] == [
        (
            "kronofogden.utmatning.garnishment",
            "income",
            date(2026, 1, 1),
            None,
            275_000,
            {"payer": "Umeå Transport & Logistik AB", "income_type": "LON", "decided_on": "2025-12-04"},
        )
    ]
    (pension,) = PROVIDER.normalise("utmatning", fixture("pensioner", "utmatning"), NOVEMBER)
    assert (pension.details["income_type"], pension.period_end, pension.amount_ore) == (
        "PENSION",
        date(2027, 2, 28),
        60_000,
    )


def test_skuldsanering_decided_and_applied_for():
    (decided,) = PROVIDER.normalise("skuldsanering", fixture("couple-with-children", "skuldsanering"), NOVEMBER)
    assert (decided.kind, decided.period_start, decided.period_end, decided.amount_ore, dict(decided.details)) == (
        "kronofogden.skuldsanering.case",
        date(2026, 8, 1),
        date(2031, 7, 31),
        185_000,
        {"status": "BESLUTAD", "decided_on": "2026-06-22"},
    )
    (pending,) = PROVIDER.normalise("skuldsanering", fixture("f-skatt", "skuldsanering"), NOVEMBER)
    assert (pending.period_start, pending.period_end, pending.amount_ore, dict(pending.details)) == (
        date(2026, 10, 27),
        None,
        None,
        {"status": "ANSOKAN", "decided_on": None},
    )


@pytest.mark.parametrize(
    ("slug", "info_set"),
    [
        ("stockholm-kista", "skulder"),
        ("stockholm-kista", "utmatning"),
        ("couple-with-children", "skuldsanering"),
        ("f-skatt", "skuldsanering"),
        ("vehicle-owner", "utmatning"),
        ("pensioner", "utmatning"),
    ],
)
def test_nothing_raw_only_is_kept_and_nothing_is_added_to_totals(slug, info_set):
    raw = fixture(slug, info_set)
    items = PROVIDER.normalise(info_set, raw, NOVEMBER)
    assert items
    text = repr(items)
    for secret in (
        "A-448120-26",
        "E-112097-26",
        "Britt Sandberg",
        "Restskatt",
        "202100-5448",
        "802005-4433",
        "16350",
        "SKS-2026",
        "Sven Åkesson",
        "Lena Berg",
        "Nils Ek",
        "Karin Holm",
        "7420",
        "556712-3345",
        "10350",
        raw["galdenarId"],
    ):
        assert secret not in text
    # a debt, a garnishment or a payment plan is neither income nor an asset
    assert all(i.figure == FACT for i in items)
    for month in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
        assert month_totals(items, month) == month_totals([], month)


def test_not_registered_is_nothing():
    raw = {"galdenarId": "199312162390", "registrerad": False}
    assert all(PROVIDER.nothing(s.key, raw) for s in PROVIDER.sets)
    assert not PROVIDER.nothing("skulder", fixture("stockholm-kista", "skulder"))


@pytest.mark.parametrize("info_set", ["skulder", "utmatning", "skuldsanering"])
@pytest.mark.parametrize("raw", [None, [], "x", {}, {"mal": None, "utmatningsbeslut": None, "arende": None}])
def test_malformed_is_unexpected_format(info_set, raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def _rename(node, old, new):
    node[new] = node.pop(old)


@pytest.mark.parametrize(
    ("slug", "info_set", "change"),
    [
        ("stockholm-kista", "skulder", lambda r: _rename(r["mal"][0], "kvarAttBetalaKr", "aterstaendeBelopp")),
        ("stockholm-kista", "skulder", lambda r: r["mal"][0].__setitem__("kvarAttBetalaKr", "27540")),
        ("stockholm-kista", "skulder", lambda r: r["mal"][0].__setitem__("kvarAttBetalaKr", -1)),
        ("stockholm-kista", "skulder", lambda r: r["mal"][1]["borgenar"].__setitem__("typ", "FORETAG")),
        ("stockholm-kista", "skulder", lambda r: r["mal"][0].__setitem__("avslutatDatum", "2026-10-01")),
        ("stockholm-kista", "skulder", lambda r: r["mal"][2].__setitem__("registreratDatum", "20230220")),
        ("vehicle-owner", "utmatning", lambda r: r["utmatningsbeslut"][0].__setitem__("inkomsttyp", "BIDRAG")),
        ("vehicle-owner", "utmatning", lambda r: r["utmatningsbeslut"][0].__setitem__("betalare", "Umeå AB")),
        ("vehicle-owner", "utmatning", lambda r: r["utmatningsbeslut"][1].pop("giltigTill")),
        ("couple-with-children", "skuldsanering", lambda r: _rename(r["arende"], "status", "arendestatus")),
        ("couple-with-children", "skuldsanering", lambda r: r["arende"].__setitem__("betalningsplan", None)),
        ("f-skatt", "skuldsanering", lambda r: r["arende"].__setitem__("beslutsdatum", "2026-11-02")),
    ],
    ids=[
        "renamed-amount",
        "amount-as-text",
        "negative-amount",
        "unknown-creditor-type",
        "active-with-end",
        "old-bad-date",
        "unknown-income-type",
        "payer-as-text",
        "missing-end",
        "renamed-status",
        "decided-without-plan",
        "applied-with-decision",
    ],
)
def test_schema_drift_is_unexpected_format(slug, info_set, change):
    raw = copy.deepcopy(fixture(slug, info_set))
    change(raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def test_request_and_flags():
    path, body = PROVIDER.request("197911109291", "utmatning", NOVEMBER)
    assert path == "/kronofogden/galdenar/v1/utmatning"
    assert body == {"galdenarId": "197911109291", "urval": {"franDatum": "20260801", "tillDatum": "20261130"}}
    assert not any(s.extended or s.for_children for s in PROVIDER.sets)
    assert set(PROVIDER.labels) == set(PROVIDER.figures)


def test_fetch_over_http_with_faults():
    rules = {
        "rules": [
            {"provider": "kronofogden", "set": "skulder", "person": "f-skatt", "kind": "schema_drift"},
            {"provider": "kronofogden", "set": "utmatning", "person": "pensioner", "kind": "status", "status": 503},
        ]
    }
    with serve(create_sandbox_app(faults=rules)) as base_url:
        client = ProviderClient("kronofogden", base_url, "sandbox-token")
        assert [i.amount_ore for i in PROVIDER.fetch(client, "197911109291", "skulder", NOVEMBER)] == [
            2_754_000,
            1_432_000,
        ]
        assert len(PROVIDER.fetch(client, "197911109291", "utmatning", NOVEMBER)) == 1
        assert PROVIDER.fetch(client, "197911109291", "skuldsanering", NOVEMBER) == []  # in the cast, no case
        assert PROVIDER.fetch(client, "199312162390", "skulder", NOVEMBER) == []  # registrerad: false
        assert PROVIDER.fetch(client, "199312172381", "skulder", NOVEMBER) == []  # not in the cast: 404
        for pnr, info_set, reason in (
            ("197907179191", "skulder", "unexpected_format"),
            ("194408139089", "utmatning", "unavailable"),
        ):
            with pytest.raises(ProviderError) as err:
                PROVIDER.fetch(client, pnr, info_set, NOVEMBER)
            assert err.value.reason == reason
