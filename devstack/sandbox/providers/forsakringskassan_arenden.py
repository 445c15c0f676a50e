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

from flask import request

from .base import Provider, json_response
from .forsakringskassan import provider as agency

provider = Provider(
    "forsakringskassan_arenden",
    url_prefix="/forsakringskassan/api/arenden",
    subject_field="personId",
    errors=agency.errors,
    error_body=agency.error_body,
)


def _nothing():
    body = request.get_json(silent=True) or {}
    return json_response({"personId": body.get("personId"), "arenden": [], "beslutadeUtbetalningar": []})


arenden = provider.information_set(
    "arenden", "/v1/sok", nothing=_nothing, default_drift={"rename": {"arenden.status": "arendestatus"}}
)
