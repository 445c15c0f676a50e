"""Riksnormen för försörjningsstöd: the national norm tables, one data file per year.

Each year lives in ``portal/data/riksnorm/<year>.json`` (kronor per month). A file is either

* ``"status": "official"`` – the amounts as published (Socialstyrelsen, the SFS amending
  socialtjänstförordningen (2001:937) 2 kap. 1 §, or a municipality republishing the official
  posts); the source is in the file; or
* ``"status": "derived"`` / ``"derived": true`` – no official per-band table was found, only the
  government's official uprating percentage. The table is then computed from an earlier table by
  :func:`derive` and the file says exactly how (``derivation``, ``uprating``) and how the result
  compares with any official total published for that year (``checks``).

The derived files are generated, never edited by hand::

    python -m portal.indication.riksnorm          # rewrite the derived years
    python -m portal.indication.riksnorm --check  # exit 1 if a file differs from the derivation

``portal/data/riksnorm.json`` (the shared reference file) is left untouched; the per-year files
restate its tables and ``tests/test_indication.py`` checks that they agree.

How the norm is built (SFS 2020:1013, 2 kap. 1 § socialtjänstförordningen; the wording is the
same every year): the norm for a household is the sum of the personal costs of every member and
the common household costs for the household's size. For households above seven persons the cost
for each further member is the difference between the six- and seven-person amounts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "riksnorm"

# The norm's age bands for children and young people living at home (key, first age, last age).
CHILD_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0", 0, 0),
    ("1-2", 1, 2),
    ("3", 3, 3),
    ("4-6", 4, 6),
    ("7-10", 7, 10),
    ("11-14", 11, 14),
    ("15-18", 15, 18),
    ("19-20", 19, 20),
)
HOUSEHOLD_SIZES = tuple(str(n) for n in range(1, 8))


class NormUnavailable(ValueError):
    """No norm table can be used for the requested month (it is before the earliest data)."""


def band_for_age(age: int) -> str:
    """The norm's child band key (``"0"``, ``"1-2"`` … ``"19-20"``) for an age in whole years."""
    for key, first, last in CHILD_BANDS:
        if first <= age <= last:
            return key
    raise ValueError(f"no child band in the norm for age {age}")


def band_label(key: str) -> str:
    """Display form of a band key: ``"1-2"`` -> ``"1–2"`` (en dash)."""
    return key.replace("-", "\u2013")


@dataclass(frozen=True)
class NormTable:
    """One year's riksnorm, amounts in whole kronor per month."""

    year: int
    derived: bool
    children: Mapping[str, int]
    single: int
    cohabiting_pair: int
    household: Mapping[int, int]
    per_person_above_7: int
    source: str

    def child(self, age: int) -> int:
        return self.children[band_for_age(age)]

    def household_cost(self, size: int) -> int:
        """Common household costs for ``size`` persons, with the addition per person above 7."""
        if size < 1:
            raise ValueError("a household has at least one person")
        if size <= 7:
            return self.household[size]
        return self.household[7] + (size - 7) * self.per_person_above_7


def _from_json(raw: dict) -> NormTable:
    household = {int(k): int(v) for k, v in raw["household"].items()}
    return NormTable(
        year=int(raw["year"]),
        derived=bool(raw["derived"]),
        children={k: int(v) for k, v in raw["children"].items()},
        single=int(raw["adults"]["single"]),
        cohabiting_pair=int(raw["adults"]["cohabiting_pair"]),
        household=household,
        per_person_above_7=int(raw["per_person_above_7"]),
        source=raw["source"],
    )


def read_raw(year: int) -> dict:
    return json.loads((DATA_DIR / f"{year}.json").read_text(encoding="utf-8"))


@cache
def available_years() -> tuple[int, ...]:
    return tuple(sorted(int(p.stem) for p in DATA_DIR.glob("[0-9][0-9][0-9][0-9].json")))


@cache
def load(year: int) -> NormTable:
    """The norm table of exactly ``year``; ``FileNotFoundError`` if there is none."""
    return _from_json(read_raw(year))


def table_for_month(month: date) -> tuple[NormTable, bool]:
    """The table that applies to ``month`` and whether it is a later year's stand-in.

    A year with its own file (official or derived) uses it. A year after the latest file uses the
    latest table (second value True: the caller must say so). A year before the earliest file
    raises :class:`NormUnavailable`.
    """
    years = available_years()
    if not years:
        raise NormUnavailable(f"no riksnorm data files in {DATA_DIR}")
    if month.year < years[0]:
        raise NormUnavailable(f"no riksnorm for {month:%Y-%m}: the earliest norm table is for {years[0]}")
    if month.year in years:
        return load(month.year), False
    earlier = [y for y in years if y < month.year]
    if month.year > years[-1]:
        return load(years[-1]), True
    # A gap inside the covered range is a data error: every year must have a (derived) file.
    raise NormUnavailable(f"no riksnorm file for {month.year} although {earlier[-1]} and later years exist")


# --- derivation -----------------------------------------------------------------------------


