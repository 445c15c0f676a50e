"""Pay from employers month by month: Skatteverket's employer declarations at individual level
(arbetsgivardeklaration på individnivå, AGI). Every employer reports each month, by the 12th of
the next, what it paid each person: cash pay before tax, taxable benefits (a company car, meals,
housing) and the tax it withheld. Its own consent unit, apart from Skatteverket's other sets,
because it tells the municipality about every job.

Amounts: the cash pay is income before tax and the withheld tax is tax, so a month's pay counts
as cash pay − tax (``portal/information/totals.py``). A benefit is taxed but is not money the
person has, so it is shown and never added.

Raw format (see ``devstack/sandbox/providers/employer_pay.py``): ``POST
/skatteverket/arbetsgivardeklaration/v1/individuppgifter`` with ``{"Identitetsbeteckning",
"FromRedovisningsmanad": "YYYYMM", "TomRedovisningsmanad": "YYYYMM"}``; months YYYYMM, dates
YYYYMMDD, amounts integer kronor, as in Skatteverket's other answers. Kept per declaration: the
employer's name, the month, cash pay, benefits and tax. The employer's organisation number,
the specification number, the workplace address and the declaration's dates are dropped here.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider, paid_and_taxed
from portal.providers.items import FACT, INCOME_GROSS, TAX_WITHHELD, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import code as _code
from portal.providers.parse import get as _get
from portal.providers.parse import month, unexpected_format
from portal.providers.parse import whole_kronor as _ore

NAME = "arbetsgivardeklaration"
SET = "lon"
BENEFIT_TYPES = {"BILFORMAN", "KOSTFORMAN", "BOSTADSFORMAN", "OVRIG"}
_MONTH = re.compile(r"(\d{4})(0[1-9]|1[0-2])")


def _month(raw, key: str) -> tuple[date, date]:
    return month(_get(raw, key, str), _MONTH, key)


class EmployerPay(Provider):
    name = NAME
    title = _l("Skatteverket: pay from employers")
    purpose = _l(
        "Pay from work counts as income. Employers report to Skatteverket each month what they paid "
        "you and the tax they took, so you do not need to send pay slips."
    )
    order = 15
    sets = (InfoSet(SET, _l("Pay, benefits and tax reported by your employers, month by month")),)
    labels = {
        "arbetsgivardeklaration.lon.pay": (
            _l("Pay from an employer (before tax)"),
            _l("The pay your employer reported for the month, before tax. It counts as income."),
        ),
        "arbetsgivardeklaration.lon.tax": (
            _l("Tax taken from your pay"),
            _l("The tax your employer took from your pay. What you got is the pay before tax minus this tax."),
        ),
        "arbetsgivardeklaration.lon.benefit": (
            _l("Taxable benefit from an employer"),
            _l(
                "Something your employer gave you instead of money, such as a car or meals. It is taxed, but it is "
                "not money you have, so it is not added to your income."
            ),
        ),
    }
    codes = {
        ("benefit_type", "BILFORMAN"): _l("Company car"),
        ("benefit_type", "KOSTFORMAN"): _l("Meals"),
        ("benefit_type", "BOSTADSFORMAN"): _l("Housing"),
        ("benefit_type", "OVRIG"): _l("Other benefit"),
    }
    detail_labels = {
        "employer": _l("Employer"),
        "benefit_type": _l("Kind of benefit"),
    }
    figures = {
        "arbetsgivardeklaration.lon.pay": INCOME_GROSS,
        "arbetsgivardeklaration.lon.tax": TAX_WITHHELD,
        "arbetsgivardeklaration.lon.benefit": FACT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return (
            "/skatteverket/arbetsgivardeklaration/v1/individuppgifter",
            {
                "Identitetsbeteckning": personnummer,
                "FromRedovisningsmanad": period.start.strftime("%Y%m"),
                "TomRedovisningsmanad": period.end.strftime("%Y%m"),
            },
        )

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get("Individuppgifter") == []

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            return self._declarations(raw, period)

    def _declarations(self, raw, period) -> list[Item]:
        items = []
        for declaration in _get(raw, "Individuppgifter", list):
            start, end = _month(declaration, "Redovisningsmanad")
            employer = _get(_get(declaration, "Arbetsgivare", dict), "Namn", str)
            pay, tax = _ore(declaration, "KontantErsattning"), _ore(declaration, "AvdragenSkatt")
            benefits = [
                (_code(b, "Typ", BENEFIT_TYPES), _ore(b, "Belopp")) for b in _get(declaration, "Formaner", list)
            ]
            if _get(declaration, "Borttagen", str) not in ("J", "N"):
                raise _Drift("Borttagen")
            # A declaration the employer withdrew (replaced by a correction) is not pay.
            if declaration["Borttagen"] == "J" or not period.overlaps(start, end):
                continue
            details = {"employer": employer}
            items += paid_and_taxed(NAME, SET, "arbetsgivardeklaration.lon.pay", start, end, pay, tax, details)
            for kind, amount in benefits:
                items.append(
                    Item(
                        NAME,
                        SET,
                        "arbetsgivardeklaration.lon.benefit",
                        "income",
                        start,
                        end,
                        amount_ore=amount,
                        details={**details, "benefit_type": kind},
                    )
                )
        return items


PROVIDER = EmployerPay()
