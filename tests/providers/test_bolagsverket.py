"""Bolagsverket adapter: the person's roles in companies (issue 22, point 3)."""

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
from portal.providers.bolagsverket import PROVIDER
from portal.providers.items import FACT, Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack" / "testdata" / "persons"
NOVEMBER = Period(date(2026, 11, 1))


def fixture(slug: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"]["bolagsverket"]["roller"]


def test_current_roles_only():
    items = PROVIDER.normalise("roller", fixture("f-skatt"), NOVEMBER)
    assert [(i.kind, i.theme, i.period_start, i.period_end, i.amount_ore, dict(i.details)) for i in items] == [
        (
            "bolagsverket.roller.role",
            "work",
            date(2019, 4, 1),
            None,
            None,
            {
                "company": "Per Eks Bygg & Montage",
                "company_form": "EF",
                "company_status": "AKTIV",
                "role": "INNEHAVARE",
            },
        ),
        (
            "bolagsverket.roller.role",
            "work",
            date(2020, 2, 11),
            None,
            None,
            {"company": "Östgöta Takläggarna AB", "company_form": "AB", "company_status": "AKTIV", "role": "LEDAMOT"},
        ),
    ]


def test_a_role_ended_in_the_period_is_kept_with_its_end_and_older_ones_dropped():
    items = PROVIDER.normalise("roller", fixture("single-adult"), NOVEMBER)
    assert [(i.details["role"], i.period_end, i.details["company_status"]) for i in items] == [
        ("VD", date(2026, 9, 30), "LIKVIDATION"),
        ("LEDAMOT", date(2026, 9, 30), "LIKVIDATION"),
    ]
    assert PROVIDER.normalise("roller", fixture("single-adult"), Period(date(2027, 3, 1))) == []


@pytest.mark.parametrize("slug", ["f-skatt", "couple-partner", "stockholm-kista", "single-adult"])
def test_raw_only_fields_are_dropped_and_nothing_is_money(slug):
    raw = fixture(slug)
    items = PROVIDER.normalise("roller", raw, NOVEMBER)
    assert items
    text = repr(items)
    for assignment in raw["funktionarsuppdrag"]:
        organisation = assignment["organisation"]
        secrets = [
            organisation["organisationsnummer"],
            organisation["postadress"]["utdelningsadress"],
            assignment["firmateckning"],
        ]
        secrets += [
            v for other in assignment["ovrigaFunktionarer"] for v in (other["namn"], other["personidentitetsnummer"])
        ]
        assert not [s for s in secrets if s in text]
    assert raw["personidentitetsnummer"] not in text
    assert all(i.figure == FACT and i.amount_ore is None for i in items)
    assert month_totals(items, NOVEMBER.month) == month_totals([], NOVEMBER.month)


def test_no_assignments_is_nothing():
    raw = {"personidentitetsnummer": "199312162390", "hamtad": None, "funktionarsuppdrag": []}
    assert PROVIDER.nothing("roller", raw) and PROVIDER.normalise("roller", raw, NOVEMBER) == []
    assert not PROVIDER.nothing("roller", fixture("f-skatt"))


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"funktionarsuppdrag": None}, {"funktionarsuppdrag": [{}]}])
def test_malformed_is_unexpected_format(raw):
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("roller", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def _rename(node, old, new):
    node[new] = node.pop(old)


@pytest.mark.parametrize(
    "change",
    [
        lambda a: _rename(a, "roller", "befattningar"),
        lambda a: a["organisation"].__setitem__("organisationsform", "EF"),
        lambda a: a["organisation"]["status"].__setitem__("kod", "VILANDE"),
        lambda a: a["roller"][0].__setitem__("kod", "Innehavare"),
        lambda a: a["roller"][0].__setitem__("fran", "20140301"),
        lambda a: a["roller"][0].__setitem__("till", "2013-01-01"),
        lambda a: a["roller"][0].pop("till"),
    ],
    ids=[
        "renamed-roles",
        "form-as-text",
        "unknown-status",
        "role-as-text",
        "compact-date",
        "ends-before-start",
        "missing-end",
    ],
)
def test_schema_drift_is_unexpected_format(change):
    raw = copy.deepcopy(fixture("f-skatt"))
    change(raw["funktionarsuppdrag"][1])  # the firm closed in 2017: outside the period, and still checked
    with pytest.raises(ProviderError) as err:
        PROVIDER.normalise("roller", raw, NOVEMBER)
    assert err.value.reason == "unexpected_format"


def test_request_and_flags():
    path, body = PROVIDER.request("197907179191", "roller", NOVEMBER)
    assert path == "/bolagsverket/foretagsinformation/v1/funktionarsuppdrag"
    assert body == {
        "personidentitetsnummer": "197907179191",
        "avserPeriod": {"fromDatum": "2026-08-01", "tomDatum": "2026-11-30"},
    }
    assert not any(s.extended or s.for_children for s in PROVIDER.sets)
    assert set(PROVIDER.labels) == set(PROVIDER.figures)


def test_fetch_over_http_with_faults():
    rules = {
        "rules": [
            {"provider": "bolagsverket", "person": "couple-partner", "kind": "schema_drift"},
            {"provider": "bolagsverket", "person": "stockholm-kista", "kind": "malformed"},
        ]
    }
    with serve(create_sandbox_app(faults=rules)) as base_url:
        client = ProviderClient("bolagsverket", base_url, "sandbox-token")
        assert len(PROVIDER.fetch(client, "197907179191", "roller", NOVEMBER)) == 2
        assert PROVIDER.fetch(client, "199312162390", "roller", NOVEMBER) == []  # in the cast, no roles
        assert PROVIDER.fetch(client, "199312172381", "roller", NOVEMBER) == []  # not in the cast: 404
        for pnr, reason in (("196201082697", "unexpected_format"), ("197911109291", "malformed")):
            with pytest.raises(ProviderError) as err:
                PROVIDER.fetch(client, pnr, "roller", NOVEMBER)
            assert err.value.reason == reason
