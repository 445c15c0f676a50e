"""Publishing the exchange document's JSON Schema, so receivers can validate what they get."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from portal.auth.access import requires
from portal.exchange import document

bp = Blueprint("exchange", __name__)


_VERSIONS = ", ".join(f'"{version}"' for version in document.SCHEMA_VERSIONS)


@bp.get(f"/exchange/schema/application-<any({_VERSIONS}):version>.json")
@requires("public")
def schema(version: str):
    """The schema file as published (its bytes, so its digest is the file's); every version published, as
    documents frozen under an older one are still read by receivers."""
    path = document.SCHEMA_PATH.with_name(f"application-{version}.json")
    response = current_app.response_class(path.read_bytes(), mimetype="application/schema+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)
