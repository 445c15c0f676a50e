"""Arbetslöshetskassorna: applications for unemployment benefit being decided (a refusal with its
reason) and payments decided for the coming months (``portal/providers/pending.py``).

Raw format (see ``devstack/sandbox/providers/akassa_arenden.py``): ``POST /akassa/api/v1/arenden``
with ``{"identitetsnummer", "period": {"from", "tom"}}``, as the a-kassor's other endpoints: ISO
dates, months "YYYY-MM", kronor as strings with a point decimal (``"18720.00"``).
"""

from __future__ import annotations

import re

from portal.i18n.lazy import _l
from portal.providers import akassa
from portal.providers.forsakringskassan_arenden import iso_date, month
from portal.providers.parse import decimal_ore
from portal.providers.pending import GRANTED, PENDING, REFUSED, Format, PendingProvider

_AMOUNT = re.compile(r"\d+\.\d{2}")


def kronor(text) -> int:
    return decimal_ore(text, _AMOUNT, "brutto")


class AkassaPending(PendingProvider):
    name = "akassa_arenden"
    title = _l("Arbetslöshetskassorna: applications and coming payments")
    agency = _l("the a-kassa")
    purpose = _l(
        "An application for unemployment benefit being decided, or benefit already decided for the "
        "coming months, may be money for the same months you apply for."
    )
    order = 46
    path = "/akassa/api/v1/arenden"
    request_body = staticmethod(akassa.request_body)
    fmt = Format(
        applications="ansokningar",
        payments="planeradeUtbetalningar",
        benefit="typ",
        status="status",
        applied="inkom",
        decided="beslutad",
        reason="avslag",
        reason_code="skalkod",
        pay_benefit="typ",
        covers="avserManad",
        paid_on="utbetalningsdatum",
        amount="brutto",
        taxable="skattepliktig",
        date=iso_date,
        month=month,
        amount_of=kronor,
        benefits={"ERSATTNING": "ARBETSLOSHETSERSATTNING"},
        statuses={"UTREDS": PENDING, "BEVILJAD": GRANTED, "AVSLAGEN": REFUSED},
        reasons={"ARBETSVILLKOR": "WORK_CONDITION", "MEDLEMSVILLKOR": "MEMBERSHIP_TOO_SHORT", "OVRIGT": "OTHER"},
    )


PROVIDER = AkassaPending()
