"""Försäkringskassan: applications being decided (a refusal with its reason) and payments decided
for the coming months, for every benefit (``portal/providers/pending.py``).

Raw format (see ``devstack/sandbox/providers/forsakringskassan_arenden.py``): ``POST
/forsakringskassan/api/arenden/v1/sok`` with ``{"personId", "fromDatum", "tomDatum"}`` (ISO dates),
as Försäkringskassan's other endpoints: ISO dates, months "YYYY-MM", kronor as strings with a comma
decimal and a space as thousands separator.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers import forsakringskassan, parse
from portal.providers.pending import GRANTED, PENDING, REFUSED, Format, PendingProvider

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_KRONOR = re.compile(r"\d{1,3}(?: \d{3})*,\d{2}")


def iso_date(text: str) -> date:
    return parse.day(text, "date")


def month(text) -> tuple[date, date]:
    return parse.month(text, _MONTH, "month")


def kronor(text) -> int:
    return parse.decimal_ore(text, _KRONOR, "belopp", point=",")


class ForsakringskassanPending(PendingProvider):
    name = "forsakringskassan_arenden"
    title = _l("Försäkringskassan: applications and coming payments")
    agency = _l("Försäkringskassan")
    purpose = _l(
        "An application Försäkringskassan is deciding, or a payment it has decided for the coming "
        "months, may be money for the same months you apply for."
    )
    order = 21
    path = "/forsakringskassan/api/arenden/v1/sok"
    request_body = staticmethod(forsakringskassan.request_body)
    fmt = Format(
        applications="arenden",
        payments="beslutadeUtbetalningar",
        benefit="forman",
        status="status",
        applied="ansokningsdatum",
        decided="beslutsdatum",
        reason="avslag",
        reason_code="grundkod",
        pay_benefit="forman",
        covers="avserManad",
        paid_on="utbetalningsdatum",
        amount="belopp",
        taxable="skattepliktig",
        date=iso_date,
        month=month,
        amount_of=kronor,
        benefits={
            k: k
            for k in (
                "BOSTADSBIDRAG",
                "BARNBIDRAG",
                "UNDERHALLSSTOD",
                "SJUKPENNING",
                "FORALDRAPENNING",
                "AKTIVITETSSTOD",
                "SJUKERSATTNING",
            )
        },
        statuses={
            "MOTTAGEN": PENDING,
            "UNDER_HANDLAGGNING": PENDING,
            "KOMPLETTERING_BEGARD": PENDING,
            "BEVILJAD": GRANTED,
            "AVSLAGEN": REFUSED,
        },
        reasons={
            "INKOMST_OVER_GRANS": "INCOME_TOO_HIGH",
            "KOMPLETTERING_UTEBLEV": "DOCUMENTS_MISSING",
            "EJ_FORSAKRAD": "NOT_INSURED",
            "VILLKOR_EJ_UPPFYLLDA": "CONDITIONS_NOT_MET",
        },
    )


PROVIDER = ForsakringskassanPending()
