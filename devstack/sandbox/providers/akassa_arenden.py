"""The a-kassor's shared API: applications being decided and payments decided for the coming months (issue 22,
point 5), in the agency's own format
(ISO dates, months "YYYY-MM", kronor "18720.00"); the fields are documented with the portal's
adapter, ``portal/providers/akassa_arenden.py``, and the cast's files show them in full.

Request: ``POST /akassa/api/v1/arenden`` with the person's number in ``identitetsnummer`` and the period in the
agency's usual shape; the sandbox ignores the period and answers everything stored. Someone in the
cast with nothing pending or coming: 200 with ``"ansokningar": []`` and ``"planeradeUtbetalningar": []``.
Errors in the agency's own envelope.
"""

from __future__ import annotations

from .akassa import provider as agency
from .base import pending_provider

provider = pending_provider(
    agency,
    "akassa_arenden",
    url_prefix="/akassa/api/v1",
    rule="/arenden",
    lists=("ansokningar", "planeradeUtbetalningar"),
    rename={"ansokningar.status": "arendestatus"},
)
