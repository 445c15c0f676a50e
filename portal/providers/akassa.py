"""Arbetslöshetskassorna: membership and unemployment benefit, through the a-kassor's shared API.

Raw format (see ``devstack/sandbox/providers/akassa.py``): ``POST /akassa/api/v1/<set>`` with
``{"identitetsnummer", "period": {"from": "YYYY-MM-DD", "tom": "YYYY-MM-DD"}}``. Dates are ISO,
amounts kronor as decimal strings with a point (``"18720.00"``).
"""

from __future__ import annotations

import re

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider, paid_and_taxed
from portal.providers.items import FACT, PAYMENT, TAX_WITHHELD, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import decimal_ore, unexpected_format
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date

NAME = "akassa"
_AMOUNT = re.compile(r"\d+\.\d{2}")
BENEFIT_TYPES = {"INKOMSTBASERAD", "GRUNDBELOPP"}


def _ore(raw, key: str) -> int:
    return decimal_ore(_get(raw, key, str), _AMOUNT, key)


def request_body(personnummer: str, period) -> dict:
    """The a-kassor's question about a person over a period, the same for every endpoint."""
    return {
        "identitetsnummer": personnummer,
        "period": {"from": period.start.isoformat(), "tom": period.end.isoformat()},
    }


class Akassa(Provider):
    name = NAME
    title = _l("Arbetslöshetskassorna")
    purpose = _l(
        "Unemployment benefit from an a-kassa counts as income, and the municipality needs to know "
        "whether you are a member and how many benefit days you have left."
    )
    order = 45
    sets = (
        InfoSet("medlemskap", _l("Membership of an a-kassa")),
        InfoSet("ersattning", _l("Unemployment benefit paid and days used")),
    )
    labels = {
        "akassa.medlemskap.membership": (
            _l("Member of an a-kassa"),
            _l("You are a member of an a-kassa, so you may be able to get unemployment benefit if you lose your job."),
        ),
        "akassa.ersattning.payment": (
            _l("Unemployment benefit (a-kassa)"),
            _l("Money from your a-kassa while you are unemployed. It counts as income."),
        ),
        "akassa.ersattning.tax": (
            _l("Tax deducted by the a-kassa"),
            _l("The tax taken from the benefit. What you got is the amount before tax minus this tax."),
        ),
        "akassa.ersattning.period": (
            _l("Benefit period at the a-kassa (amount per day)"),
            _l("How much you get per day before tax and how many of your benefit days you have used."),
        ),
    }
    codes = {
        ("type", "INKOMSTBASERAD"): _l("Based on earlier income"),
        ("type", "GRUNDBELOPP"): _l("Basic amount"),
    }
    detail_labels = {
        "fund": _l("A-kassa"),
        "paid_on": _l("Paid on"),
        "days": _l("Days paid"),
        "type": _l("Type of benefit"),
        "days_used": _l("Benefit days used"),
        "days_total": _l("Benefit days in the period"),
    }

    # The benefit period carries the amount per day (a rate), not a payment.
    figures = {
        "akassa.medlemskap.membership": FACT,
        "akassa.ersattning.period": FACT,
        "akassa.ersattning.payment": PAYMENT,
        "akassa.ersattning.tax": TAX_WITHHELD,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return f"/akassa/api/v1/{info_set}", request_body(personnummer, period)

    def nothing(self, info_set: str, raw: dict) -> bool:
        return info_set == "medlemskap" and isinstance(raw, dict) and raw.get("medlemskap") == []

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            if not isinstance(raw, dict):
                raise _Drift("root")
            if info_set == "medlemskap":
                return self._membership(raw, period)
            return self._benefit(raw, period)

    def _membership(self, raw: dict, period) -> list[Item]:
        items = []
        for membership in _get(raw, "medlemskap", list):
            fund = _get(_get(membership, "kassa", dict), "namn", str)
            start = _date(membership, "intradesdatum")
            end = _date(membership, "uttradesdatum", optional=True)
            if period.overlaps(start, end):
                items.append(
                    Item(NAME, "medlemskap", "akassa.medlemskap.membership", "work", start, end, details={"fund": fund})
                )
        return items

    def _benefit(self, raw: dict, period) -> list[Item]:
        items = []
        fund = _get(_get(raw, "kassa", dict), "namn", str)
        benefit = _get(raw, "ersattningsperiod", dict)
        start = _date(benefit, "startdatum")
        end = _date(benefit, "slutdatum", optional=True)
        used, total = _get(benefit, "dagarForbrukade", int), _get(benefit, "dagarTotalt", int)
        kind = _get(benefit, "ersattningstyp", str)
        if kind not in BENEFIT_TYPES:
            raise _Drift("ersattningstyp")
        daily = _ore(benefit, "dagpenning")
        if period.overlaps(start, end):
            items.append(
                Item(
                    NAME,
                    "ersattning",
                    "akassa.ersattning.period",
                    "income",
                    start,
                    end,
                    amount_ore=daily,
                    gross=True,
                    details={"fund": fund, "type": kind, "days_used": used, "days_total": total},
                )
            )
        for payment in _get(raw, "utbetalningar", list):
            paid_on = _date(payment, "utbetalningsdatum")
            covers = _get(payment, "avser", dict)
            pay_start, pay_end = _date(covers, "from"), _date(covers, "tom")
            gross, tax = _ore(payment, "brutto"), _ore(payment, "skatt")
            days = _get(payment, "ersattningsdagar", int)
            if not period.overlaps(pay_start, pay_end):
                continue
            items += paid_and_taxed(
                NAME,
                "ersattning",
                "akassa.ersattning.payment",
                pay_start,
                pay_end,
                gross,
                tax,
                {"days": days, "paid_on": paid_on.isoformat()},
                {"paid_on": paid_on.isoformat()},
            )
        return items


PROVIDER = Akassa()
