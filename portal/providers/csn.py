"""CSN: studiemedel (bidrag and lån per study period) and studiestartsstöd.

Raw format (see ``devstack/sandbox/providers/csn.py``): ``POST /csn/api/v1/<set>`` with
``{"Personnummer", "Tidsperiod": {"Fran": "YYYYMMDD", "Till": "YYYYMMDD"}}``. Dates are
``YYYYMMDD`` strings, amounts integer kronor. Studiemedel is tax-free; studiestartsstöd is
taxable and comes with ``Bruttobelopp`` and ``Skatteavdrag``.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider, paid_and_taxed
from portal.providers.items import FACT, INCOME_NET, PAYMENT, TAX_WITHHELD, Item
from portal.providers.parse import COMPACT_DAY, day, unexpected_format
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import get as _get
from portal.providers.parse import whole_kronor as _kronor

NAME = "csn"
_TERM = re.compile(r"(HT|VT)\d{4}")


def _date(raw, key: str) -> date:
    return day(_get(raw, key, str), key, COMPACT_DAY)


def request_body(personnummer: str, period) -> dict:
    """CSN's question about a person over a period, the same for every endpoint."""
    return {
        "Personnummer": personnummer,
        "Tidsperiod": {"Fran": period.start.strftime("%Y%m%d"), "Till": period.end.strftime("%Y%m%d")},
    }


class Csn(Provider):
    name = NAME
    title = _l("CSN")
    purpose = _l(
        "Student finance from CSN is meant to cover your living costs while you study, "
        "so the municipality needs to know what you get."
    )
    order = 30
    sets = (
        InfoSet("studiemedel", _l("Studiemedel (student grant and loan)"), for_children=True),
        InfoSet("studiestartsstod", _l("Studiestartsstöd (study start support)"), for_children=True),
    )
    labels = {
        "csn.studiemedel.period": (
            _l("Study period with studiemedel"),
            _l("The term you have studiemedel for. While you study you are expected to live on studiemedel."),
        ),
        "csn.studiemedel.bidrag": (
            _l("Studiemedel, grant (bidrag)"),
            _l("The grant part of studiemedel from CSN. It counts as income."),
        ),
        "csn.studiemedel.lan": (
            _l("Studiemedel, loan (lån)"),
            _l("The loan part of studiemedel from CSN. It also counts as income, even though you pay it back."),
        ),
        "csn.studiestartsstod.payment": (
            _l("Studiestartsstöd"),
            _l("Studiestartsstöd: money from CSN while you study to get back to work. It counts as income."),
        ),
        "csn.studiestartsstod.tax": (
            _l("Tax deducted by CSN"),
            _l("The tax taken from studiestartsstöd. What you got is the amount before tax minus this tax."),
        ),
    }
    codes = {}
    detail_labels = {
        "term": _l("Term"),
        "study_pace": _l("Study pace, percent"),
        "weeks": _l("Weeks"),
        "paid_on": _l("Paid on"),
    }

    # Grant and loan are paid without tax withheld; studiestartsstöd is taxed.
    figures = {
        "csn.studiemedel.period": FACT,
        "csn.studiemedel.bidrag": INCOME_NET,
        "csn.studiemedel.lan": INCOME_NET,
        "csn.studiestartsstod.payment": PAYMENT,
        "csn.studiestartsstod.tax": TAX_WITHHELD,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return f"/csn/api/v1/{info_set}", request_body(personnummer, period)

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            if not isinstance(raw, dict):
                raise _Drift("root")
            if info_set == "studiemedel":
                return self._studiemedel(raw, period)
            return self._studiestartsstod(raw, period)

    def _studiemedel(self, raw: dict, period) -> list[Item]:
        items: list[Item] = []
        for study in _get(raw, "Studieperioder", list):
            start, end = _date(study, "PeriodFran"), _date(study, "PeriodTill")
            term = _get(study, "Termin", str)
            if not _TERM.fullmatch(term):
                raise _Drift("Termin")
            pace = _get(study, "Studietakt", int)
            weeks = _get(study, "Veckor", int)
            payments = []
            for payment in _get(study, "Utbetalningar", list):
                payments.append(
                    (
                        _date(payment, "Utbetalningsdatum"),
                        _date(payment, "AvserFran"),
                        _date(payment, "AvserTill"),
                        _kronor(payment, "Bidrag") + _kronor(payment, "Tillaggsbidrag"),
                        _kronor(payment, "Lan") + _kronor(payment, "Tillaggslan") + _kronor(payment, "Merkostnadslan"),
                    )
                )
            if not period.overlaps(start, end):
                continue
            items.append(
                Item(
                    NAME,
                    "studiemedel",
                    "csn.studiemedel.period",
                    "income",
                    start,
                    end,
                    details={"term": term, "study_pace": pace, "weeks": weeks},
                )
            )
            for paid_on, pay_start, pay_end, grant, loan in payments:
                if not period.overlaps(pay_start, pay_end):
                    continue
                details = {"term": term, "paid_on": paid_on.isoformat()}
                if grant:
                    items.append(
                        Item(
                            NAME,
                            "studiemedel",
                            "csn.studiemedel.bidrag",
                            "income",
                            pay_start,
                            pay_end,
                            amount_ore=grant,
                            gross=False,
                            details=details,
                        )
                    )
                if loan:
                    items.append(
                        Item(
                            NAME,
                            "studiemedel",
                            "csn.studiemedel.lan",
                            "income",
                            pay_start,
                            pay_end,
                            amount_ore=loan,
                            gross=False,
                            details=details,
                        )
                    )
        return items

    def _studiestartsstod(self, raw: dict, period) -> list[Item]:
        items: list[Item] = []
        for payment in _get(raw, "Utbetalningar", list):
            paid_on = _date(payment, "Utbetalningsdatum")
            start, end = _date(payment, "AvserFran"), _date(payment, "AvserTill")
            gross, tax = _kronor(payment, "Bruttobelopp"), _kronor(payment, "Skatteavdrag")
            pace = _get(payment, "Studietakt", int)
            if not period.overlaps(start, end):
                continue
            items += paid_and_taxed(
                NAME,
                "studiestartsstod",
                "csn.studiestartsstod.payment",
                start,
                end,
                gross,
                tax,
                {"study_pace": pace, "paid_on": paid_on.isoformat()},
                {"paid_on": paid_on.isoformat()},
            )
        return items


PROVIDER = Csn()
