"""Pensionsmyndigheten: applications being decided and payments decided for the coming months (issue 22,
point 5), in the agency's own format
(ISO dates, months YYYYMM, öre as integers); the fields are documented with the portal's
adapter, ``portal/providers/pensionsmyndigheten_arenden.py``, and the cast's files show them in full.

Request: ``POST /pensionsmyndigheten/api/v1/arenden`` with the person's number in ``personnummer`` and the period in the
agency's usual shape; the sandbox ignores the period and answers everything stored. Someone in the
cast with nothing pending or coming: 200 with ``"ansokningar": []`` and ``"kommandeUtbetalningar": []``.
Errors in the agency's own envelope.
"""

from __future__ import annotations

from .base import pending_provider
from .pensionsmyndigheten import provider as agency

provider = pending_provider(
    agency,
    "pensionsmyndigheten_arenden",
    url_prefix="/pensionsmyndigheten/api/v1",
    rule="/arenden",
    lists=("ansokningar", "kommandeUtbetalningar"),
    rename={"ansokningar.status": "arendestatus"},
)
