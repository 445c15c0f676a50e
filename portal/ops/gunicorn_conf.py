"""gunicorn's configuration for ``portal serve`` (``gunicorn -c portal/ops/gunicorn_conf.py
portal.ops.wsgi:app``). Settings come from the environment so one file serves every node:

- ``PORTAL_BIND`` (``127.0.0.1:8000``; behind the TLS-terminating reverse proxy, never exposed directly),
- ``PORTAL_WEB_WORKERS`` (default: 2 × CPUs + 1, gunicorn's own advice for synchronous workers),
- ``PORTAL_WEB_THREADS`` (1: synchronous workers; a page waits on PostgreSQL, not on the network),
- ``PORTAL_WEB_TIMEOUT`` (30 s: a worker stuck longer is killed and replaced),
- ``PROMETHEUS_MULTIPROC_DIR`` (metrics files of the workers; default a fresh directory per start),
- ``PORTAL_LOG_FORMAT`` (``json`` unless set).

Graceful reload: ``kill -HUP <master>`` (systemd ``ExecReload``) starts new workers with the new code and lets
the old ones finish their requests within ``graceful_timeout``. The access log leaves out query strings
(``%(U)s`` is the path alone); the portal's own JSON access line (portal/ops/logs.py) carries the route."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile

from gunicorn.http import wsgi

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("PORTAL_WEB_THREADS") or 1)
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5  # seconds an idle connection from the reverse proxy is kept
preload_app = False  # each worker its own app and database pool: nothing shared across a fork
max_requests = 10000  # workers are replaced now and then (memory), not all at once
max_requests_jitter = 1000
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1")  # the reverse proxy
proc_name = "portal"
_log_format = os.environ.get("PORTAL_LOG_FORMAT", "json")
# With JSON logs the portal's own access line (route, status, duration, actor kind, request id) is the access
# log; PORTAL_ACCESS_LOG=- adds gunicorn's too.
accesslog = os.environ.get("PORTAL_ACCESS_LOG") or (None if _log_format == "json" else "-")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# gunicorn's control socket is one per user by default; several nodes on one machine (the scale-out test)
# would fight over it, and the portal is managed by signals (HUP reload, TERM stop).
control_socket_disable = True


def _without_server_banner() -> None:
    """No ``Server: gunicorn`` header (README, Security: the name and version tell an attacker what to look
    up); gunicorn has no setting for it, so its default headers are filtered."""
    original = wsgi.Response.default_headers
    if getattr(original, "without_banner", False):
        return

    def default_headers(self):
        return [line for line in original(self) if not line.startswith("Server:")]

    default_headers.without_banner = True
    wsgi.Response.default_headers = default_headers


_without_server_banner()


def on_starting(server):
    """In the master, before any worker is forked (so every worker inherits it): the settings the workers
    read from the environment. Metrics of all workers are added up at a scrape (prometheus_client's
    multiprocess mode) from files in one directory; counters start from zero with the service, so the files
    of a previous run are removed. Nothing of this happens on import: importing this file changes nothing."""
    os.environ["PORTAL_LOG_FORMAT"] = _log_format
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="portal-metrics-")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def child_exit(server, worker):
    # prometheus_client picks its multiprocess mode when first imported: never before on_starting has set
    # PROMETHEUS_MULTIPROC_DIR (the workers are forked from this master)
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.ops.logs.PortalJsonFormatter"}}
    if _log_format == "json"
    else {"json": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    # The root logger's handler is the portal's own (portal/ops/logs.py), added once by the app.
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        # gunicorn writes access lines whenever a logging config is given: only when asked for (accesslog).
        "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": ["console"], "propagate": False},
    },
}
