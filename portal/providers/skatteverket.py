"""Skatteverket: folkbokföring (the population register).

Raw format (Navet-like): ``Namn.Fornamn``, ``Folkbokforing.LanKod`` + ``KommunKod`` (two digits
each, together the SCB municipality code), ``Folkbokforingsadress``, ``Sekretessmarkering`` and
``SkyddadFolkbokforing`` as "J"/"N", ``Hushall`` with ``Relation`` codes and ``Fodelsedatum``
as YYYYMMDD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from portal.providers.base import ProviderClient, ProviderError

NAME = "skatteverket"
RELATIONS = {"MAKE": "spouse", "REGISTRERAD_PARTNER": "spouse", "SAMBO": "partner",
             "BARN": "child", "FORALDER": "parent"}


@dataclass(frozen=True)
class Member:
    relation: str
    personnummer: str | None
    given_name: str
    family_name: str
    birth_date: date | None


@dataclass(frozen=True)
class Folkbokforing:
    """The applicant's registration, minimised: a protected person's address is not kept."""

    given_name: str
    family_name: str
    birth_date: date | None
    municipality_code: str
    protected: bool
    street: str | None = None
    postal_code: str | None = None
    post_town: str | None = None
    members: list[Member] = field(default_factory=list)


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        return None


def _personnummer(raw) -> str | None:
    return raw if isinstance(raw, str) and len(raw) == 12 and raw.isdigit() else None


def parse_folkbokforing(raw: dict) -> Folkbokforing:
    try:
        return _parse(raw)
    except (KeyError, TypeError, AttributeError):
        raise ProviderError(NAME, "unexpected_format") from None


def _parse(raw: dict) -> Folkbokforing:
    name = raw["Namn"]
    registration = raw["Folkbokforing"]
    code = f"{registration['LanKod']}{registration['KommunKod']}"
    if not (len(code) == 4 and code.isdigit()):
        raise ProviderError(NAME, "unexpected_format")
    protected = raw.get("Sekretessmarkering") == "J" or raw.get("SkyddadFolkbokforing") == "J"
    # A protected person's address and household are not kept, shown or sent (DESIGN §8).
    address = {} if protected else (raw.get("Folkbokforingsadress") or {})
    members = [] if protected else [
        Member(relation=RELATIONS.get(m.get("Relation", ""), "other"),
               personnummer=_personnummer(m.get("Identitetsbeteckning")),
               given_name=m["Namn"]["Fornamn"], family_name=m["Namn"]["Efternamn"],
               birth_date=_date(m.get("Fodelsedatum")))
        for m in raw.get("Hushall") or []
    ]
    postal_code = (address.get("PostNr") or "").replace(" ", "") or None
    return Folkbokforing(
        given_name=name["Fornamn"], family_name=name["Efternamn"],
        birth_date=_date(raw.get("Fodelsedatum")), municipality_code=code, protected=protected,
        street=address.get("Utdelningsadress2"), postal_code=postal_code,
        post_town=address.get("Postort"), members=members,
    )


class Skatteverket:
    def __init__(self, client: ProviderClient):
        self.client = client

    def folkbokforing(self, personnummer: str) -> Folkbokforing:
        raw = self.client.post_json("/skatteverket/folkbokforing/v1/personsok",
                                    {"Identitetsbeteckning": personnummer})
        return parse_folkbokforing(raw)
