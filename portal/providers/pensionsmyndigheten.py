"""Pensionsmyndigheten: ålderspension, premiepension, bostadstillägg and efterlevandepension.

Raw format (see ``devstack/sandbox/providers/pensionsmyndigheten.py``): ``POST
/pensionsmyndigheten/api/v1/<set>`` with ``{"personnummer", "franManad": "YYYYMM",
"tillManad": "YYYYMM"}``. Months are ``YYYYMM``, payment days ISO dates, amounts integer öre.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, PAYMENT, TAX_WITHHELD, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import code as _code
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date
from portal.providers.parse import month as _month_of
from portal.providers.parse import unexpected_format

NAME = "pensionsmyndigheten"
_MONTH = re.compile(r"(\d{4})(\d{2})")
PARTS = {"IP", "TP", "GP"}
SURVIVOR_TYPES = {"OMSTALLNINGSPENSION", "BARNPENSION", "EFTERLEVANDESTOD", "ANKEPENSION"}
SURVIVOR_STATUSES = {"LOPANDE", "UPPHORD"}


def _ore(raw, key: str) -> int:
    value = _get(raw, key, int)
    if value < 0:
        raise _Drift(key)
    return value


def _month(raw) -> tuple[date, date]:
    return _month_of(_get(raw, "manad", str), _MONTH, "manad")


def request_body(personnummer: str, period) -> dict:
    """Pensionsmyndigheten's question about a person over a period's months, the same for every endpoint."""
    return {
        "personnummer": personnummer,
        "franManad": period.start.strftime("%Y%m"),
        "tillManad": period.end.strftime("%Y%m"),
    }


class Pensionsmyndigheten(Provider):
    name = NAME
    title = _l("Pensionsmyndigheten")
    purpose = _l(
        "Pensions and bostadstillägg count as income when the municipality works out how much help you can get."
    )
    order = 50
    sets = (
        InfoSet("alderspension", _l("Ålderspension (old-age pension)")),
        InfoSet("premiepension", _l("Premiepension")),
        InfoSet("bostadstillagg", _l("Bostadstillägg (housing supplement for pensioners)")),
        InfoSet("efterlevandepension", _l("Efterlevandepension (survivor's pension)"), for_children=True),
    )
    labels = {
        "pensionsmyndigheten.alderspension.payment": (
            _l("Ålderspension"),
            _l("Your public old-age pension from Pensionsmyndigheten. It counts as income."),
        ),
        "pensionsmyndigheten.premiepension.payment": (
            _l("Premiepension"),
            _l("The part of your pension that comes from your premiepension funds. It counts as income."),
        ),
        "pensionsmyndigheten.bostadstillagg.payment": (
            _l("Bostadstillägg"),
            _l("Bostadstillägg: money from Pensionsmyndigheten towards your housing costs. It counts as income."),
        ),
        "pensionsmyndigheten.efterlevandepension.payment": (
            _l("Efterlevandepension"),
            _l("Money paid after the death of a husband, wife, partner or parent. It counts as income."),
        ),
        "pensionsmyndigheten.efterlevandepension.decision": (
            _l("Right to efterlevandepension"),
            _l("The period in which efterlevandepension is paid. After the end date there is no more money."),
        ),
    }
    for _set in ("alderspension", "premiepension", "efterlevandepension"):
        labels[f"pensionsmyndigheten.{_set}.tax"] = (
            _l("Tax deducted by Pensionsmyndigheten"),
            _l("The tax taken from the pension. What you got is the amount before tax minus this tax."),
        )
    del _set
    codes = {
        ("part", "IP"): _l("Inkomstpension"),
        ("part", "TP"): _l("Tilläggspension"),
        ("part", "GP"): _l("Garantipension"),
        ("type", "OMSTALLNINGSPENSION"): _l("Omställningspension (for a widow, widower or partner)"),
        ("type", "BARNPENSION"): _l("Barnpension (for a child)"),
        ("type", "EFTERLEVANDESTOD"): _l("Efterlevandestöd (for a child)"),
        ("type", "ANKEPENSION"): _l("Änkepension (for a widow)"),
        ("status", "LOPANDE"): _l("Being paid"),
        ("status", "UPPHORD"): _l("Ended"),
    }
    detail_labels = {
        "part": _l("Part of the pension"),
        "type": _l("Type"),
        "status": _l("Status"),
        "paid_on": _l("Paid on"),
    }

    figures = {
        **{
            f"{NAME}.{s}.payment": PAYMENT
            for s in ("alderspension", "premiepension", "bostadstillagg", "efterlevandepension")
        },
        **{f"{NAME}.{s}.tax": TAX_WITHHELD for s in ("alderspension", "premiepension", "efterlevandepension")},
        f"{NAME}.efterlevandepension.decision": FACT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return f"/pensionsmyndigheten/api/v1/{info_set}", request_body(personnummer, period)

    def nothing(self, info_set: str, raw: dict) -> bool:
        if not isinstance(raw, dict):
            return False
        keys = ["manadsutbetalningar"] + (["formaner"] if info_set == "efterlevandepension" else [])
        return all(raw.get(key) == [] for key in keys)

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            return self._normalise(info_set, raw, period)

    def _item(self, info_set, suffix, start, end, amount, gross, details) -> Item:
        return Item(
            NAME,
            info_set,
            f"{NAME}.{info_set}.{suffix}",
            "income",
            start,
            end,
            amount_ore=amount,
            gross=gross,
            details=details,
        )

    def _normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        if not isinstance(raw, dict):
            raise _Drift("root")
        items: list[Item] = []
        for month in _get(raw, "manadsutbetalningar", list):
            start, end = _month(month)
            paid = {"paid_on": _date(month, "utbetalningsdag").isoformat()}
            found: list[Item] = []
            if info_set == "alderspension":
                for part in _get(month, "delar", list):
                    found.append(
                        self._item(
                            info_set,
                            "payment",
                            start,
                            end,
                            _ore(part, "bruttoOre"),
                            True,
                            {"part": _code(part, "delkod", PARTS), **paid},
                        )
                    )
                tax = _ore(month, "skattOre")
            elif info_set == "premiepension":
                found.append(self._item(info_set, "payment", start, end, _ore(month, "bruttoOre"), True, paid))
                tax = _ore(month, "skattOre")
            elif info_set == "bostadstillagg":
                found.append(self._item(info_set, "payment", start, end, _ore(month, "beloppOre"), False, paid))
                tax = 0
            else:
                taxable = _get(month, "skattepliktig", bool)
                kind = _code(month, "formanstyp", SURVIVOR_TYPES)
                found.append(
                    self._item(
                        info_set, "payment", start, end, _ore(month, "bruttoOre"), taxable, {"type": kind, **paid}
                    )
                )
                tax = _ore(month, "skattOre") if taxable else 0
            if tax:
                found.append(self._item(info_set, "tax", start, end, tax, None, paid))
            if period.overlaps(start, end):
                items.extend(found)
        if info_set == "efterlevandepension":
            for benefit in _get(raw, "formaner", list):
                kind = _code(benefit, "formanstyp", SURVIVOR_TYPES)
                status = _code(benefit, "status", SURVIVOR_STATUSES)
                start, end = _date(benefit, "giltigFrom"), _date(benefit, "giltigTom", optional=True)
                if period.overlaps(start, end):
                    items.append(
                        self._item(info_set, "decision", start, end, None, None, {"type": kind, "status": status})
                    )
        return items


PROVIDER = Pensionsmyndigheten()
