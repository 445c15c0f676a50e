"""The cast in devstack/testdata/persons: every file is consistent with the test list, the
municipality list and the other files."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from stdnum.se import personnummer

from devstack.sandbox.persons import DEFAULT_PERSONS_DIR, PersonStore

REPO = Path(__file__).resolve().parents[2]


def _numbers(name: str) -> set[str]:
    lines = (REPO / "devstack/testdata" / name).read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


TEST_NUMBERS = _numbers("testpersonnummer.txt")
# Made for the cast's young children, who the test series cannot give (see the file's header);
# allowed only for household members, never for a person who logs in.
CHILD_NUMBERS = _numbers("testpersonnummer-children.txt")
with (REPO / "portal/data/kommuner.csv").open(encoding="utf-8") as f:
    MUNICIPALITIES = {row["kommunkod"]: row for row in csv.DictReader(f)}
FILES = sorted(DEFAULT_PERSONS_DIR.glob("*.json"))
DOCS = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in FILES}
RECORD_KEYS = {
    "Identitetsbeteckning",
    "Namn",
    "Fodelsedatum",
    "Folkbokforing",
    "Folkbokforingsadress",
    "Sekretessmarkering",
    "SkyddadFolkbokforing",
    "Civilstand",
    "Hushall",
}
RELATIONS = {"MAKE", "SAMBO", "REGISTRERAD_PARTNER", "BARN", "FORALDER"}
INVERSE = {
    "MAKE": {"MAKE"},
    "SAMBO": {"SAMBO"},
    "REGISTRERAD_PARTNER": {"REGISTRERAD_PARTNER"},
    "BARN": {"FORALDER"},
    "FORALDER": {"BARN"},
}
CIVILSTAND = {"OG", "G", "RP", "S", "Ä"}
REQUIRED_SLUGS = {
    "single-adult",
    "couple-with-children",
    "couple-partner",
    "couple-student-child",
    "pensioner",
    "af-sanctions",
    "f-skatt",
    "vehicle-owner",
    "residence-permit",
    "pending-bostadsbidrag",
    "protected-identity",
    "not-connected",
    "nothing-found",
}
TODAY = date(2026, 11, 25)


def record(slug):
    return DOCS[slug]["providers"]["skatteverket"]["folkbokforing"]


def age(number):
    born = personnummer.get_birth_date(number)
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def is_man(number):
    return int(number[-2]) % 2 == 1


def test_the_cast_is_complete():
    assert len(FILES) >= 12
    assert set(DOCS) >= REQUIRED_SLUGS
    stockholm = [s for s in DOCS if s.startswith("stockholm-")]
    assert len(stockholm) >= 2
    postcodes = {record(s)["Folkbokforingsadress"]["PostNr"][:3] for s in stockholm}
    assert len(postcodes) >= 2, "Stockholm persons must be in different districts"
    assert any(record(s)["Hushall"] for s in stockholm)


def test_the_store_loads_every_file():
    store = PersonStore.load()
    assert len(store) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_shape(path):
    doc = DOCS[path.stem]
    assert doc["slug"] == path.stem
    assert isinstance(doc["description"], str) and len(doc["description"]) > 20
    assert set(doc["person"]) == {"personnummer", "given_name", "family_name"}
    rec = record(path.stem)
    assert set(rec) == RECORD_KEYS
    assert set(rec["Namn"]) == {"Fornamn", "Mellannamn", "Efternamn"}
    assert set(rec["Folkbokforing"]) == {"LanKod", "KommunKod", "Folkbokforingsdatum"}
    assert set(rec["Folkbokforingsadress"]) == {"CareOf", "Utdelningsadress1", "Utdelningsadress2", "PostNr", "Postort"}
    assert rec["Sekretessmarkering"] in {"J", "N"} and rec["SkyddadFolkbokforing"] in {"J", "N"}
    assert rec["Civilstand"]["CivilstandKod"] in CIVILSTAND
    assert isinstance(rec["Hushall"], list)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_personnummer_name_and_birth_date(path):
    doc = DOCS[path.stem]
    number = doc["person"]["personnummer"]
    rec = record(path.stem)
    assert number in TEST_NUMBERS
    assert personnummer.is_valid(number) and len(number) == 12
    assert rec["Identitetsbeteckning"] == number
    assert rec["Fodelsedatum"] == number[:8]
    assert personnummer.get_birth_date(number).strftime("%Y%m%d") == number[:8]
    assert rec["Namn"]["Fornamn"] == doc["person"]["given_name"]
    assert rec["Namn"]["Efternamn"] == doc["person"]["family_name"]
    assert rec["Folkbokforing"]["Folkbokforingsdatum"] >= rec["Fodelsedatum"]
    assert rec["Folkbokforing"]["Folkbokforingsdatum"] <= TODAY.strftime("%Y%m%d")
    assert age(number) >= 18


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_municipality_and_address(path):
    rec = record(path.stem)
    registration, address = rec["Folkbokforing"], rec["Folkbokforingsadress"]
    code = registration["LanKod"] + registration["KommunKod"]
    assert len(registration["LanKod"]) == 2 and len(registration["KommunKod"]) == 2
    assert code in MUNICIPALITIES
    assert MUNICIPALITIES[code]["lanskod"] == registration["LanKod"]
    assert address["PostNr"].isdigit() and len(address["PostNr"]) == 5
    assert address["Postort"] == address["Postort"].upper()
    assert address["Utdelningsadress2"]


def test_personnummer_used_once_across_persons_and_members():
    owners: dict[str, str] = {}
    for slug in DOCS:
        rec = record(slug)
        entries = [(rec["Identitetsbeteckning"], rec["Namn"])] + [
            (m["Identitetsbeteckning"], m["Namn"]) for m in rec["Hushall"]
        ]
        for number, name in entries:
            label = f"{name['Fornamn']} {name['Efternamn']}"
            assert owners.setdefault(number, label) == label, f"{number} used for two people"
    assert set(owners) <= TEST_NUMBERS | CHILD_NUMBERS


def test_household_members_are_valid_and_consistent():
    by_number = {record(slug)["Identitetsbeteckning"]: slug for slug in DOCS}
    for slug in DOCS:
        rec = record(slug)
        numbers = [m["Identitetsbeteckning"] for m in rec["Hushall"]]
        assert len(numbers) == len(set(numbers)), slug
        assert rec["Identitetsbeteckning"] not in numbers, slug
        partners = [m for m in rec["Hushall"] if m["Relation"] in {"MAKE", "SAMBO", "REGISTRERAD_PARTNER"}]
        assert len(partners) <= 1, slug
        if any(m["Relation"] == "MAKE" for m in partners):
            assert rec["Civilstand"]["CivilstandKod"] == "G", slug
        if any(m["Relation"] == "REGISTRERAD_PARTNER" for m in partners):
            assert rec["Civilstand"]["CivilstandKod"] == "RP", slug
        for member in rec["Hushall"]:
            number = member["Identitetsbeteckning"]
            assert member["Relation"] in RELATIONS, slug
            assert number in TEST_NUMBERS | CHILD_NUMBERS and personnummer.is_valid(number), slug
            assert member["Fodelsedatum"] == number[:8], slug
            if member["Relation"] == "BARN":
                assert member["Fodelsedatum"] > rec["Fodelsedatum"], slug
            if member["Relation"] == "FORALDER":
                assert member["Fodelsedatum"] < rec["Fodelsedatum"], slug
            if number in by_number:  # the member has their own file
                assert member["Namn"] == record(by_number[number])["Namn"], slug


def test_household_symmetry_between_persons_with_files():
    by_number = {record(slug)["Identitetsbeteckning"]: slug for slug in DOCS}
    for slug in DOCS:
        rec = record(slug)
        for member in rec["Hushall"]:
            other = by_number.get(member["Identitetsbeteckning"])
            if other is None:
                continue
            back = {m["Identitetsbeteckning"]: m["Relation"] for m in record(other)["Hushall"]}
            assert rec["Identitetsbeteckning"] in back, f"{other} does not list {slug}"
            assert back[rec["Identitetsbeteckning"]] in INVERSE[member["Relation"]], (slug, other)
            # people in one household live at the same address
            assert record(other)["Folkbokforingsadress"] == rec["Folkbokforingsadress"]
            assert record(other)["Folkbokforing"]["KommunKod"] == rec["Folkbokforing"]["KommunKod"]


def test_children_appear_under_barn_for_both_parents():
    parents = [s for s in DOCS if any(m["Relation"] == "BARN" for m in record(s)["Hushall"])]
    by_number = {record(slug)["Identitetsbeteckning"]: slug for slug in DOCS}
    for slug in parents:
        rec = record(slug)
        partner = next((m for m in rec["Hushall"] if m["Relation"] in {"MAKE", "SAMBO"}), None)
        if partner is None or partner["Identitetsbeteckning"] not in by_number:
            continue
        mine = {m["Identitetsbeteckning"] for m in rec["Hushall"] if m["Relation"] == "BARN"}
        theirs = {
            m["Identitetsbeteckning"]
            for m in record(by_number[partner["Identitetsbeteckning"]])["Hushall"]
            if m["Relation"] == "BARN"
        }
        assert mine == theirs, slug


def test_the_cast_matches_the_brief():
    assert record("single-adult")["Folkbokforing"]["LanKod"] == "03"
    assert record("single-adult")["Hushall"] == []
    couple = record("couple-with-children")["Folkbokforing"]
    assert couple["LanKod"] + couple["KommunKod"] == "1480"
    assert record("couple-with-children")["Civilstand"]["CivilstandKod"] == "G"
    assert age(DOCS["couple-student-child"]["person"]["personnummer"]) >= 18
    assert DOCS["pensioner"]["person"]["personnummer"][:3] == "194"
    protected = record("protected-identity")
    assert protected["Sekretessmarkering"] == "J"
    assert protected["Folkbokforing"]["LanKod"] + protected["Folkbokforing"]["KommunKod"] == "1280"
    assert protected["Folkbokforingsadress"]["Utdelningsadress2"], "the portal drops it, not us"
    kiruna = record("not-connected")["Folkbokforing"]
    assert kiruna["LanKod"] + kiruna["KommunKod"] == "2584"
    for slug in DOCS:
        if slug.startswith("stockholm-"):
            registration = record(slug)["Folkbokforing"]
            assert registration["LanKod"] + registration["KommunKod"] == "0180"
    family = record("single-parent-young-children")
    assert family["Folkbokforing"]["LanKod"] + family["Folkbokforing"]["KommunKod"] == "0380"
    assert not any(m["Relation"] in {"MAKE", "SAMBO", "REGISTRERAD_PARTNER"} for m in family["Hushall"])
    assert "kronofogden" not in DOCS["single-parent-young-children"]["providers"]
    assert set(DOCS["nothing-found"]["providers"]) == {"skatteverket"}
    assert set(DOCS["nothing-found"]["providers"]["skatteverket"]) == {"folkbokforing"}


def test_the_young_children_stay_children_while_the_clock_moves():
    # Birth dates never move with the clock (decision 0005), so the children must be young enough to be
    # under 18, and in different riksnorm age groups, on any day a test may move the clock to.
    children = [m for m in record("single-parent-young-children")["Hushall"] if m["Relation"] == "BARN"]
    assert len(children) == 2
    assert all(number in CHILD_NUMBERS for number in (m["Identitetsbeteckning"] for m in children))
    for moved in (TODAY, date(2028, 12, 31), date(2031, 6, 30)):
        ages = sorted(
            moved.year
            - int(m["Fodelsedatum"][:4])
            - ((moved.month, moved.day) < (int(m["Fodelsedatum"][4:6]), int(m["Fodelsedatum"][6:])))
            for m in children
        )
        assert ages[0] >= 1 and ages[1] < 18 and ages[1] - ages[0] >= 4, (moved, ages)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_names_match_the_gender_digit(path):
    # The cast chooses names to match; keep a list so a new file has to think about it.
    women = {"Maria", "Elin", "Margareta", "Amina", "Sara", "Lina", "Johanna", "Emma", "Hanna", "Sanna", "Ella"}
    men = {"Anders", "Johan", "Erik", "Per", "Lars", "Jonas", "Nils", "Daniel", "Oskar", "Adam", "Liam"}
    rec = record(path.stem)
    for number, name in [(rec["Identitetsbeteckning"], rec["Namn"])] + [
        (m["Identitetsbeteckning"], m["Namn"]) for m in rec["Hushall"]
    ]:
        expected = men if is_man(number) else women
        assert name["Fornamn"] in expected, (path.stem, name["Fornamn"])
