"""The WSGI entry point of ``portal serve`` (gunicorn ``portal.ops.wsgi:app``): the portal configured from
the ``PORTAL_*`` environment, one app per gunicorn worker process (the config does not preload it, so no
database connection is shared across a fork)."""

from __future__ import annotations

from portal import create_app
from portal.ops.proxy import behind_proxy

app = behind_proxy(create_app())
