"""Kronofogden (the Swedish Enforcement Authority): debts in enforcement, wage garnishment
(utmätning: Kronofogden takes part of a pay or benefit before it is paid out) and debt
restructuring (skuldsanering: a court-like decision that the person pays what they can for some
years and the rest of the debts are written off). One basic consent unit.

Why the municipality asks: a garnishment lowers what reaches the person each month, and debts
and skuldsanering explain why; none of them is income or an asset, so every kind here is a fact,
shown but never added to a total (``portal/information/totals.py``).

Raw format (see ``devstack/sandbox/providers/kronofogden.py``): ``POST /kronofogden/galdenar/v1/<set>``
with ``{"galdenarId": "<12 digits>", "urval": {"franDatum": "YYYYMMDD", "tillDatum": "YYYYMMDD"}}``.
Dates in answers are ISO, amounts whole kronor as integers. Kept: for each debt the creditor's
name and kind, when it was registered and what is left; for each garnishment the payer, the
kind of income and the monthly amount; for skuldsanering its status, dates and the monthly
payment. Case numbers, case officers, notes, organisation numbers and other people's numbers
are dropped here.
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
from portal.providers.parse import whole_kronor as _ore

NAME = "kronofogden"
CREDITOR_TYPES = {"ALLMAN", "ENSKILD"}  # allmänt mål (the state: taxes, fees) / enskilt mål (companies, people)
DEBT_STATES = {"AKTIV", "PRESKRIBERAD", "AVSLUTAD"}
INCOME_TYPES = {"LON", "PENSION", "ERSATTNING"}
RESTRUCTURING_STATES = {"ANSOKAN", "INLEDD", "BESLUTAD", "AVSLAGEN", "AVSLUTAD"}


class Kronofogden(Provider):
    name = NAME
    title = _l("Kronofogden")
    purpose = _l(
        "Debts that Kronofogden collects, money it takes from your pay or benefits, and debt "
        "restructuring change how much money you actually have each month."
    )
    order = 85
    sets = (
        InfoSet("skulder", _l("Debts that Kronofogden is collecting")),
        InfoSet("utmatning", _l("Money taken from your pay or benefits (utmätning)")),
        InfoSet("skuldsanering", _l("Debt restructuring (skuldsanering)")),
    )
    labels = {
        "kronofogden.skulder.debt": (
            _l("Debt being collected by Kronofogden"),
            _l(
                "A debt Kronofogden is collecting from you, with what is left to pay. A debt is not income, "
                "but it helps the municipality understand your situation."
            ),
        ),
        "kronofogden.utmatning.garnishment": (
            _l("Utmätning: taken each month by Kronofogden"),
            _l(
                "Kronofogden takes this amount each month from your pay or benefit before it reaches you. The "
                "amounts from your payer are before this is taken."
            ),
        ),
        "kronofogden.skuldsanering.case": (
            _l("Debt restructuring (skuldsanering)"),
            _l("Your application for or decision on skuldsanering, and what you pay each month under it."),
        ),
    }
    codes = {
        ("creditor_type", "ALLMAN"): _l("Public (taxes, fees, fines)"),
        ("creditor_type", "ENSKILD"): _l("Private (a company or a person)"),
        ("income_type", "LON"): _l("Pay"),
        ("income_type", "PENSION"): _l("Pension"),
        ("income_type", "ERSATTNING"): _l("Benefit"),
        ("status", "ANSOKAN"): _l("Applied for, not yet decided"),
        ("status", "INLEDD"): _l("Started, not yet decided"),
        ("status", "BESLUTAD"): _l("Granted, with a payment plan"),
        ("status", "AVSLAGEN"): _l("Refused"),
        ("status", "AVSLUTAD"): _l("Finished"),
    }
    detail_labels = {
        "creditor": _l("Owed to"),
        "creditor_type": _l("Kind of debt"),
        "payer": _l("Taken from"),
        "income_type": _l("Taken from what"),
        "decided_on": _l("Decided on"),
        "status": _l("Status"),
    }
    figures = {
        "kronofogden.skulder.debt": FACT,
        "kronofogden.utmatning.garnishment": FACT,
        "kronofogden.skuldsanering.case": FACT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return (
            f"/kronofogden/galdenar/v1/{info_set}",
            {
                "galdenarId": personnummer,
                "urval": {"franDatum": period.start.strftime("%Y%m%d"), "tillDatum": period.end.strftime("%Y%m%d")},
            },
        )

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get("registrerad") is False

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            if not isinstance(raw, dict):
                raise _Drift("root")
            return {"skulder": self._debts, "utmatning": self._garnishments, "skuldsanering": self._restructuring}[
                info_set
            ](raw, period)

    def _debts(self, raw: dict, period) -> list[Item]:
        items = []
        for debt in _get(raw, "mal", list):
            creditor = _get(debt, "borgenar", dict)
            name = _get(creditor, "namn", str)
            kind = _code(creditor, "typ", CREDITOR_TYPES)
            state = _code(debt, "status", DEBT_STATES)
            registered = _date(debt, "registreratDatum")
            ended = _date(debt, "avslutatDatum", optional=True)
            left = _ore(debt, "kvarAttBetalaKr")
            if (state == "AKTIV") != (ended is None):
                raise _Drift("avslutatDatum")
            if period.overlaps(registered, ended):
                items.append(
                    Item(
                        NAME,
                        "skulder",
                        "kronofogden.skulder.debt",
                        "other",
                        registered,
                        ended,
                        amount_ore=left,
                        details={"creditor": name, "creditor_type": kind},
                    )
                )
        return items

    def _garnishments(self, raw: dict, period) -> list[Item]:
        items = []
        for decision in _get(raw, "utmatningsbeslut", list):
            payer = _get(_get(decision, "betalare", dict), "namn", str)
            income = _code(decision, "inkomsttyp", INCOME_TYPES)
            decided = _date(decision, "beslutsdatum")
            start, end = _date(decision, "giltigFran"), _date(decision, "giltigTill", optional=True)
            monthly = _ore(decision, "manadsbeloppKr")
            if period.overlaps(start, end):
                items.append(
                    Item(
                        NAME,
                        "utmatning",
                        "kronofogden.utmatning.garnishment",
                        "income",
                        start,
                        end,
                        amount_ore=monthly,
                        details={"payer": payer, "income_type": income, "decided_on": decided.isoformat()},
                    )
                )
        return items

    def _restructuring(self, raw: dict, period) -> list[Item]:
        case = _get(raw, "arende", dict)
        state = _code(case, "status", RESTRUCTURING_STATES)
        applied = _date(case, "ansokningsdatum")
        decided = _date(case, "beslutsdatum", optional=True)
        plan = _get(case, "betalningsplan", dict, optional=True)
        if (decided is None) != (state in ("ANSOKAN", "INLEDD")) or (plan is not None) != (
            state in ("BESLUTAD", "AVSLUTAD")
        ):
            raise _Drift("arende")
        start, end, monthly = applied, None, None
        if plan is not None:
            start, end = _date(plan, "startdatum"), _date(plan, "slutdatum")
            monthly = _ore(plan, "manadsbeloppKr")
        elif state == "AVSLAGEN":
            end = decided
        if not period.overlaps(start, end):
            return []
        details = {"status": state, "decided_on": decided.isoformat() if decided else None}
        return [
            Item(
                NAME,
                "skuldsanering",
                "kronofogden.skuldsanering.case",
                "other",
                start,
                end,
                amount_ore=monthly,
                details=details,
            )
        ]


PROVIDER = Kronofogden()
