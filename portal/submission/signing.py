"""Signing the application by step-up (``portal/auth/signing.py``): the person confirms with a fresh
authentication at the identity provider, which shows the sign message; the answer must name the signer
and a login made just now."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import g, redirect, render_template, session, url_for
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _

from portal.application import services as applications
from portal.application.context import check_context
from portal.application.forms import SubmitForm
from portal.auth.models import Person
from portal.auth.signing import StepUpRefused, signed_step_up, step_up
from portal.extensions import db
from portal.i18n.services import SUPPORTED
from portal.mandates.services import SUBMITTED, note_use
from portal.routing.services import municipality
from portal.submission import services

SESSION_KEY = "signing"


def sign_message_for(application) -> str:
    """The sign message in the page's language (the signing page shows what the OP will show). Only that
    language's is made: the check page showed one of eight made on every request (issue 15, point 5)."""
    language = str(get_locale())[:2]
    return _message(application, language if language in SUPPORTED else "sv")


def sign_message(application) -> dict[str, str]:
    """What the identity provider shows before the person signs (the OIDC Sweden profile's
    ``userMessage``), in each of the portal's languages: the OP picks the person's own."""
    return {language: _message(application, language) for language in SUPPORTED}


def _message(application, language: str) -> str:
    with force_locale(language):
        month = format_date(application.period, "LLLL yyyy")
        return _("I sign my application for ekonomiskt bistånd for %(month)s.", month=month)


def start_signing(application):
    # The wall clock, not portal.clock: it is compared with the identity provider's auth_time.
    session[SESSION_KEY] = {"application_id": application.id, "started": int(time.time())}
    return step_up(sign_message(application))


def render_check(application, refusal: str, status: int = 409):
    """The check page again, saying why the application could not be sent."""
    receiver = municipality(application.municipality_code) if application.municipality_code else None
    return render_template(
        "application/check.html", refusal=refusal, **check_context(application, receiver, SubmitForm())
    ), status


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
    if g.actor.is_proxy:
        note_use(application.id, g.actor.mandate_id, SUBMITTED)
    try:
        services.sign(
            application,
            g.subject_id,
            signed_at=datetime.fromtimestamp(auth_time, UTC),
            acr=claims.get("acr"),
            language=str(get_locale()),
        )
    except services.NotSubmittable as refused:
        return render_check(application, refused.reason)
    return redirect(url_for("application.show", application_id=application.id))
