"""The cast of test persons, loaded from ``devstack/testdata/persons/*.json``.

Each file holds one person: ``slug``, ``description``, ``person`` (the identity provider's
claims) and ``providers.<provider>.<set>`` (the raw payload the sandbox answers with). A missing
provider or set means "this provider has nothing about the person".

Never log a personnummer from this module: log the slug or the file name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack import PERSONS_DIR

DEFAULT_PERSONS_DIR = PERSONS_DIR


class PersonFileError(ValueError):
    """A person file is unreadable or inconsistent with the others."""


@dataclass(frozen=True)
class Person:
    slug: str
    personnummer: str
    given_name: str
    family_name: str
    description: str = ""
    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # keep the personnummer out of reprs and tracebacks
        return f"Person(slug={self.slug!r})"

    def dataset(self, provider: str, information_set: str) -> Any | None:
        """A deep copy of the raw payload for ``provider``/``information_set``, or None."""
        payload = (self.providers.get(provider) or {}).get(information_set)
        return copy.deepcopy(payload) if payload is not None else None


def _load_person(path: Path) -> Person:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        person = data["person"]
        return Person(
            slug=data["slug"],
            personnummer=person["personnummer"],
            given_name=person["given_name"],
            family_name=person["family_name"],
            description=data.get("description", ""),
            providers=data.get("providers") or {},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PersonFileError(f"{path.name}: {type(exc).__name__}") from None


class PersonStore:
    """Read-only after loading, so safe to share between request threads."""

    def __init__(self, persons: list[Person]):
        self._by_slug: dict[str, Person] = {}
        self._by_pnr: dict[str, Person] = {}
        for person in persons:
            if person.slug in self._by_slug:
                raise PersonFileError(f"duplicate slug {person.slug!r}")
            other = self._by_pnr.get(person.personnummer)
            if other is not None:
                raise PersonFileError(f"{person.slug!r} reuses the personnummer of {other.slug!r}")
            self._by_slug[person.slug] = person
            self._by_pnr[person.personnummer] = person

    @classmethod
    def load(cls, directory: str | Path | None = None) -> PersonStore:
        directory = Path(directory) if directory is not None else DEFAULT_PERSONS_DIR
        if not directory.is_dir():
            raise PersonFileError(f"persons directory not found: {directory}")
        return cls([_load_person(path) for path in sorted(directory.glob("*.json"))])

    def by_personnummer(self, personnummer: str) -> Person | None:
        return self._by_pnr.get(personnummer)

    def by_slug(self, slug: str) -> Person | None:
        return self._by_slug.get(slug)

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(self._by_slug)

    def __iter__(self) -> Iterator[Person]:
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)
