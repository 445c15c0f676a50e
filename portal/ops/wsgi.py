"""The WSGI entry point of ``portal serve`` (gunicorn ``portal.ops.wsgi:app``): the portal configured from
the ``PORTAL_*`` environment, one app per gunicorn worker process (the config does not preload it, so no
database connection is shared across a fork)."""

from portal import create_app

app = create_app()