def round10(value: Decimal) -> int:
    """Nearest 10 kr, halves up (the norm's posts are 'avrundat till närmaste tiotal')."""
    return int((value / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 10


def _uprate(amount: int, percent: str) -> int:
    return round10(Decimal(amount) * (Decimal(100) + Decimal(percent)) / Decimal(100))


def _sum_posts(posts: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    return {key: sum(items.values()) for key, items in posts.items()}


def derive(base: dict, year: int, percent: str, source: str) -> dict:
    """A derived table for ``year``: every post of ``base`` raised by ``percent`` per cent.

    If ``base`` carries its underlying ``posts`` (livsmedel, kläder och skor …, as the official
    tables are built), each post is raised and rounded to the nearest 10 kr and the band totals are
    the sums of the rounded posts, which is how the government uprates the norm. Without posts the
    band totals themselves are raised and rounded, which can differ from the official figure by
    about 10 kr per band.
    """
    if "posts" in base:
        posts = {
            section: {key: {post: _uprate(v, percent) for post, v in items.items()} for key, items in table.items()}
            for section, table in base["posts"].items()
        }
        children = _sum_posts(posts["children"])
        adults = _sum_posts(posts["adults"])
        household = _sum_posts(posts["household"])
        method = "each post raised and rounded to the nearest 10 kr, band = sum of its posts"
    else:
        posts = None
        children = {k: _uprate(v, percent) for k, v in base["children"].items()}
        adults = {k: _uprate(v, percent) for k, v in base["adults"].items()}
        household = {k: _uprate(v, percent) for k, v in base["household"].items()}
        method = "each band total raised and rounded to the nearest 10 kr (posts not available)"
    base_root = base.get("derived_from", base["year"])
    chain = list(base.get("uprating", [])) + [{"year": year, "percent": percent, "source": source}]
    out = {
        "year": year,
        "status": "derived",
        "derived": True,
        "source": "derived: no official per-band table found; see derivation and uprating",
        "derived_from": base_root,
        "derivation": (
            f"official {base_root} table raised year by year by the government's "
            f"official uprating percentages below; {method}"
        ),
        "uprating": chain,
        "children": {k: children[k] for k, _, _ in CHILD_BANDS},
        "adults": {"single": adults["single"], "cohabiting_pair": adults["cohabiting_pair"]},
        "household": {k: household[k] for k in HOUSEHOLD_SIZES},
        "per_person_above_7": household["7"] - household["6"],
    }
    if posts is not None:
        out["posts"] = posts
    return out


# Which derived year comes from which table, by which official percentage (source cited).
DERIVATIONS: tuple[tuple[int, int, str, str], ...] = (
    (
        2020,
        2019,
        "1.9",
        "jpinfonet.se, 'Riksnormen för försörjningsstöd 2020' (12 Nov 2019): 'Normens samtliga "
        "poster har räknats upp med 1,9 procent jämfört med riksnormen för 2019'",
    ),
    (
        2022,
        2021,
        "1.6",
        "socionomen.se, 'Försörjningsstödet fastställt för 2023' (10 Nov 2022): 2022 års höjning "
        "landade på 1,6 procent",
    ),
    (
        2024,
        2023,
        "8.7",
        "regeringen.se, 'Riksnorm för 2024 fastställd' (Nov 2023): samtliga delposter räknas upp med 8,7 procent",
    ),
    (2025, 2024, "2.8", "regeringen.se press release, 'Höjt försörjningsstöd när riksnormen räknas upp' (Nov 2024)"),
    (2026, 2025, "0.7", "regeringen.se, 'Riksnorm för 2026 fastställd' (Nov 2025)"),
)

# Official totals published for years whose per-band table was not found (riksnorm.json,
# "official_totals_for_checking"); each is personal costs + common costs for the household size.
OFFICIAL_TOTALS: dict[int, list[dict]] = {
    2024: [
        {
            "what": "single adult, no children (single + household of 1)",
            "official": 5030,
            "source": "Socialstyrelsen provberäkning default, from 2024-01-01",
        }
    ],
    2026: [
        {
            "what": "single adult, no children (single + household of 1)",
            "official": 5220,
            "source": "regeringen.se, Riksnorm för 2026 fastställd",
        },
        {
            "what": "cohabiting pair, no children (cohabiting_pair + household of 2)",
            "official": 8510,
            "source": "regeringen.se, Riksnorm för 2026 fastställd",
        },
    ],
}


def _check_value(table: dict, what: str) -> int:
    if what.startswith("single adult"):
        return table["adults"]["single"] + table["household"]["1"]
    return table["adults"]["cohabiting_pair"] + table["household"]["2"]


def derived_tables() -> dict[int, dict]:
    """Every derived year, computed from the official files (and earlier derived years)."""
    tables: dict[int, dict] = {}
    for year, base_year, percent, source in DERIVATIONS:
        base = tables.get(base_year) or read_raw(base_year)
        table = derive(base, year, percent, source)
        checks = []
        for check in OFFICIAL_TOTALS.get(year, []):
            value = _check_value(table, check["what"])
            checks.append({**check, "derived": value, "difference": value - check["official"]})
        if checks:
            table["checks"] = checks
        tables[year] = table
    return tables


def _dump(table: dict) -> str:
    return json.dumps(table, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for year, table in derived_tables().items():
        path = DATA_DIR / f"{year}.json"
        text = _dump(table)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale derived riksnorm files: " + ", ".join(stale), file=sys.stderr)  # noqa: T201 - a command's message
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
