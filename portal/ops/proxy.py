"""The client's address behind reverse proxies (``PORTAL_PROXY_HOPS``)."""

from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix


def behind_proxy(app, hops: int | None = None):
    """Behind ``PORTAL_PROXY_HOPS`` reverse proxies (deploy/nginx: 1), the client's address and scheme are what
    the nearest proxy says in ``X-Forwarded-For``/``-Proto``, so the per-IP rate limits count people, not the
    proxy. 0 (the default) trusts no such header: without a proxy a client could name any address."""
    hops = int(os.environ.get("PORTAL_PROXY_HOPS") or 0) if hops is None else hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app
