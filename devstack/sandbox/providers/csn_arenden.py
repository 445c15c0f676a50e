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

from flask import request

from .base import Provider, json_response
from .csn import provider as agency

provider = Provider(
    "csn_arenden",
    url_prefix="/csn/api/v1",
    subject_field="Personnummer",
    errors=agency.errors,
    error_body=agency.error_body,
)


def _nothing():
    body = request.get_json(silent=True) or {}
    return json_response({"Personnummer": body.get("Personnummer"), "Ansokningar": [], "KommandeUtbetalningar": []})


arenden = provider.information_set(
    "arenden", "/arenden", nothing=_nothing, default_drift={"rename": {"Ansokningar.Status": "Arendestatus"}}
)
