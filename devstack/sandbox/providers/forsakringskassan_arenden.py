"""Försäkringskassan: applications being decided and payments decided for the coming months (issue 22,
point 5), in the agency's own format
(ISO dates, months "YYYY-MM", kronor "1 234,00"); the fields are documented with the portal's
adapter, ``portal/providers/forsakringskassan_arenden.py``, and the cast's files show them in full.

Request: ``POST /forsakringskassan/api/arenden/v1/sok`` with the person's number in ``personId`` and the period in the
agency's usual shape; the sandbox ignores the period and answers everything stored. Someone in the
cast with nothing pending or coming: 200 with ``"arenden": []`` and ``"beslutadeUtbetalningar": []``.
Errors in the agency's own envelope.
"""

from __future__ import annotations

from .base import pending_provider
from .forsakringskassan import provider as agency

provider = pending_provider(
    agency,
    "forsakringskassan_arenden",
    url_prefix="/forsakringskassan/api/arenden",
    rule="/v1/sok",
    lists=("arenden", "beslutadeUtbetalningar"),
    rename={"arenden.status": "arendestatus"},
)
