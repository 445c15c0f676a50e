"""Test persons (citizens) and staff, and the identity claims built from them.

Never log a personnummer from this module: log the file name or the opaque ``sub``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.se import personnummer as stdnum_personnummer

from devstack import PERSONS_DIR, STAFF_FILE
from portal.config import REPO_ROOT  # the templates, static files, translations and reference data the IdP shares

from .models import Identity

log = logging.getLogger(__name__)

DEFAULT_PERSONS_DIR = PERSONS_DIR
DEFAULT_STAFF_FILE = STAFF_FILE
MUNICIPALITIES_FILE = REPO_ROOT / "portal" / "data" / "kommuner.csv"

#: Claim name for the Swedish personal identity number (Sweden Connect / oidc-sweden profile).
PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"

#: Used for a personnummer typed in by hand that matches no test person file.
UNKNOWN_GIVEN_NAME = "Test"
UNKNOWN_FAMILY_NAME = "Testperson"


class PersonnummerError(ValueError):
    """A typed-in personnummer is invalid. ``reason`` is "format", "date" or "checksum"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalize_personnummer(value: str) -> str:
    """Validate a personnummer (10 or 12 digits, with or without separator) and return
    the 12-digit form ``YYYYMMDDNNNN``. Raises :class:`PersonnummerError`."""
    value = (value or "").strip()
    try:
        compact = stdnum_personnummer.validate(value)
        birth_date = stdnum_personnummer.get_birth_date(compact)
    except InvalidChecksum as exc:
        raise PersonnummerError("checksum") from exc
    except InvalidComponent as exc:
        raise PersonnummerError("date") from exc
    except ValidationError as exc:
        raise PersonnummerError("format") from exc
    digits = "".join(ch for ch in compact if ch.isdigit())
    if len(digits) == 10:
        digits = f"{birth_date.year // 100:02d}{digits}"
    return digits


def format_personnummer(pnr12: str) -> str:
    return f"{pnr12[:8]}-{pnr12[8:]}"


def birthdate_of(pnr12: str) -> str:
    birth_date = stdnum_personnummer.get_birth_date(pnr12)
    return birth_date.isoformat()


def citizen_sub(issuer: str, pnr12: str) -> str:
    """Stable, opaque subject identifier: not reversible to the personnummer by reading it."""
    return hashlib.sha256(f"{issuer}|{pnr12}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Person:
    personnummer: str  # 12 digits
    given_name: str
    family_name: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def formatted_personnummer(self) -> str:
        return format_personnummer(self.personnummer)


@dataclass(frozen=True)
class StaffMember:
    sub: str
    given_name: str
    family_name: str
    role: str
    municipality_code: str | None
    unit: str | None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def load_persons(persons_dir: Path) -> list[Person]:
    """All test persons in ``persons_dir/*.json``; a missing or empty directory gives []."""
    persons: dict[str, Person] = {}
    if not persons_dir.is_dir():
        return []
    for path in sorted(persons_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            block = data.get("person") if isinstance(data, dict) else None
            if not isinstance(block, dict):
                continue
            pnr = normalize_personnummer(str(block.get("personnummer", "")))
            given, family = block.get("given_name"), block.get("family_name")
            if not given or not family:
                raise ValueError("missing name")
        except (OSError, ValueError) as exc:  # JSONDecodeError and PersonnummerError too
            log.warning("Skipping test person file %s: %s", path.name, type(exc).__name__)
            continue
        persons.setdefault(pnr, Person(pnr, str(given), str(family)))
    return sorted(persons.values(), key=lambda p: (p.family_name, p.given_name, p.personnummer))


def load_staff(staff_file: Path) -> list[StaffMember]:
    try:
        data = json.loads(staff_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("Cannot read staff file %s: %s", staff_file, type(exc).__name__)
        return []
    staff = []
    for entry in data if isinstance(data, list) else []:
        try:
            staff.append(
                StaffMember(
                    sub=str(entry["sub"]),
                    given_name=str(entry["given_name"]),
                    family_name=str(entry["family_name"]),
                    role=str(entry["role"]),
                    municipality_code=entry.get("municipality_code") or None,
                    unit=entry.get("unit") or None,
                )
            )
        except (KeyError, TypeError):
            log.warning("Skipping malformed entry in %s", staff_file.name)
    return staff


@lru_cache(maxsize=1)
def municipality_names() -> dict[str, str]:
    try:
        with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as fh:
            return {row["kommunkod"]: row["kommun"] for row in csv.DictReader(fh)}
    except (OSError, KeyError):
        return {}


def citizen_identity(issuer: str, person: Person) -> Identity:
    claims: dict[str, Any] = {
        "sub": citizen_sub(issuer, person.personnummer),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name": person.name,
        "birthdate": birthdate_of(person.personnummer),
        PNR_CLAIM: person.personnummer,
    }
    return Identity(kind="citizen", claims=claims)


def staff_identity(member: StaffMember) -> Identity:
    claims: dict[str, Any] = {
        "sub": member.sub,
        "given_name": member.given_name,
        "family_name": member.family_name,
        "name": member.name,
        "role": member.role,
    }
    if member.municipality_code:
        claims["municipality_code"] = member.municipality_code
    if member.unit:
        claims["unit"] = member.unit
    return Identity(kind="staff", claims=claims)
