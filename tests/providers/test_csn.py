"""CSN adapter: studiemedel and studiestartsstöd."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.csn import PROVIDER
from portal.providers.items import Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
DECEMBER = Period(date(2026, 12, 1))


def fixture(slug: str, info_set: str = "studiemedel") -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["csn"][info_set]


STUDIESTARTSSTOD = {
    "Personnummer": "199006022397",
    "Kundnummer": "CSN-SECRET-1",
    "Utbetalningar": [
        {
            "Utbetalningsdatum": "20260225",
            "AvserFran": "20260201",
            "AvserTill": "20260228",
            "Studietakt": 100,
            "Bruttobelopp": 11000,
            "Skatteavdrag": 3300,
            "Nettobelopp": 7700,
            "Kontonummer": "SEB 5000, 99",
        },
        {
            "Utbetalningsdatum": "20261023",
            "AvserFran": "20261001",
            "AvserTill": "20261031",
            "Studietakt": 50,
            "Bruttobelopp": 5500,
            "Skatteavdrag": 1650,
            "Nettobelopp": 3850,
            "Kontonummer": "SEB 5000, 99",
        },
    ],
}


def test_studiemedel_current_term():
    items = PROVIDER.normalise("studiemedel", fixture("couple-student-child"), DECEMBER)
    (term,) = [i for i in items if i.kind == "csn.studiemedel.period"]
    assert (term.period_start, term.period_end) == (date(2026, 8, 24), date(2027, 1, 17))
    assert term.details == {"term": "HT2026", "study_pace": 100, "weeks": 21} and term.amount_ore is None
    grants = [i for i in items if i.kind == "csn.studiemedel.bidrag"]
    loans = [i for i in items if i.kind == "csn.studiemedel.lan"]
    assert [g.period_start for g in grants] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert grants[0].amount_ore == round(1014 * 4.3) * 100 and grants[0].gross is False
    assert loans[0].amount_ore == round(2410 * 4.3) * 100
    assert grants[0].details == {"term": "HT2026", "paid_on": "2026-09-25"}
    assert all(i.theme == "income" for i in items)


def test_studiemedel_minimised():
    items = PROVIDER.normalise("studiemedel", fixture("couple-student-child"), DECEMBER)
    assert not any(i.details.get("term") in ("VT2026", "VT2027") for i in items)  # outside the period
    for secret in (
        "CSN-7730418",
        "Lena Holmqvist",
        "Göteborgs universitet",
        "Sjuksköterske",
        "B-2026",
        "Nordea",
        "214830",
        "200304302383",
    ):
        assert secret not in repr(items)


def test_grant_only_student_has_no_loan_items():
    items = PROVIDER.normalise("studiemedel", fixture("pending-bostadsbidrag-sambo"), DECEMBER)
    assert {i.kind for i in items} == {"csn.studiemedel.period", "csn.studiemedel.bidrag"}


def test_studiestartsstod_is_taxable():
    items = PROVIDER.normalise("studiestartsstod", copy.deepcopy(STUDIESTARTSSTOD), DECEMBER)
    assert [(i.kind, i.amount_ore, i.gross) for i in items] == [
        ("csn.studiestartsstod.payment", 550_000, True),
        ("csn.studiestartsstod.tax", 165_000, None),
    ]
    assert items[0].details == {"study_pace": 50, "paid_on": "2026-10-23"}
    assert "CSN-SECRET-1" not in repr(items) and "SEB" not in repr(items)


@pytest.mark.parametrize(
    "info_set,raw",
    [
        ("studiemedel", {"Personnummer": "x", "Studieperioder": []}),
        ("studiestartsstod", {"Personnummer": "x", "Utbetalningar": []}),
    ],
)
def test_empty_lists_give_no_items(info_set, raw):
    assert PROVIDER.normalise(info_set, raw, DECEMBER) == []


@pytest.mark.parametrize("info_set", ["studiemedel", "studiestartsstod"])
@pytest.mark.parametrize(
    "raw",
    [None, [], "x", {}, {"Studieperioder": None, "Utbetalningar": None}, {"Studieperioder": [1], "Utbetalningar": [1]}],
)
def test_malformed_is_unexpected_format(info_set, raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise(info_set, raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.__setitem__("Studiemedelsperioder", r.pop("Studieperioder")),
        lambda r: r["Studieperioder"][1].pop("Termin"),
        lambda r: r["Studieperioder"][1].__setitem__("Termin", "Hösten 2026"),
        lambda r: r["Studieperioder"][1].__setitem__("PeriodFran", "2026-08-24"),
        lambda r: r["Studieperioder"][1]["Utbetalningar"][1].__setitem__("Bidrag", "4360"),
        lambda r: r["Studieperioder"][1]["Utbetalningar"][1].__setitem__("Lan", 10363.5),
        lambda r: r["Studieperioder"][1]["Utbetalningar"][1].pop("Lan"),
        lambda r: r["Studieperioder"][0]["Utbetalningar"][0].__setitem__("AvserTill", "20260231"),
    ],
    ids=[
        "renamed-list",
        "missing-term",
        "bad-term",
        "iso-date",
        "amount-as-text",
        "float",
        "missing-loan",
        "old-bad-date",
    ],
)
def test_schema_drift_is_unexpected_format(change):
    raw = copy.deepcopy(fixture("couple-student-child"))
    change(raw)
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("studiemedel", raw, DECEMBER)
    assert err.value.reason == "unexpected_format"


def test_studiestartsstod_drift():
    raw = copy.deepcopy(STUDIESTARTSSTOD)
    raw["Utbetalningar"][1]["Belopp"] = raw["Utbetalningar"][1].pop("Bruttobelopp")
    with pytest.raises(ProviderError):
        PROVIDER.normalise("studiestartsstod", raw, DECEMBER)


def test_request_and_flags():
    path, body = PROVIDER.request("200304302383", "studiemedel", DECEMBER)
    assert path == "/csn/api/v1/studiemedel"
    assert body == {"Personnummer": "200304302383", "Tidsperiod": {"Fran": "20260901", "Till": "20261231"}}
    assert all(s.for_children and not s.extended for s in PROVIDER.sets)


def test_fetch_over_http():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient("csn", base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "200304302383", "studiemedel", DECEMBER)
        assert len([i for i in items if i.kind == "csn.studiemedel.bidrag"]) == 3
        assert PROVIDER.fetch(client, "200304302383", "studiestartsstod", DECEMBER) == []  # 404 KUND_SAKNAS
        assert PROVIDER.fetch(client, "199312162390", "studiemedel", DECEMBER) == []
