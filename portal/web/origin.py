"""A second line behind the CSRF tokens (issue 13, point 11; OWASP ASVS 5.0 V3.5): a state-changing
request that a browser says comes from another site is refused, whatever token or session it carries.

Browsers send ``Origin`` with every POST (and ``Sec-Fetch-Site`` with every request, in those that
support Fetch Metadata); a request is accepted when the origin is the portal's own, either the one the
request was addressed to or the configured ``PORTAL_BASE_URL`` (behind a proxy that ends TLS, the
address the browser used). A request with neither header is not a browser's: a municipality system
calling the API, or a test client, goes on as before; the CSRF token and the bearer token remain what
authorise it. ``Origin: null`` (a sandboxed frame, a redirect through another site) is refused.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, render_template, request

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Fetch Metadata: "same-origin" from the portal's own pages, "none" when the person typed the address
# or used a bookmark. "same-site" (a sibling subdomain) and "cross-site" are refused.
ACCEPTED_FETCH_SITES = frozenset({"same-origin", "none"})


def _origin_of(url: str) -> str | None:
    """scheme://host[:port] with the default port left out; None for what is not an origin."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        default = {"http": 80, "https": 443}.get(scheme)
        port = parts.port if parts.port is not None else default
    except ValueError:
        return None
    if not scheme or not host:
        return None
    return f"{scheme}://{host}" + (f":{port}" if port != default else "")


def own_origins() -> set[str]:
    origins = (_origin_of(request.host_url), _origin_of(current_app.config["PORTAL"].base_url))
    return {origin for origin in origins if origin is not None}


def cross_site_reason() -> str | None:
    """Why this request is a cross-site state change, or None."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() not in ACCEPTED_FETCH_SITES:
        return f"sec-fetch-site={fetch_site.strip().lower()[:20]}"
    origin = request.headers.get("Origin")
    if origin is not None and (_origin_of(origin.strip()) or "null") not in own_origins():
        return "origin"
    return None


def refuse_cross_site():
    reason = cross_site_reason()
    if reason is None:
        return None
    # The origin itself is not logged: it is whatever the other site chose to send.
    log.warning("cross-site request refused endpoint=%s method=%s reason=%s", request.endpoint, request.method, reason)
    if request.path.startswith("/api/"):
        # portal.api sits above this layer (ignore_imports in pyproject.toml)
        from portal.api.tokens import problem

        return problem(403, "cross_origin_request", "requests from another site's pages are not accepted")
    return render_template("errors/403.html"), 403
