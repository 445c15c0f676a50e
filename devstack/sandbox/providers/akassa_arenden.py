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

from flask import request

from .akassa import provider as agency
from .base import Provider, json_response

provider = Provider(
    "akassa_arenden",
    url_prefix="/akassa/api/v1",
    subject_field="identitetsnummer",
    errors=agency.errors,
    error_body=agency.error_body,
)


def _nothing():
    body = request.get_json(silent=True) or {}
    return json_response(
        {"identitetsnummer": body.get("identitetsnummer"), "ansokningar": [], "planeradeUtbetalningar": []}
    )


arenden = provider.information_set(
    "arenden", "/arenden", nothing=_nothing, default_drift={"rename": {"ansokningar.status": "arendestatus"}}
)
