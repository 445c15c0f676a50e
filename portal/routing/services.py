from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


class UnknownMunicipality(LookupError):
    pass


@dataclass(frozen=True)
class Municipality:
    code: str  # kommunkod, four digits (SCB)
    name: str
    county: str


@cache
def municipalities() -> dict[str, Municipality]:
    with DATA.open(encoding="utf-8") as fh:
        return {row["kommunkod"]: Municipality(row["kommunkod"], row["kommun"], row["lan"])
                for row in csv.DictReader(fh)}


def municipality(code: str) -> Municipality:
    try:
        return municipalities()[code]
    except KeyError:
        raise UnknownMunicipality(code) from None


def route(municipality_code: str) -> Municipality:
    """Pick the receiving municipality for a folkbokföring municipality code.

    Every municipality has one built-in inbox today; district inboxes and connection status
    come with the routing configuration.
    """
    return municipality(municipality_code)
