from __future__ import annotations

import logging

from flask import current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.auth.access import LOGIN_FOR_RULE, authorize
from portal.extensions import db

log = logging.getLogger(__name__)


def enforce_access():
    """Every view declares its rule; a view without one is refused (fail closed)."""
    if request.endpoint is None:
        return None  # 404 follows
    view = request.url_rule and _view_for(request.endpoint)
    rule = getattr(view, "access_rule", None) if view else None
    if request.blueprint == "api":  # bearer tokens, not the session; JSON answers, no login redirect
        # portal.api sits above this layer (ignore_imports in pyproject.toml)
        from portal.api.tokens import enforce

        return enforce(rule)
    if rule is None:
        if request.endpoint == "static":
            return None
        log.error("route without access rule endpoint=%s", request.endpoint)
        return render_template("errors/403.html"), 403
    if authorize(g.actor, rule, g.subject_id):
        return None
    if not g.actor.is_authenticated:
        if g.session_expired:
            return redirect(url_for("auth.session_expired"))
        login = "auth.staff_login" if LOGIN_FOR_RULE.get(rule) == "staff" else "auth.login"
        if request.method == "GET":
            return redirect(url_for(login, next=request.full_path.rstrip("?")))
        return redirect(url_for(login))
    return render_template("errors/403.html"), 403


def _view_for(endpoint: str):

    return current_app.view_functions.get(endpoint)


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("csrf refused endpoint=%s reason=%s", request.endpoint, error.description)
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        if request.path.startswith("/api/"):
            # Systems get an RFC 9457 problem even where no API route matched (unknown path, wrong method).
            from portal.api.tokens import problem

            allowed = getattr(error, "valid_methods", None)
            return problem(
                code, error.name.lower().replace(" ", "_"), headers={"Allow": ", ".join(allowed)} if allowed else None
            )
        template = {
            400: "errors/400.html",
            403: "errors/403.html",
            404: "errors/404.html",
            405: "errors/405.html",
            413: "errors/413.html",
        }.get(code, "errors/500.html")
        return render_template(template), code

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        log.error("unexpected error endpoint=%s request=%s", request.endpoint, g.get("request_id"), exc_info=error)
        return render_template("errors/500.html"), 500
