"""The calculation lines for the cast's family with young children (single-parent-young-children: Sanna
Berglund, born 21 May 1987, with Liam, born 9 June 2017, and Ella, born 14 March 2022): each child gets the
riksnorm of their own age group, on the authored month and on months the clock may be moved to, since birth
dates never move (decision 0005). The ages are computed on the first day of the month, as the indication does."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from portal.calculation.lines import Member, propose
from portal.indication.riksnorm import band_for_age, band_label, table_for_month

CAST = Path(__file__).resolve().parents[1] / "devstack/testdata/persons/single-parent-young-children.json"


def _birth(value: str) -> date:
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def _family() -> list[Member]:
    record = json.loads(CAST.read_text(encoding="utf-8"))["providers"]["skatteverket"]["folkbokforing"]
    people = [record] + [m for m in record["Hushall"] if m["Relation"] == "BARN"]
    return [Member(i + 1, _birth(p["Fodelsedatum"])) for i, p in enumerate(people)]


@pytest.mark.parametrize(
    ("month", "ages"),
    [
        (date(2026, 12, 1), {"Liam": 9, "Ella": 4}),
        (date(2027, 3, 1), {"Liam": 9, "Ella": 4}),  # Ella turns 5 on the 14th: the first day counts
        (date(2027, 4, 1), {"Liam": 9, "Ella": 5}),
        (date(2027, 7, 1), {"Liam": 10, "Ella": 5}),
        (date(2029, 1, 1), {"Liam": 11, "Ella": 6}),  # Liam leaves the 7-10 group
    ],
)
def test_each_child_gets_the_norm_of_their_age(month, ages):
    members = _family()
    assert len(members) == 3
    proposal = propose(month, members, [], [], [])
    by_id = {line.id: line for line in proposal.lines}
    table, _stand_in = table_for_month(month)
    for member_id, name in ((2, "Liam"), (3, "Ella")):
        line = by_id[f"norm-person-{member_id}"]
        assert line.code == "personal_cost.child"
        assert line.params == {"age": ages[name], "band": band_label(band_for_age(ages[name]))}
        assert line.amount_ore == table.child(ages[name]) * 100
    mother = by_id["norm-person-1"]
    assert mother.code == "personal_cost.single"
    assert by_id["norm-household"].amount_ore == table.household_cost(3) * 100
