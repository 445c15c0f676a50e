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

from flask import request

from .base import Provider, json_response
from .pensionsmyndigheten import provider as agency

provider = Provider(
    "pensionsmyndigheten_arenden",
    url_prefix="/pensionsmyndigheten/api/v1",
    subject_field="personnummer",
    errors=agency.errors,
    error_body=agency.error_body,
)


def _nothing():
    body = request.get_json(silent=True) or {}
    return json_response({"personnummer": body.get("personnummer"), "ansokningar": [], "kommandeUtbetalningar": []})


arenden = provider.information_set(
    "arenden", "/arenden", nothing=_nothing, default_drift={"rename": {"ansokningar.status": "arendestatus"}}
)
