"""Migrationsverket: residence and work permits, and dagersättning (LMA) paid per month.

Raw format (see ``devstack/sandbox/providers/migrationsverket.py``): ``POST
/migrationsverket/api/v1/tillstand`` and ``/migrationsverket/api/v1/lma/dagersattning`` with
``{"personnummer", …}``; the dagersättning request lists the months asked for (``manader``,
"YYYYMM"). Dates are ISO, months "YYYYMM", amounts integer öre; ``skattepliktig`` says whether
an amount is before tax (dagersättning is tax free, so it is what was paid out).
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, PAYMENT, Item
from portal.providers.parse import code as _code
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date
from portal.providers.parse import month, unexpected_format

NAME = "migrationsverket"
_MONTH = re.compile(r"(\d{4})(\d{2})")
PERMIT_KINDS = {"UT": "residence_permit", "AT": "work_permit", "UNDANTAG_AT": "work_permit"}
DURATIONS = {"PERMANENT", "TIDSBEGRANSAT"}
PAYMENT_TYPES = {"DAGERSATTNING", "SARSKILT_BIDRAG"}
HOUSING = {"EBO", "ABO"}


def _month(raw, key: str) -> tuple[date, date]:
    return month(_get(raw, key, str), _MONTH, key)


def _months(period) -> list[str]:
    year, month, months = period.start.year, period.start.month, []
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class Migrationsverket(Provider):
    name = NAME
    title = _l("Migrationsverket")
    purpose = _l(
        "To see your residence and work permit and any dagersättning, because they affect "
        "your right to ekonomiskt bistånd and to work, and dagersättning counts as income."
    )
    order = 80
    sets = (
        InfoSet("tillstand", _l("Residence and work permit")),
        InfoSet("dagersattning", _l("Dagersättning (LMA)")),
    )
    labels = {
        "migrationsverket.tillstand.residence_permit": (
            _l("Residence permit"),
            _l(
                "Your permit to live in Sweden and how long it is valid. With a residence permit you "
                "can get ekonomiskt bistånd from the municipality where you live."
            ),
        ),
        "migrationsverket.tillstand.work_permit": (
            _l("Work permit"),
            _l("Your right to work in Sweden and how long it is valid."),
        ),
        "migrationsverket.dagersattning.payment": (
            _l("Dagersättning"),
            _l("Money from Migrationsverket for daily costs while your case was handled. It counts as income."),
        ),
    }
    detail_labels = {
        "permit": _l("Permit"),
        "duration": _l("Duration"),
        "grounds": _l("Grounds"),
        "benefit": _l("Type of payment"),
        "days": _l("Days"),
        "paid": _l("Paid on"),
    }
    codes = {
        ("permit", "UT"): _l("Residence permit"),
        ("permit", "AT"): _l("Work permit"),
        ("permit", "UNDANTAG_AT"): _l("Exemption from the work permit requirement (AT-UND)"),
        ("duration", "PERMANENT"): _l("Permanent"),
        ("duration", "TIDSBEGRANSAT"): _l("Temporary"),
        ("grounds", "SKYDD"): _l("Protection (refugee or subsidiary protection)"),
        ("grounds", "ARBETE"): _l("Work"),
        ("grounds", "ANKNYTNING"): _l("Family ties"),
        ("grounds", "STUDIER"): _l("Studies"),
        ("grounds", "ASYLSOKANDE"): _l("Asylum seeker"),
        ("benefit", "DAGERSATTNING"): _l("Dagersättning"),
        ("benefit", "SARSKILT_BIDRAG"): _l("Special allowance"),
    }

    figures = {
        f"{NAME}.tillstand.residence_permit": FACT,
        f"{NAME}.tillstand.work_permit": FACT,
        f"{NAME}.dagersattning.payment": PAYMENT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        if info_set == "tillstand":
            return "/migrationsverket/api/v1/tillstand", {"personnummer": personnummer}
        if info_set == "dagersattning":
            return "/migrationsverket/api/v1/lma/dagersattning", {
                "personnummer": personnummer,
                "manader": _months(period),
            }
        raise KeyError(info_set)

    def normalise(self, info_set: str, raw: dict, period) -> list:
        parse = {"tillstand": self._tillstand, "dagersattning": self._dagersattning}[info_set]
        with unexpected_format(NAME):
            items = parse(raw)
        return [item for item in items if period.overlaps(item.period_start, item.period_end)]

    def _tillstand(self, raw) -> list:
        items = []
        for permit in _get(raw, "tillstand", list):
            kind = _code(permit, "tillstandstyp", PERMIT_KINDS)
            items.append(
                Item(
                    provider=NAME,
                    info_set="tillstand",
                    kind=f"{NAME}.tillstand.{PERMIT_KINDS[kind]}",
                    theme="other",
                    period_start=_date(permit, "giltigFrom"),
                    period_end=_date(permit, "giltigTom", True),
                    details={
                        "permit": kind,
                        "duration": _code(permit, "varaktighet", DURATIONS),
                        "grounds": _get(permit, "grund", str),
                    },
                )
            )
        return items

    def _dagersattning(self, raw) -> list:
        items = []
        for payment in _get(raw, "utbetalningar", list):
            start, end = _month(payment, "manad")
            items.append(
                Item(
                    provider=NAME,
                    info_set="dagersattning",
                    kind=f"{NAME}.dagersattning.payment",
                    theme="income",
                    period_start=start,
                    period_end=end,
                    amount_ore=_get(payment, "beloppOre", int),
                    gross=_get(payment, "skattepliktig", bool),
                    details={
                        "benefit": _code(payment, "ersattningstyp", PAYMENT_TYPES),
                        "days": _get(payment, "dagar", int),
                        "paid": _date(payment, "utbetald").isoformat(),
                    },
                )
            )
        return items


PROVIDER = Migrationsverket()
