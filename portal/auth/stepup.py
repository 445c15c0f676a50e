"""Step-up for staff: a fresh re-authentication at the identity provider before a sensitive act.

The same mechanism as signing (``portal/auth/signing.py``): a round trip to the IdP with
``prompt=login`` and ``max_age=0``, whose answer must name the same person and a login made after the
act was asked for. What was asked for waits in the session meanwhile, so nothing typed is lost, and is
handed back to the caller with the time of the re-authentication.

The IdP's ``auth_time`` is wall-clock time (the identity provider's), so freshness is judged against
the wall clock, as for signing, never against ``portal.clock`` (which tests move).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from authlib.integrations.base_client.errors import OAuthError
from flask import current_app, g, session, url_for
from flask_babel import get_locale
from joserfc.errors import JoseError

from portal.auth import oidc
from portal.auth.session import rotate_session
from portal.extensions import oauth

log = logging.getLogger(__name__)
SESSION_KEY = "staff_stepup"
# The identity provider's clock and ours may differ a little.
CLOCK_SKEW_SECONDS = 30
# A step-up counts for this long after the re-authentication: "just now", not "this session".
MAX_AGE_SECONDS = 300


class StepUpFailed(Exception):
    """``reason``: ``invalid`` (nothing pending, cancelled, a bad answer), ``other_person`` or ``not_fresh``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def start(purpose: str, payload: dict, callback_endpoint: str):
    """Keep what is asked for (``payload``, JSON-able) and send the staff member to re-authenticate."""
    session[SESSION_KEY] = {"purpose": purpose, "payload": payload, "started": int(time.time()), "actor": g.actor.id}
    config = current_app.config["PORTAL"]
    return oauth.create_client("staff").authorize_redirect(
        config.base_url + url_for(callback_endpoint), prompt="login", max_age=0, ui_locales=str(get_locale())
    )


def pending_purpose() -> str | None:
    return (session.get(SESSION_KEY) or {}).get("purpose")


def finish() -> tuple[str, dict, datetime]:
    """Back from the IdP: (purpose, payload, when the staff member re-authenticated), or StepUpFailed."""
    pending = session.pop(SESSION_KEY, None)
    if not pending or pending.get("actor") != g.actor.id:
        raise StepUpFailed("invalid")
    try:
        # As at login: UserInfo merged for the same sub, the assurance level enforced.
        claims, _token = oidc.complete("staff")
    except (OAuthError, JoseError, oidc.AcrTooLow, oidc.NoIdToken, ValueError, KeyError) as exc:
        log.warning(
            "staff step-up refused reason=%s",
            getattr(exc, "reason", None) or getattr(exc, "error", None) or type(exc).__name__,
        )
        raise StepUpFailed("invalid") from None
    if claims.get("sub") != g.actor.id:
        log.warning("staff step-up by another person actor=%s", g.actor.id)
        raise StepUpFailed("other_person")
    auth_time = int(claims.get("auth_time") or 0)
    if auth_time < pending["started"] - CLOCK_SKEW_SECONDS:
        raise StepUpFailed("not_fresh")
    rotate_session()  # a new session id after every step-up, as after login and signing
    return pending["purpose"], pending["payload"], datetime.fromtimestamp(auth_time, UTC)


def is_fresh(at: datetime | None) -> bool:
    """A re-authentication made within the last few minutes (wall clock, as the IdP's ``auth_time``)."""
    if at is None:
        return False
    age = time.time() - at.timestamp()
    return -CLOCK_SKEW_SECONDS <= age <= MAX_AGE_SECONDS
