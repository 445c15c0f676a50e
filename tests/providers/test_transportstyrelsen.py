"""Transportstyrelsen adapter: vehicles owned."""

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
from portal.providers.transportstyrelsen import PROVIDER

PERSONS = Path(__file__).resolve().parents[2] / "devstack/testdata/persons"
DEC = Period(date(2026, 12, 1))
NAME = "transportstyrelsen"


def raw(slug: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][NAME]["fordon"]


def test_set_and_request():
    assert [(s.key, s.extended, s.for_children) for s in PROVIDER.sets] == [("fordon", False, False)]
    path, body = PROVIDER.request("196404153832", "fordon", DEC)
    assert "1964" not in path and body["personOrgNummer"] == "196404153832"
    assert (body["franDatum"], body["tillDatum"]) == ("2026-09-01", "2026-12-31")


def test_owned_vehicles_only():
    items = PROVIDER.normalise("fordon", raw("vehicle-owner"), DEC)
    assert [(i.period_start, i.period_end, i.theme, dict(i.details)) for i in items] == [
        (
            date(2019, 3, 15),
            None,
            "assets",
            {
                "registration": "KLM482",
                "make_model": "VOLVO V70",
                "model_year": 2012,
                "vehicle_type": "PB",
                "status": "ITRAFIK",
            },
        ),
        (
            date(2016, 6, 1),
            None,
            "assets",
            {
                "registration": "BRT15X",
                "make_model": "BRENDERUP 1205S",
                "model_year": 2005,
                "vehicle_type": "SLÄP",
                "status": "ITRAFIK",
            },
        ),
    ]
    assert all(i.amount_ore is None and i.gross is None for i in items)
    text = repr(items)
    assert "HJU773" not in text  # sold in 2025
    assert "GXP20A" not in text and "Bilpool" not in text  # leased: user, not owner
    assert "YV1BW" not in text and "Berglund" not in text and "196404153832" not in text


def test_sold_vehicle_in_the_period_is_kept():
    payload = raw("vehicle-owner")
    payload["Fordon"][2]["Agarforhallande"]["Tom"] = "2026-10-05"
    items = PROVIDER.normalise("fordon", payload, DEC)
    assert items[-1].details["registration"] == "HJU773" and items[-1].period_end == date(2026, 10, 5)


def test_no_vehicles():
    assert PROVIDER.normalise("fordon", {"Sokbegrepp": {}, "AntalTraffar": 0, "Fordon": []}, DEC) == []


def _drifts():
    cases = [[], "text", {}, {"Fordon": {}}]
    for change in (
        lambda p: p["Fordon"][0].pop("Registreringsnummer"),
        lambda p: p["Fordon"][0].__setitem__("Agare", p["Fordon"][0].pop("Agarforhallande")),
        lambda p: p["Fordon"][0]["Agarforhallande"].__setitem__("From", "15/03/2019"),
        lambda p: p["Fordon"][0]["Agarforhallande"].__setitem__("Roll", "ÄGARE"),
        lambda p: p["Fordon"][0].__setitem__("Modellar", "2012"),
        lambda p: p["Fordon"][0].__setitem__("Fordonsslag", "RAKET"),
    ):
        payload = copy.deepcopy(raw("vehicle-owner"))
        change(payload)
        cases.append(payload)
    return cases


@pytest.mark.parametrize("payload", _drifts())
def test_drifted_or_malformed_payloads_are_errors(payload):
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise("fordon", payload, DEC)
    assert error.value.reason == "unexpected_format" and error.value.provider == NAME


def test_fetch_over_http_from_the_sandbox():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient(NAME, base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "196404153832", "fordon", DEC)
        assert [i.details["registration"] for i in items] == ["KLM482", "BRT15X"]
        assert PROVIDER.fetch(client, "199312162390", "fordon", DEC) == []  # 200, no hits
