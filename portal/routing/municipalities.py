"""Sweden's municipalities (SCB's kommunkoder, ``portal/data/kommuner.csv``): what both the routing
configuration (``config``, checked against them) and the routing (``services``) stand on."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "kommuner.csv"


@dataclass(frozen=True)
class Municipality:
    code: str  # kommunkod, four digits (SCB)
    name: str
    county: str


@cache
def municipalities() -> dict[str, Municipality]:
    with DATA.open(encoding="utf-8") as fh:
        return {
            row["kommunkod"]: Municipality(row["kommunkod"], row["kommun"], row["lan"]) for row in csv.DictReader(fh)
        }
