"""The sandbox provider service: a separate WSGI app that answers as the agencies do, for the
test persons in ``devstack/testdata/persons``, with fault injection.

A personnummer is never in a URL or a log line: lookups are POSTs with the number in the JSON
body, and the request log names the person by fixture slug.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from pathlib import Path

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from . import digitalmail, sms
from .control import bp as control_bp
from .faults import FaultBook, parse_rules
from .persons import PersonStore
from .providers import PROVIDERS, provider_for, provider_sets
from .providers.base import GENERIC_ERRORS, json_response
from .state import SandboxState, current_sandbox

log = logging.getLogger("devstack.sandbox")

FAULTS_ENV = "PORTAL_SANDBOX_FAULTS"
TIMEOUT_ENV = "PORTAL_SANDBOX_TIMEOUT_SECONDS"
PUBLIC_ENDPOINTS = {"health"}


def create_sandbox_app(
    persons_dir: str | Path | None = None, api_token: str = "sandbox-token", faults: dict | None = None
) -> Flask:
    """Build the sandbox app.

    ``faults`` is a rule set (``{"rules": [...]}``, see :mod:`devstack.sandbox.faults`); when it is
    None the ``PORTAL_SANDBOX_FAULTS`` environment variable (same JSON) is read instead.
    ``PORTAL_SANDBOX_TIMEOUT_SECONDS`` (default 30) is how long a ``timeout`` fault without
    ``seconds`` holds a request; it can also be changed on ``app.extensions["sandbox"]``.
    """
    if not api_token:
        raise ValueError("the sandbox needs a non-empty api_token")
    persons = PersonStore.load(persons_dir)
    if faults is None and os.environ.get(FAULTS_ENV):
        try:
            faults = json.loads(os.environ[FAULTS_ENV])
        except ValueError as exc:
            raise ValueError(f"{FAULTS_ENV} is not valid JSON") from exc
    rules = parse_rules(faults, providers=provider_sets(), persons=persons.slugs)
    timeout_seconds = float(os.environ.get(TIMEOUT_ENV, "30"))

    app = Flask(__name__, static_folder=None)
    app.extensions["sandbox"] = SandboxState(
        persons=persons, faults=FaultBook(rules), api_token=api_token, timeout_seconds=timeout_seconds
    )

    app.before_request(_require_token)
    app.after_request(_log_request)
    app.register_error_handler(HTTPException, _http_error)
    app.add_url_rule("/health", "health", _health)
    for provider in PROVIDERS:
        app.register_blueprint(provider.blueprint)
    app.register_blueprint(control_bp)
    sms.init_app(app)  # /sms: a recording SMS gateway for the portal's notifications
    digitalmail.init_app(app)  # /digitalmail: the digital-mail infrastructure for serving decisions
    log.info("sandbox ready: %d persons, %d fault rules", len(persons), len(rules))
    return app


def _error(status: int, headers: dict[str, str] | None = None) -> Response:
    provider = provider_for(request.blueprint, request.path)
    if provider is not None:
        return provider.error(status, headers=headers)
    code, text = GENERIC_ERRORS.get(status, ("ERROR", "Error."))
    return json_response({"error": code.lower(), "message": text}, status, headers)


def _require_token() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    expected = f"Bearer {current_sandbox().api_token}".encode()
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        return _error(401, {"WWW-Authenticate": 'Bearer realm="sandbox"'})
    return None


def _http_error(exc: HTTPException) -> Response:
    response = _error(exc.code or 500)
    if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def _log_request(response: Response) -> Response:
    # Path and slug only: the personnummer is in the body and stays there.
    log.info(
        "%s %s -> %s person=%s faults=%s",
        request.method,
        request.path,
        response.status_code,
        g.get("sandbox_person") or "-",
        ",".join(g.get("sandbox_faults") or []) or "-",
    )
    return response


def _health() -> Response:
    return json_response({"status": "ok", "persons": len(current_sandbox().persons), "providers": provider_sets()})
