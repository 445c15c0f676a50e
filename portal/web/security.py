from __future__ import annotations

from flask import current_app, request

HSTS_SECONDS = 2 * 365 * 24 * 3600
# Cache-Control: every response is ``no-store`` (pages, fragments, files, JSON, the API, redirects
# and errors alike: any of them may carry personal data or be an answer about it), except these
# public documents that carry none and say themselves how long they may be kept.
PUBLIC_DOCUMENTS = frozenset({"static", "web.seal_keys", "api.openapi", "exchange.schema"})


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
    if config.is_production:
        # Browsers reach the portal over HTTPS only, for two years, subdomains included (ASVS 12.1.x).
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains"
    response.headers.pop("Server", None)  # no banner (the WSGI server's own: devstack.stack.QuietHandler)
    if request.endpoint not in PUBLIC_DOCUMENTS and "no-store" not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = "no-store"
    return response
