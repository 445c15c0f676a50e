"""Pending and coming at Försäkringskassan, CSN, Pensionsmyndigheten and the a-kassor (issue 22,
point 5): applications being decided (a refusal with its reason) and payments decided for the
coming months, each agency in its own raw format."""

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
from portal.providers.registry import provider

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
NOVEMBER = Period(date(2026, 11, 1))
CAST = [
    ("stockholm-sodermalm", "forsakringskassan_arenden"),
    ("couple-with-children", "forsakringskassan_arenden"),
    ("couple-student-child", "csn_arenden"),
    ("pending-bostadsbidrag-sambo", "csn_arenden"),
    ("pensioner", "pensionsmyndigheten_arenden"),
    ("single-adult", "akassa_arenden"),
    ("couple-partner", "akassa_arenden"),
]
RAW_ONLY = (
    "FK-20",
    "CSN-26",
    "PM-BTP",
    "AEA-2026",
    "IFM-2026",
    "Petra Lund",
    "Jonas Ek",
    "Mona Ali",
    "Åsa Berg",
    "Kim Sjö",
    "Olle Frid",
    "överstiger",
    "12 av 30",
    "För få timmar",
    "8327-9",
    "6000-123",
)


def fixture(slug: str, name: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][name]["arenden"]


def shown(slug, name):
    return [
        (i.kind.rsplit(".", 1)[1], i.period_start, i.period_end, i.amount_ore, dict(i.details))
        for i in provider(name).normalise("arenden", fixture(slug, name), NOVEMBER)
    ]


def test_pending_applications_and_the_coming_months_payments(as_authored):
    assert shown("stockholm-sodermalm", "forsakringskassan_arenden") == [
        (
            "application",
            date(2026, 10, 5),
            None,
            None,
            {"benefit": "SJUKERSATTNING", "status": "PENDING", "reason": None, "decided_on": None},
        ),
        # November's was paid yesterday and March's is more than three months ahead: not coming
        (
            "upcoming",
            date(2026, 12, 1),
            date(2026, 12, 31),
            1_009_800,
            {"benefit": "SJUKPENNING", "paid_on": "2026-12-23", "before_tax": True},
        ),
        (
            "upcoming",
            date(2027, 1, 1),
            date(2027, 1, 31),
            1_043_460,
            {"benefit": "SJUKPENNING", "paid_on": "2027-01-25", "before_tax": True},
        ),
    ]
    assert shown("pensioner", "pensionsmyndigheten_arenden")[3:] == [
        (
            "upcoming",
            date(2026, 12, 1),
            date(2026, 12, 31),
            310_000,
            {"benefit": "BOSTADSTILLAGG", "paid_on": "2026-12-18", "before_tax": False},
        )
    ]
    assert [s[3] for s in shown("couple-student-child", "csn_arenden")] == [None, 374_800, 1_136_000]
    assert shown("single-adult", "akassa_arenden") == [
        (
            "application",
            date(2026, 11, 10),
            None,
            None,
            {"benefit": "ARBETSLOSHETSERSATTNING", "status": "PENDING", "reason": None, "decided_on": None},
        )
    ]


def test_refusals_with_their_reason_in_the_period_only(as_authored):
    assert shown("couple-with-children", "forsakringskassan_arenden") == [
        (
            "application",
            date(2026, 8, 12),
            date(2026, 9, 18),
            None,
            {"benefit": "BOSTADSBIDRAG", "status": "REFUSED", "reason": "INCOME_TOO_HIGH", "decided_on": "2026-09-18"},
        )
    ]
    assert shown("pending-bostadsbidrag-sambo", "csn_arenden")[0][4]["reason"] == "STUDY_RESULTS"
    # refused in February, before the period: only December's decided benefit is left
    assert [s[0] for s in shown("couple-partner", "akassa_arenden")] == ["upcoming"]
    assert [s[0] for s in shown("stockholm-sodermalm", "forsakringskassan_arenden")].count("application") == 1


