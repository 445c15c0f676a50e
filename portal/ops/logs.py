"""Structured logs: one JSON object a line (python-json-logger) with the time, level, logger, message and the
request id, and one access line per request with the route (the rule, never the path: an id in a path is
still an id), method, status, duration and the kind of actor.

What a line never holds: a personnummer, a name or anything a person typed. The portal's own log calls
name ids, endpoints and exception types only (tests/test_logging_json.py walks a journey and reads every JSON
line); as a last guard, anything shaped like a personnummer is masked before a line is written.

The request id: the portal's (``g.request_id``, made per request in ``portal.auth.session``), or the one a
trusted proxy sent in ``X-Request-ID`` when it is a UUID; it is sent back in ``X-Request-ID``, passed to
provider calls as that header, and written on the outbox record a submission makes so the worker's lines
about that delivery carry it (:func:`bind`)."""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sys
import time
import uuid
from contextlib import contextmanager, suppress

from flask import Flask, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

#: the request id outside a request (a worker delivering for one, a fetch thread)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_request_id", default=None)
HEADER = "X-Request-ID"
# 12 or 10 digits, optionally with the century and the - or + before the last four: a personnummer's shape;
# not a part of a longer word (a UUID's groups of digits, joined by hyphens, stay as they are).
PERSONNUMMER = re.compile(r"(?<![\w-])(?:\d{2})?\d{6}[-+]?\d{4}(?![\w-])")
MASK = "[personnummer]"
access = logging.getLogger("portal.access")


def current_request_id() -> str | None:
    if has_request_context() and g.get("request_id"):
        return g.request_id
    return _request_id.get()


def set_request_id(request_id: str | None) -> None:
    """Outside a request: the id the following lines of this thread carry (the worker, per delivery)."""
    _request_id.set(request_id)


@contextmanager
def bind(request_id: str | None):
    """Lines logged inside carry ``request_id`` (the worker delivering what that request submitted)."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class PortalJsonFormatter(JsonFormatter):
    """JSON lines; a personnummer-shaped number anywhere in the line is masked."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return PERSONNUMMER.sub(MASK, super().format(record))


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(PortalJsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("portal-json")
    return handler


def log_format() -> str:
    """``PORTAL_LOG_FORMAT``: ``json`` (``portal serve`` and ``portal worker`` in production) or ``text`` (the
    demo's and the tests' default)."""
    default = "json" if os.environ.get("PORTAL_ENV") == "production" else "text"
    return os.environ.get("PORTAL_LOG_FORMAT", default).lower()


def configure() -> None:
    """The root logger's handler, once per process; handlers others added (pytest's) are left alone."""
    root = logging.getLogger()
    if log_format() == "json":
        if not any(h.get_name() == "portal-json" for h in root.handlers):
            root.addHandler(json_handler())
        root.setLevel(logging.INFO)
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def _start() -> None:
    g.request_started = time.perf_counter()


def _adopt_request_id() -> None:
    """After the session's hook made the request's id: a UUID from the proxy in front replaces it, so one id
    follows the request through the load balancer's and the portal's lines."""
    sent = request.headers.get(HEADER, "")
    with suppress(ValueError):
        g.request_id = str(uuid.UUID(sent))
    # Also as a context variable: work this request hands to a thread (the background fetch) takes it along
    # with contextvars.copy_context().
    _request_id.set(g.get("request_id"))


def _forget_request_id(error=None) -> None:
    _request_id.set(None)


def route_of() -> str:
    """The matched rule (``/cases/<application_id>``), never the path with its values."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _finish(response):
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    actor = g.get("actor")
    kind = actor.kind if actor is not None else "anonymous"
    if g.get("request_id"):
        response.headers[HEADER] = g.request_id
    route = route_of()
    # Not at the top: gunicorn's master loads this module for its log formatter (gunicorn_conf.logconfig_dict)
    # before on_starting sets PROMETHEUS_MULTIPROC_DIR, and prometheus_client fixes its mode when first
    # imported; imported there, the workers would count in memory and /metrics would show no requests.
    from portal.ops import metrics

    metrics.observe_request(route, request.method, response.status_code, duration)
    if current_app.config.get("PORTAL_ACCESS_LINES") and route != "/static/<path:filename>":
        access.info(
            "request",
            extra={
                "route": route,
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "actor_kind": kind,
            },
        )
    return response


def init_app(app: Flask) -> None:
    """Request id, access line and request metrics; call after the session hooks are registered. The access
    line is written with JSON logs (``portal serve``); the demo's server writes its own."""
    app.config["PORTAL_ACCESS_LINES"] = log_format() == "json"
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.before_request(_adopt_request_id)
    app.after_request(_finish)
    app.teardown_request(_forget_request_id)
