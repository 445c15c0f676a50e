"""Bolagsverket (the Swedish Companies Registration Office): the person's roles in companies
and other registered organisations (a sole trader's own firm, a board seat, a partner in a
trading partnership). A reason the municipality asks about self-employment and about money a
company could pay. One basic consent unit.

Raw format (see ``devstack/sandbox/providers/bolagsverket.py``): ``POST
/bolagsverket/foretagsinformation/v1/funktionarsuppdrag`` with ``{"personidentitetsnummer":
"<12 digits>", "avserPeriod": {"fromDatum", "tomDatum"}}`` (ISO dates). Each assignment names the
organisation (``organisationsform`` and ``status`` as ``{"kod", "klartext"}``) and the person's
``roller`` with their own dates. Kept: the organisation's name, form and status and the role
with its dates. The organisation number (for a sole trader it is the person's own number), the
addresses, the signing rules and the other officers (other people's names and numbers) are
dropped here. Every kind is a fact: a role is not money.
"""

from __future__ import annotations

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import code as _code
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date
from portal.providers.parse import unexpected_format

NAME = "bolagsverket"
FORMS = {"AB", "EF", "HB", "KB", "EK", "BRF"}
STATES = {"AKTIV", "LIKVIDATION", "KONKURS", "AVREGISTRERAD"}
ROLES = {"INNEHAVARE", "BOLAGSMAN", "KOMPLEMENTAR", "VD", "ORDF", "LEDAMOT", "SUPPLEANT"}


class Bolagsverket(Provider):
    name = NAME
    title = _l("Bolagsverket")
    purpose = _l(
        "If you run or help run a company, it may give you income or own things of value, and the "
        "municipality needs to know whether you are self-employed."
    )
    order = 80
    sets = (InfoSet("roller", _l("Your roles in companies and associations")),)
    labels = {
        "bolagsverket.roller.role": (
            _l("Role in a company or association"),
            _l(
                "A company or association where you are registered as owner, partner, board member or managing "
                "director. A role is not income, but the municipality may ask what the company pays you."
            ),
        ),
    }
    codes = {
        ("company_form", "AB"): _l("Limited company (aktiebolag)"),
        ("company_form", "EF"): _l("Sole trader (enskild firma)"),
        ("company_form", "HB"): _l("Trading partnership (handelsbolag)"),
        ("company_form", "KB"): _l("Limited partnership (kommanditbolag)"),
        ("company_form", "EK"): _l("Economic association (ekonomisk förening)"),
        ("company_form", "BRF"): _l("Housing cooperative (bostadsrättsförening)"),
        ("company_status", "AKTIV"): _l("Active"),
        ("company_status", "LIKVIDATION"): _l("Being wound up (likvidation)"),
        ("company_status", "KONKURS"): _l("Bankrupt (konkurs)"),
        ("company_status", "AVREGISTRERAD"): _l("Deregistered"),
        ("role", "INNEHAVARE"): _l("Owner"),
        ("role", "BOLAGSMAN"): _l("Partner"),
        ("role", "KOMPLEMENTAR"): _l("General partner"),
        ("role", "VD"): _l("Managing director"),
        ("role", "ORDF"): _l("Chair of the board"),
        ("role", "LEDAMOT"): _l("Board member"),
        ("role", "SUPPLEANT"): _l("Deputy board member"),
    }
    detail_labels = {
        "company": _l("Company or association"),
        "company_form": _l("Form"),
        "company_status": _l("Company status"),
        "role": _l("Role"),
    }
    figures = {"bolagsverket.roller.role": FACT}

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return (
            "/bolagsverket/foretagsinformation/v1/funktionarsuppdrag",
            {
                "personidentitetsnummer": personnummer,
                "avserPeriod": {"fromDatum": period.start.isoformat(), "tomDatum": period.end.isoformat()},
            },
        )

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get("funktionarsuppdrag") == []

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            return self._roles(raw, period)

    def _roles(self, raw, period) -> list[Item]:
        items = []
        for assignment in _get(raw, "funktionarsuppdrag", list):
            organisation = _get(assignment, "organisation", dict)
            company = _get(organisation, "namn", str)
            form = _code(_get(organisation, "organisationsform", dict), "kod", FORMS)
            status = _code(_get(organisation, "status", dict), "kod", STATES)
            for role in _get(assignment, "roller", list):
                code = _code(role, "kod", ROLES)
                start, end = _date(role, "fran"), _date(role, "till", optional=True)
                if end is not None and end < start:
                    raise _Drift("till")
                if period.overlaps(start, end):
                    items.append(
                        Item(
                            NAME,
                            "roller",
                            "bolagsverket.roller.role",
                            "work",
                            start,
                            end,
                            details={"company": company, "company_form": form, "company_status": status, "role": code},
                        )
                    )
        return items


PROVIDER = Bolagsverket()