@pytest.mark.parametrize(("slug", "name"), CAST)
def test_raw_only_fields_are_dropped_and_nothing_is_added(as_authored, slug, name):
    raw = fixture(slug, name)
    items = provider(name).normalise("arenden", raw, NOVEMBER)
    assert items
    text = repr(items)
    assert not [secret for secret in RAW_ONLY if secret in text]
    assert all(i.figure == FACT for i in items)
    for month in (date(2026, 11, 1), date(2026, 12, 1)):
        assert month_totals(items, month) == month_totals([], month)
    assert set(provider(name).labels) == set(provider(name).figures)


DRIFT = {
    "forsakringskassan_arenden": (
        "stockholm-sodermalm",
        [
            lambda r: r["arenden"][0].__setitem__("arendestatus", r["arenden"][0].pop("status")),
            lambda r: r["beslutadeUtbetalningar"][1].__setitem__("belopp", "10098.00"),
            lambda r: r["beslutadeUtbetalningar"][1].__setitem__("avserManad", "202612"),
            lambda r: r["arenden"][1].__setitem__("avslag", None),
        ],
    ),
    "csn_arenden": (
        "couple-student-child",
        [
            lambda r: r["KommandeUtbetalningar"][0].__setitem__("Belopp", "3748"),
            lambda r: r["Ansokningar"][0].__setitem__("Inkommen", "2026-11-02"),
            lambda r: r["Ansokningar"][0].__setitem__("Stodform", "LAN"),
        ],
    ),
    "pensionsmyndigheten_arenden": (
        "pensioner",
        [
            lambda r: r["kommandeUtbetalningar"][0].__setitem__("bruttoOre", "1412300"),
            lambda r: r["ansokningar"][0].__setitem__("beslutDatum", "2026-11-20"),
            lambda r: r["kommandeUtbetalningar"][0].pop("skattepliktig"),
        ],
    ),
    "akassa_arenden": (
        "couple-partner",
        [
            lambda r: r["planeradeUtbetalningar"][0].__setitem__("brutto", "22 000,00"),
            lambda r: r["ansokningar"][0]["avslag"].__setitem__("skalkod", "ANNAT"),
            lambda r: r.pop("ansokningar"),
        ],
    ),
}


@pytest.mark.parametrize(("name", "index"), [(n, i) for n, (_s, changes) in DRIFT.items() for i in range(len(changes))])
def test_schema_drift_is_unexpected_format(name, index):
    slug, changes = DRIFT[name]
    raw = copy.deepcopy(fixture(slug, name))
    changes[index](raw)
    with pytest.raises(ProviderError) as err:
        provider(name).normalise("arenden", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize("name", list(DRIFT))
@pytest.mark.parametrize("raw", [None, [], "x", {}])
def test_malformed_is_unexpected_format(name, raw):
    with pytest.raises(ProviderError) as err:
        provider(name).normalise("arenden", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def test_each_is_a_consent_unit_of_its_own():
    from portal.consent.services import unit

    for name in DRIFT:
        assert [s.key for s in unit(f"{name}.basic").sets] == ["arenden"]
    assert "arenden" not in [s.key for s in unit("forsakringskassan.basic").sets]


def test_fetch_over_http_each_agency_in_its_own_format(as_authored):
    rules = {
        "rules": [
            {"provider": "csn_arenden", "person": "couple-student-child", "kind": "schema_drift"},
            {"provider": "akassa_arenden", "person": "couple-partner", "kind": "status", "status": 500},
        ]
    }
    with serve(create_sandbox_app(faults=rules)) as base_url:

        def fetch(name, pnr):
            return provider(name).fetch(ProviderClient(name, base_url, "sandbox-token"), pnr, "arenden", NOVEMBER)

        assert len(fetch("forsakringskassan_arenden", "199107172380")) == 3
        assert len(fetch("pensionsmyndigheten_arenden", "194408139089")) == 4
        assert len(fetch("akassa_arenden", "199006022397")) == 1
        assert fetch("forsakringskassan_arenden", "199312162390") == []  # in the cast, nothing pending
        assert fetch("csn_arenden", "199312172381") == []  # not in the cast: 404
        for name, pnr, reason in (
            ("csn_arenden", "200304302383", "unexpected_format"),
            ("akassa_arenden", "196201082697", "error"),
        ):
            with pytest.raises(ProviderError) as err:
                fetch(name, pnr)
            assert err.value.reason == reason
