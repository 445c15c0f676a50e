"""CSN: applications being decided and payments decided for the coming months (issue 22,
point 5), in the agency's own format
(dates YYYYMMDD, months YYYYMM, whole kronor as integers); the fields are documented with the portal's
adapter, ``portal/providers/csn_arenden.py``, and the cast's files show them in full.

Request: ``POST /csn/api/v1/arenden`` with the person's number in ``Personnummer`` and the period in the
agency's usual shape; the sandbox ignores the period and answers everything stored. Someone in the
cast with nothing pending or coming: 200 with ``"Ansokningar": []`` and ``"KommandeUtbetalningar": []``.
Errors in the agency's own envelope.
"""

from __future__ import annotations

from .base import pending_provider
from .csn import provider as agency

provider = pending_provider(
    agency,
    "csn_arenden",
    url_prefix="/csn/api/v1",
    rule="/arenden",
    lists=("Ansokningar", "KommandeUtbetalningar"),
    rename={"Ansokningar.Status": "Arendestatus"},
)
