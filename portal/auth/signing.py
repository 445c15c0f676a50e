"""Signing by step-up: a person confirms what they sign (an application, an appeal, a mandate) with a
fresh authentication at the identity provider (``prompt=login``, ``max_age=0``), and the answer must name
the same person and a login made just now. The areas that sign register how to finish (``on_return``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from authlib.integrations.base_client.errors import OAuthError
from flask import current_app, render_template, session, url_for
from flask_babel import get_locale
from joserfc.errors import JoseError

from portal.auth import oidc
from portal.auth.models import Person
from portal.auth.services import PNR_CLAIM

log = logging.getLogger(__name__)
# The identity provider's clock and ours may differ a little.
CLOCK_SKEW_SECONDS = 30


# (session key, finish): the areas above auth that sign, in the order the composition root
# (portal/__init__.py) registered them; the step-up's callback goes to the one whose key the session holds.
_returns: dict[str, Callable] = {}


def on_return(session_key: str, finish: Callable) -> None:
    _returns[session_key] = finish


def finish_step_up():
    for session_key, finish in _returns.items():
        if session_key in session:
            return finish()
    return render_template("auth/sign_failed.html", reason="no_signing"), 400


class StepUpRefused(Exception):
    """The step-up's answer does not sign: ``invalid`` (refused by the OP or unreadable), ``other_person``
    or ``not_fresh`` (an older login)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def step_up(messages: dict[str, str]):
    """To the identity provider for a fresh login (``prompt=login``, ``max_age=0``) that shows ``messages``
    (the OIDC Sweden profile's ``userMessage``); it comes back to ``/auth/sign/callback``. Used for
    everything a person signs: an application, an appeal, a mandate."""
    config = current_app.config["PORTAL"]
    return oidc.client("citizen").authorize_redirect(
        config.base_url + url_for("auth.sign_callback"),
        prompt="login",
        max_age=0,
        ui_locales=str(get_locale()),
        **{oidc.USER_MESSAGE: oidc.user_message(messages)},
    )


def signed_step_up(started: int, signer: Person, what: str) -> tuple[int, dict]:
    """The step-up's answer, checked: the assurance level (enforced by ``oidc.complete`` as at login),
    the same person as ``signer``, a login made after ``started`` (the wall clock at the start, less the
    clock skew). Returns ``(auth_time, claims)``; raises ``StepUpRefused``. ``what`` names it in the log."""
    try:
        claims, _token = oidc.complete("citizen")
    except (OAuthError, JoseError, oidc.AcrTooLow, oidc.NoIdToken, ValueError, KeyError) as exc:
        log.warning(
            "%s signature refused reason=%s",
            what,
            getattr(exc, "reason", None) or getattr(exc, "error", None) or type(exc).__name__,
        )
        raise StepUpRefused("invalid") from None
    auth_time = int(claims.get("auth_time") or 0)
    if claims.get(PNR_CLAIM) != signer.personnummer:
        log.warning("%s signed by another person signer=%s", what, signer.id)
        raise StepUpRefused("other_person")
    if auth_time < started - CLOCK_SKEW_SECONDS:
        raise StepUpRefused("not_fresh")
    return auth_time, claims
