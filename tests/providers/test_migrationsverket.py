"""Migrationsverket adapter: permits and dagersättning."""

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
from portal.providers.migrationsverket import PROVIDER

PERSONS = Path(__file__).resolve().parents[2] / "devstack/testdata/persons"
DEC, NOV = Period(date(2026, 12, 1)), Period(date(2026, 11, 1))
NAME = "migrationsverket"
AMINA = "199212252382"


def raw(info_set: str) -> dict:
    with (PERSONS / "residence-permit.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][NAME][info_set]


def test_sets_and_requests():
    assert [(s.key, s.extended) for s in PROVIDER.sets] == [("tillstand", False), ("dagersattning", False)]
    path, body = PROVIDER.request(AMINA, "dagersattning", DEC)
    assert AMINA not in path and body == {"personnummer": AMINA, "manader": ["202609", "202610", "202611", "202612"]}
    assert PROVIDER.request(AMINA, "tillstand", Period(date(2027, 1, 1)))[1] == {"personnummer": AMINA}
    assert PROVIDER.request(AMINA, "dagersattning", Period(date(2027, 1, 1)))[1]["manader"][0] == "202610"


def test_permits():
    items = PROVIDER.normalise("tillstand", raw("tillstand"), DEC)
    assert [(i.kind.rsplit(".", 1)[1], i.period_start, i.period_end, dict(i.details)) for i in items] == [
        (
            "work_permit",
            date(2024, 12, 2),
            date(2026, 9, 27),
            {"permit": "UNDANTAG_AT", "duration": "TIDSBEGRANSAT", "grounds": "ASYLSOKANDE"},
        ),
        (
            "residence_permit",
            date(2026, 9, 28),
            date(2029, 9, 27),
            {"permit": "UT", "duration": "TIDSBEGRANSAT", "grounds": "SKYDD"},
        ),
        (
            "work_permit",
            date(2026, 9, 28),
            date(2029, 9, 27),
            {"permit": "AT", "duration": "TIDSBEGRANSAT", "grounds": "SKYDD"},
        ),
    ]
    assert all(i.theme == "other" and i.amount_ore is None for i in items)
    text = repr(items)
    for forbidden in ("24-512340", "Jonas Wik", "Sara Lind", "UT-4471093", "Advokatfirman", "SOM'"):
        assert forbidden not in text
    # January: the asylum-time exemption ended before the period.
    assert len(PROVIDER.normalise("tillstand", raw("tillstand"), Period(date(2027, 1, 1)))) == 2


def test_dagersattning_per_month_in_ore():
    items = PROVIDER.normalise("dagersattning", raw("dagersattning"), NOV)
    assert [(i.period_start, i.period_end, i.amount_ore, i.details["benefit"]) for i in items] == [
        (date(2026, 8, 1), date(2026, 8, 31), 31 * 71_00, "DAGERSATTNING"),
        (date(2026, 9, 1), date(2026, 9, 30), 30 * 71_00, "DAGERSATTNING"),
        (date(2026, 10, 1), date(2026, 10, 31), 1200_00, "SARSKILT_BIDRAG"),
        (date(2026, 10, 1), date(2026, 10, 31), 31 * 71_00, "DAGERSATTNING"),
        (date(2026, 11, 1), date(2026, 11, 30), 30 * 71_00, "DAGERSATTNING"),
    ]
    assert all(i.gross is False and i.theme == "income" for i in items)
    assert items[-1].details == {"benefit": "DAGERSATTNING", "days": 30, "paid": "2026-11-23"}
    text = repr(items)
    assert "202607" not in text and "2026, 7" not in text  # July: before the period
    assert "LMA-8812004" not in text and "Hassan" not in text and "kusin" not in text and "Vinterkläder" not in text


def test_empty_answers():
    assert PROVIDER.normalise("tillstand", {"personnummer": AMINA, "tillstand": []}, DEC) == []
    assert PROVIDER.normalise("dagersattning", {"personnummer": AMINA, "utbetalningar": []}, DEC) == []


def _drifts():
    cases = [(s, p) for s in ("tillstand", "dagersattning") for p in ([], "text", {})]
    for info_set, change in (
        ("tillstand", lambda p: p["tillstand"][1].__setitem__("giltigTill", p["tillstand"][1].pop("giltigTom"))),
        ("tillstand", lambda p: p["tillstand"][1].__setitem__("tillstandstyp", "VISUM")),
        ("tillstand", lambda p: p["tillstand"][1].__setitem__("giltigFrom", "20260928")),
        ("tillstand", lambda p: p.__setitem__("beslut", p.pop("tillstand"))),
        (
            "dagersattning",
            lambda p: p["utbetalningar"][0].__setitem__("belopp", p["utbetalningar"][0].pop("beloppOre")),
        ),
        ("dagersattning", lambda p: p["utbetalningar"][0].__setitem__("beloppOre", "2 201,00")),
        ("dagersattning", lambda p: p["utbetalningar"][0].__setitem__("manad", "2026-01")),
        ("dagersattning", lambda p: p["utbetalningar"][0].__setitem__("skattepliktig", "nej")),
        ("dagersattning", lambda p: p["utbetalningar"][0].pop("dagar")),
    ):
        payload = copy.deepcopy(raw(info_set))
        change(payload)
        cases.append((info_set, payload))
    return cases


@pytest.mark.parametrize(("info_set", "payload"), _drifts())
def test_drifted_or_malformed_payloads_are_errors(info_set, payload):
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise(info_set, payload, DEC)
    assert error.value.reason == "unexpected_format" and error.value.provider == NAME


def test_fetch_over_http_from_the_sandbox():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient(NAME, base_url, "sandbox-token")
        assert len(PROVIDER.fetch(client, AMINA, "dagersattning", DEC)) == 4
        assert [i.kind for i in PROVIDER.fetch(client, AMINA, "tillstand", DEC)][
            1
        ] == "migrationsverket.tillstand.residence_permit"
        assert PROVIDER.fetch(client, "199312162390", "tillstand", DEC) == []  # no dossier: 404
