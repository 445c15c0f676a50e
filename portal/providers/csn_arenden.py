"""CSN: applications being decided (a refusal with its reason) and payments decided for the
coming months (``portal/providers/pending.py``).

Raw format (see ``devstack/sandbox/providers/csn_arenden.py``): ``POST /csn/api/v1/arenden`` with
``{"Personnummer", "Tidsperiod": {"Fran", "Till"}}``, as CSN's other endpoints: PascalCase keys,
dates YYYYMMDD, months YYYYMM, whole kronor as integers.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers import csn, parse
from portal.providers.parse import Drift
from portal.providers.pending import GRANTED, PENDING, REFUSED, Format, PendingProvider

_MONTH = re.compile(r"(\d{4})(0[1-9]|1[0-2])")


def compact_date(text: str) -> date:
    return parse.day(text, "date", parse.COMPACT_DAY)


def month(text) -> tuple[date, date]:
    return parse.month(text, _MONTH, "month")


def kronor(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Drift("Belopp")
    return value * 100


class CsnPending(PendingProvider):
    name = "csn_arenden"
    title = _l("CSN: applications and coming payments")
    agency = _l("CSN")
    purpose = _l(
        "An application CSN is deciding, or a payment it has decided for the coming months, may be "
        "money for the same months you apply for."
    )
    order = 31
    path = "/csn/api/v1/arenden"
    request_body = staticmethod(csn.request_body)
    fmt = Format(
        applications="Ansokningar",
        payments="KommandeUtbetalningar",
        benefit="Stodform",
        status="Status",
        applied="Inkommen",
        decided="Beslutad",
        reason="Avslagsskal",
        reason_code="Kod",
        pay_benefit="Stodform",
        covers="AvserManad",
        paid_on="Utbetalningsdag",
        amount="Belopp",
        taxable="Skattepliktig",
        date=compact_date,
        month=month,
        amount_of=kronor,
        benefits={"SM": "STUDIEMEDEL", "SSS": "STUDIESTARTSSTOD"},
        statuses={"HANDLAGGS": PENDING, "BEVILJAD": GRANTED, "AVSLAG": REFUSED},
        reasons={
            "STUDIERESULTAT": "STUDY_RESULTS",
            "FRIBELOPP": "INCOME_TOO_HIGH",
            "KOMPLETTERING": "DOCUMENTS_MISSING",
            "OVRIGT": "OTHER",
        },
    )


PROVIDER = CsnPending()
