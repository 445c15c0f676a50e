"""Pensionsmyndigheten: applications being decided (a refusal with its reason) and payments
decided for the coming months (``portal/providers/pending.py``).

Raw format (see ``devstack/sandbox/providers/pensionsmyndigheten_arenden.py``): ``POST
/pensionsmyndigheten/api/v1/arenden`` with ``{"personnummer", "franManad", "tillManad"}``, as
Pensionsmyndigheten's other endpoints: ISO dates, months YYYYMM, amounts in öre as integers.
"""

from __future__ import annotations

from portal.i18n.lazy import _l
from portal.providers import pensionsmyndigheten
from portal.providers.csn_arenden import month
from portal.providers.forsakringskassan_arenden import iso_date
from portal.providers.parse import Drift
from portal.providers.pending import GRANTED, PENDING, REFUSED, Format, PendingProvider


def ore(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Drift("bruttoOre")
    return value


class PensionsmyndighetenPending(PendingProvider):
    name = "pensionsmyndigheten_arenden"
    title = _l("Pensionsmyndigheten: applications and coming payments")
    agency = _l("Pensionsmyndigheten")
    purpose = _l(
        "An application Pensionsmyndigheten is deciding, or a payment it has decided for the coming "
        "months, may be money for the same months you apply for."
    )
    order = 51
    path = "/pensionsmyndigheten/api/v1/arenden"
    request_body = staticmethod(pensionsmyndigheten.request_body)
    fmt = Format(
        applications="ansokningar",
        payments="kommandeUtbetalningar",
        benefit="formanskod",
        status="status",
        applied="inkomDatum",
        decided="beslutDatum",
        reason="avslagsorsak",
        reason_code="orsakskod",
        pay_benefit="formanskod",
        covers="manad",
        paid_on="utbetalningsdag",
        amount="bruttoOre",
        taxable="skattepliktig",
        date=iso_date,
        month=month,
        amount_of=ore,
        benefits={"AP": "ALDERSPENSION", "BTP": "BOSTADSTILLAGG", "EP": "EFTERLEVANDEPENSION"},
        statuses={"PAGAENDE": PENDING, "BEVILJAD": GRANTED, "AVSLAGEN": REFUSED},
        reasons={"INKOMST": "INCOME_TOO_HIGH", "UNDERLAG": "DOCUMENTS_MISSING", "OVRIGT": "OTHER"},
    )


PROVIDER = PensionsmyndighetenPending()
