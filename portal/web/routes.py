from __future__ import annotations

from flask import Blueprint, g, jsonify, redirect, render_template, url_for

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


@bp.get("/health")
@requires("public")
def health():
    return jsonify(status="ok")
