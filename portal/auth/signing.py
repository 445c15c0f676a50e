"""Signing by step-up: the applicant confirms the application with a fresh authentication at
the identity provider (``prompt=login``, ``max_age=0``), and the answer must name the same
person and a login made just now."""

from __future__ import annotations

import logging
import time

from authlib.integrations.base_client.errors import OAuthError
from flask import current_app, g, redirect, render_template, session, url_for
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from joserfc.errors import JoseError

from portal.application import services as applications
from portal.auth import oidc
from portal.auth.models import Person
from portal.auth.services import PNR_CLAIM
from portal.extensions import db
from portal.i18n.services import SUPPORTED

log = logging.getLogger(__name__)
SESSION_KEY = "signing"
# The identity provider's clock and ours may differ a little.
CLOCK_SKEW_SECONDS = 30


def sign_message_for(application) -> str:
    """The sign message in the page's language (the signing page shows what the OP will show)."""
    messages = sign_message(application)
    return messages.get(str(get_locale())[:2], messages["sv"])


def sign_message(application) -> dict[str, str]:
    """What the identity provider shows before the person signs (the OIDC Sweden profile's
    ``userMessage``), in each of the portal's languages: the OP picks the person's own."""
    messages = {}
    for language in SUPPORTED:
        with force_locale(language):
            month = format_date(application.period, "LLLL yyyy")
            messages[language] = _("I sign my application for ekonomiskt bistånd for %(month)s.", month=month)
    return messages


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


def start_signing(application):
    # The wall clock, not portal.clock: it is compared with the identity provider's auth_time.
    session[SESSION_KEY] = {"application_id": application.id, "started": int(time.time())}
    return step_up(sign_message(application))


def finish_signing():
    pending = session.pop(SESSION_KEY, None)
    if not pending:
        return render_template("auth/sign_failed.html", reason="no_signing"), 400
    application = applications.get(pending["application_id"])
    if application is None or applications.signer_member(application, g.subject_id) is None:
        return render_template("auth/sign_failed.html", reason="no_signing"), 400
    # The one who signs identifies: the applicant, or a proxy signing under a mandate.
    try:
        auth_time, claims = signed_step_up(pending["started"], db.session.get_one(Person, g.actor.id), "application")
    except StepUpRefused as refused:
        return render_template("auth/sign_failed.html", reason=refused.reason, application=application), 400
    from datetime import UTC, datetime

    if g.actor.is_proxy:
        from portal.mandates.services import SUBMITTED, note_use

        note_use(application.id, g.actor.mandate_id, SUBMITTED)
    try:
        applications.sign(
            application,
            g.subject_id,
            signed_at=datetime.fromtimestamp(auth_time, UTC),
            acr=claims.get("acr"),
            language=str(get_locale()),
        )
    except applications.NotSubmittable as refused:
        from portal.application.routes import render_check

        return render_check(application, refused.reason)
    return redirect(url_for("application.show", application_id=application.id))
