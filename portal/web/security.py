from __future__ import annotations

from flask import current_app


def security_headers(response):
    config = current_app.config["PORTAL"]
    # form-action must admit the identity provider: browsers apply it to the redirect that
    # follows the logout form.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        f"form-action 'self' {config.idp_url}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.vary.add("HX-Request")
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response
