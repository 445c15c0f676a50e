"""Publishing the exchange document's JSON Schema, so receivers can validate what they get."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from portal.auth.access import requires
from portal.exchange import document

bp = Blueprint("exchange", __name__)


@bp.get(f"/exchange/schema/application-{document.SCHEMA_VERSION}.json")
@requires("public")
def schema():
    """The schema file as published (its bytes, so its digest is the file's)."""
    response = current_app.response_class(document.SCHEMA_PATH.read_bytes(), mimetype="application/schema+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)
