from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, url_for

from portal.auth.access import requires
from portal.auth.actor import CITIZEN, STAFF

bp = Blueprint("web", __name__)


@bp.get("/")
@requires("public")
def start():
    if g.actor.kind == CITIZEN:
        return redirect(url_for("application.overview"))
    if g.actor.kind == STAFF:
        return redirect(url_for("municipality.home"))
    return render_template("start.html")


@bp.get("/.well-known/seal-keys.json")
@requires("public")
def seal_keys():
    """The keys that verify the seals on fetched items (see ``portal.information.seal``)."""
    response = jsonify(current_app.extensions["portal.sealer"].jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/health")
@requires("public")
def health():
    return jsonify(status="ok")
