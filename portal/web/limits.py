"""Rate limits (issue 13, point 2; OWASP ASVS 5.0 V2.4 anti-automation): login callbacks, the API's
token endpoint, mandate grants, uploads, submissions, messages and the caseworker inbox search.

Flask-Limiter counts, in the store ``PORTAL_RATELIMIT_STORAGE_URI`` names: Redis in production, so
that every portal process behind the load balancer counts in the same place (and the limit is the
limit however many processes there are); ``memory://`` in the demo and the tests, where one process
counts alone. The limits are applied here, by endpoint name, once the blueprints are registered
(``install``), so that no routes module has to know about them; ``LIMITED`` is the one list.

Each family (``portal.config.RATE_LIMITS``, one ``PORTAL_RATELIMIT_<FAMILY>`` setting each) is one
budget shared by its endpoints and counted per *who*: the logged-in person (a proxy counts as
themselves, not as the principal), the caseworker, or the API client; nobody known yet (a login
callback) counts per IP address. Every limited endpoint also counts, all together, per IP address
(``PORTAL_RATELIMIT_IP``), which catches one machine trying many identities. The token endpoint counts
per client id asked for, and its wrong secrets once more on their own (``token_failures``): past that
the client id gets 429 even with the right secret until the window ends (a lockout; the price is that
someone who knows a client id can keep that client out for a window, which the per-IP limit bounds).

A refusal is 429 with ``Retry-After`` (seconds): a translated page saying when to try again, or under
``/api/`` an RFC 9457 problem. Behind a proxy, ``request.remote_addr`` must be the client's address
(the WSGI server or a ProxyFix in front of the portal sets it), or every IP limit is the proxy's.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from flask import Flask, current_app, g, render_template, request
from flask.typing import RouteCallable
from flask_babel import format_time, format_timedelta
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many

from portal import clock
from portal.config import RATE_LIMITS, ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limited:
    """An endpoint counted in ``family``: only for ``methods`` (all when None); ``searching`` only
    when the request searches (the inbox's ``q``); ``token`` the token endpoint's own keys."""

    family: str
    methods: tuple[str, ...] | None = ("POST",)
    searching: bool = False
    token: bool = False


LIMITED: dict[str, Limited] = {
    # Login callbacks: the citizen's and the staff's, the step-up that signs (applications, mandates), and
    # the administrators' step-up.
    "auth.callback": Limited("login", None),
    "auth.sign_callback": Limited("login", None),
    "mandates.admin_stepup": Limited("login", None),  # an administrator back from the step-up (four eyes)
    "api.token": Limited("token", token=True),
    "mandates.new": Limited("mandate_grant"),
    # Uploads: the application's attachments, a supplement request's answer (text and files) and a document
    # the applicant said would come later.
    "attachments.manage": Limited("upload"),
    "case.answer": Limited("upload"),
    "case.send_document": Limited("upload"),
    # Submissions: sending (the applicant signs) and co-signing a joint application.
    "submission.submit": Limited("submit"),
    "submission.cosign": Limited("submit"),
    # Messages, with or without files: the applicant's, the caseworker's, a municipality system's.
    "case.messages": Limited("message"),
    "case.reply": Limited("message"),
    "municipality.message": Limited("message"),
    "api.send_message": Limited("message"),
    # Reports of accessibility problems to the operator: no login, so counted per IP address (issue 18).
    "rights.feedback": Limited("message"),
    # The inbox search (a listing without a search term is not counted).
    "municipality.inbox": Limited("search", ("GET",), searching=True),
}


# --- keys ----------------------------------------------------------------------------------------


def ip_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def who_key() -> str:
    """The logged-in person, caseworker or API client; the IP address while nobody is known."""
    actor = g.get("actor")
    if actor is not None and actor.is_authenticated and actor.id:
        return f"{actor.kind}:{actor.id}"
    return ip_key()


def client_id_key() -> str:
    """The token endpoint: the client id asked for (HTTP Basic or the form), whether or not the secret
    is right; the IP address when none is given."""
    auth = request.authorization
    asked = (
        auth.username if auth is not None and auth.type == "basic" and auth.username else request.form.get("client_id")
    )
    return f"client:{asked[:100]}" if asked else ip_key()


def _failed_authentication(response) -> bool:
    return response.status_code == 401


def _not_searching() -> bool:
    return not (request.args.get("q") or "").strip()


# --- installing ----------------------------------------------------------------------------------


def _checked(family: str, value: str) -> str:
    """A family's limit as configured; a string Flask-Limiter cannot read stops the start, naming it."""
    try:
        if not parse_many(value):
            raise ValueError(value)
    except ValueError:
        raise ConfigError(
            f"PORTAL_RATELIMIT_{family.upper()} is not a rate limit (e.g. {RATE_LIMITS[family]!r})"
        ) from None
    return value


def install(app: Flask) -> Limiter:
    """Wrap the views in ``LIMITED`` with their limits; call after every blueprint is registered."""
    config = app.config["PORTAL"]
    config.check_rate_limits()
    settings = {
        family: _checked(family, config.ratelimits.get(family, default)) for family, default in RATE_LIMITS.items()
    }
    # One limiter per app (not a module global): each app counts in its own store, so a test's app, the
    # demo's and a second app in the same process never share counters unless they share the store.
    limiter = Limiter(
        key_func=who_key,
        storage_uri=config.ratelimit_storage_uri,
        key_prefix=config.ratelimit_key_prefix,
        # The moving window: a burst at a window's edge gets no second allowance.
        strategy="moving-window",
        # Redis unreachable: each process goes on counting on its own rather than failing every request.
        in_memory_fallback_enabled=True,
        headers_enabled=False,
    )
    limiter.init_app(app)
    for endpoint, spec in LIMITED.items():
        view = app.view_functions.get(endpoint)
        if view is None:  # tests/test_rate_limits.py fails when a named endpoint is gone
            log.error("rate limit for a missing endpoint endpoint=%s family=%s", endpoint, spec.family)
            continue
        methods = list(spec.methods) if spec.methods else None
        exempt = _not_searching if spec.searching else None
        decorators = [
            limiter.shared_limit(settings["ip"], scope="ip", key_func=ip_key, methods=methods, exempt_when=exempt)
        ]
        if spec.token:
            decorators += [
                limiter.shared_limit(settings["token"], scope="token", key_func=client_id_key),
                limiter.shared_limit(
                    settings["token_failures"],
                    scope="token_failures",
                    key_func=client_id_key,
                    deduct_when=_failed_authentication,
                ),
            ]
        else:
            decorators.append(
                limiter.shared_limit(
                    settings[spec.family], scope=spec.family, key_func=who_key, methods=methods, exempt_when=exempt
                )
            )
        for decorate in decorators:
            view = decorate(view)
        view.rate_limit_family = spec.family
        # flask-limiter types its decorators as returning any callable; they return the view they wrap.
        app.view_functions[endpoint] = cast(RouteCallable, view)
    app.extensions["portal.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter


# --- refusing --------------------------------------------------------------------------------------


def retry_after_seconds() -> int:
    """Seconds until the breached limit's window lets one more request through (at least 1)."""
    limiter: Limiter = current_app.extensions["portal.limiter"]
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def too_many_requests(error: RateLimitExceeded):
    seconds = retry_after_seconds()
    family = getattr(current_app.view_functions.get(request.endpoint or ""), "rate_limit_family", "?")
    scope = error.limit.scope if isinstance(error.limit.scope, str) else "?"
    # Who is not logged: the key holds an id, and the family and scope are what operations act on.
    log.warning(
        "rate limit reached endpoint=%s family=%s counted=%s retry_after=%s", request.endpoint, family, scope, seconds
    )
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        # portal.api sits above this layer (ignore_imports in pyproject.toml)
        from portal.api.tokens import problem

        return problem(429, "rate_limited", f"too many requests; try again in {seconds} seconds", headers)
    wait = timedelta(seconds=seconds)
    return (
        render_template(
            "errors/429.html",
            wait=format_timedelta(wait, threshold=1.0, granularity="second"),
            until=format_time(clock.now() + wait, "short"),
        ),
        429,
        headers,
    )
