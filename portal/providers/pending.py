"""What is pending and what is coming at the agencies that pay benefits (issue 22, point 5):
applications still being decided (and, for a refusal, the reason), and payments already decided
for the coming months. Not a provider itself: the adapters ``forsakringskassan_arenden``,
``csn_arenden``, ``pensionsmyndigheten_arenden`` and ``akassa_arenden`` each build one
:class:`PendingProvider` from their agency's own raw format (:class:`Format`), and each is its own
consent unit beside the agency's payments.

Why the municipality asks: ekonomiskt bistånd comes last, after what other agencies pay; an
application being decided may give money for the same months, and a decided payment in a coming
month is money the person will have. Neither is money of the months applied for yet, so every
kind here is a fact, never added to the totals (``portal/information/totals.py``).

Kept: for each application the benefit, the status, the dates and a refusal's reason (as the
portal's own code); for each coming payment the benefit, the month it is for, the day it is paid
and its amount. The agencies' case numbers, case officers, free-text decisions and account numbers
are dropped here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import clock
from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, Item
from portal.providers.parse import Drift, unexpected_format
from portal.providers.parse import get as _get

SET = "arenden"
PENDING, GRANTED, REFUSED = "PENDING", "GRANTED", "REFUSED"
# How far ahead decided payments are fetched: the months the next applications are for.
MONTHS_AHEAD = 3

BENEFITS = {
    "BOSTADSBIDRAG": _l("Bostadsbidrag (housing allowance)"),
    "BARNBIDRAG": _l("Barnbidrag (child allowance)"),
    "UNDERHALLSSTOD": _l("Underhållsstöd (maintenance support)"),
    "SJUKPENNING": _l("Sjukpenning (sickness benefit)"),
    "FORALDRAPENNING": _l("Föräldrapenning (parental benefit)"),
    "AKTIVITETSSTOD": _l("Aktivitetsstöd (activity support)"),
    "SJUKERSATTNING": _l("Sjukersättning (sickness compensation)"),
    "STUDIEMEDEL": _l("Studiemedel (student grant and loan)"),
    "STUDIESTARTSSTOD": _l("Studiestartsstöd (study start support)"),
    "ALDERSPENSION": _l("Ålderspension (old-age pension)"),
    "BOSTADSTILLAGG": _l("Bostadstillägg (housing supplement for pensioners)"),
    "EFTERLEVANDEPENSION": _l("Efterlevandepension (survivor's pension)"),
    "ARBETSLOSHETSERSATTNING": _l("Unemployment benefit"),
}
REASONS = {
    "INCOME_TOO_HIGH": _l("Income too high"),
    "DOCUMENTS_MISSING": _l("Documents missing"),
    "NOT_INSURED": _l("Not insured in Sweden"),
    "CONDITIONS_NOT_MET": _l("The conditions were not met"),
    "STUDY_RESULTS": _l("Not enough study results"),
    "WORK_CONDITION": _l("Not enough work before (arbetsvillkor)"),
    "MEMBERSHIP_TOO_SHORT": _l("Not a member long enough"),
    "OTHER": _l("Another reason"),
}
STATUSES = {PENDING: _l("Being decided"), GRANTED: _l("Granted"), REFUSED: _l("Refused")}


@dataclass(frozen=True)
class Format:
    """One agency's raw format for pending applications and coming payments.

    ``applications``/``payments``: the lists' keys. ``benefit``, ``status``, ``applied``,
    ``decided``, ``reason``: the keys of an application (``reason`` an object holding
    ``reason_code``). ``pay_benefit``, ``covers``, ``paid_on``, ``amount``, ``taxable``: the keys of
    a payment. ``date``/``month``/``amount_of``: parsers (raw value -> date, (first, last) day of
    a month, öre). The code maps translate the agency's codes to the portal's.
    """

    applications: str
    payments: str
    benefit: str
    status: str
    applied: str
    decided: str
    reason: str
    reason_code: str
    pay_benefit: str
    covers: str
    paid_on: str
    amount: str
    taxable: str
    date: Callable
    month: Callable
    amount_of: Callable
    benefits: dict
    statuses: dict
    reasons: dict


def months_ahead(day: date, today: date) -> int:
    return (day.year - today.year) * 12 + day.month - today.month


class PendingProvider(Provider):
    """Pending applications and coming payments at one agency, in that agency's raw format."""

    fmt: Format
    agency: object = ""  # lazy translated: the agency's name
    path: str = ""  # where the agency answers
    # The agency asks as its other endpoints do: its own adapter's request body (person, period).
    request_body: Callable[[str, Any], dict]

    def __init__(self):
        self.sets = (
            InfoSet(
                SET, _l("Applications being decided, refusals and why, and payments decided for the coming months")
            ),
        )
        kinds = (f"{self.name}.{SET}.application", f"{self.name}.{SET}.upcoming")
        self.labels = {
            kinds[0]: (
                _l("Application at %(agency)s", agency=self.agency),
                _l(
                    "An application you have made and what has happened to it. If it is granted, the money may "
                    "count for the same months as this application."
                ),
            ),
            kinds[1]: (
                _l("Decided payment from %(agency)s, coming", agency=self.agency),
                _l(
                    "A payment already decided for a coming month. It is not yet paid, so it is not added to "
                    "this month's income."
                ),
            ),
        }
        self.figures = dict.fromkeys(kinds, FACT)
        self.codes = {
            **{("benefit", k): v for k, v in BENEFITS.items()},
            **{("status", k): v for k, v in STATUSES.items()},
            **{("reason", k): v for k, v in REASONS.items()},
        }
        self.detail_labels = {
            "benefit": _l("Benefit"),
            "status": _l("Status"),
            "reason": _l("Reason for refusal"),
            "decided_on": _l("Decided on"),
            "paid_on": _l("Paid on"),
            "before_tax": _l("Before tax"),
        }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return self.path, self.request_body(personnummer, period)

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get(self.fmt.applications) == [] and raw.get(self.fmt.payments) == []

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(self.name):
            return self._applications(raw, period) + self._payments(raw)

    def _code(self, raw, key: str, codes: dict) -> str:
        value = _get(raw, key, str)
        if value not in codes:
            raise Drift(key)
        return codes[value]

    def _applications(self, raw, period) -> list[Item]:
        f, items = self.fmt, []
        for entry in _get(raw, f.applications, list):
            benefit = self._code(entry, f.benefit, f.benefits)
            status = self._code(entry, f.status, f.statuses)
            applied = f.date(_get(entry, f.applied, str))
            decided_raw = _get(entry, f.decided, str, optional=True)
            decided = f.date(decided_raw) if decided_raw is not None else None
            reason_raw = _get(entry, f.reason, dict, optional=True)
            reason = self._code(reason_raw, f.reason_code, f.reasons) if reason_raw is not None else None
            if (status == PENDING) != (decided is None) or (status == REFUSED) != (reason is not None):
                raise Drift(f.status)
            if period.overlaps(applied, decided):
                items.append(
                    Item(
                        self.name,
                        SET,
                        f"{self.name}.{SET}.application",
                        "income",
                        applied,
                        decided,
                        details={
                            "benefit": benefit,
                            "status": status,
                            "reason": reason,
                            "decided_on": decided.isoformat() if decided else None,
                        },
                    )
                )
        return items

    def _payments(self, raw) -> list[Item]:
        f, items, today = self.fmt, [], clock.today()
        for entry in _get(raw, f.payments, list):
            benefit = self._code(entry, f.pay_benefit, f.benefits)
            start, end = f.month(_get(entry, f.covers, (str, int)))
            paid_on = f.date(_get(entry, f.paid_on, str))
            amount = f.amount_of(entry.get(f.amount, None))
            taxable = _get(entry, f.taxable, bool)
            if paid_on > today and months_ahead(start, today) <= MONTHS_AHEAD:
                items.append(
                    Item(
                        self.name,
                        SET,
                        f"{self.name}.{SET}.upcoming",
                        "income",
                        start,
                        end,
                        amount_ore=amount,
                        gross=taxable,
                        details={"benefit": benefit, "paid_on": paid_on.isoformat(), "before_tax": taxable},
                    )
                )
        return items
