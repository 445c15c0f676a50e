from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.auth.access import requires
from portal.auth.services import safe_next
from portal.i18n.services import SUPPORTED, cookie_name

bp = Blueprint("i18n", __name__)


@bp.get("/language")
@requires("public")
def choose():
    lang = request.args.get("lang", "")
    target = safe_next(request.args.get("next"), url_for("web.start"))
    if lang not in SUPPORTED:
        return render_template("i18n/unknown_language.html", next=target), 400
    response = redirect(target)
    config = current_app.config["PORTAL"]
    response.set_cookie(cookie_name(), lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=config.secure_cookies, path="/")
    return response
