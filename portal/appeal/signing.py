"""Signing the appeal by step-up, as an application is signed (``portal/auth/signing.py``): a fresh
authentication at the identity provider (``prompt=login``, ``max_age=0``) showing what is signed, whose answer
must name the person who asked and a login made just now. The appeal's words wait in the session meanwhile, so
nothing typed is lost when the person cancels. The identity provider comes back to ``/auth/sign/callback``,
which hands over here when an appeal is pending."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from flask import g, redirect, render_template, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from portal.appeal import services
from portal.application import services as applications
from portal.auth.models import Person
from portal.auth.signing import StepUpRefused, signed_step_up, step_up
from portal.case.models import Decision
from portal.extensions import db
from portal.i18n.services import SUPPORTED

log = logging.getLogger(__name__)
SESSION_KEY = "appeal_signing"
DRAFT_KEY = "appeal_draft"  # the words typed, kept when the signing is cancelled or fails


def sign_message(application) -> dict[str, str]:
    messages = {}
    for language in SUPPORTED:
        with force_locale(language):
            messages[language] = _(
                "I sign my appeal of the decision on my application with case number %(number)s.",
                number=application.case_number or application.reference,
            )
    return messages


def start(application, decision, change: str, reasons: str):
    pending = {
        "application_id": application.id,
        "decision_id": decision.id,
        "change": change,
        "reasons": reasons,
        "started": int(time.time()),
        "actor": g.actor.id,
    }  # the wall clock: compared with auth_time
    session[SESSION_KEY] = pending
    session[DRAFT_KEY] = {"decision_id": decision.id, "change": change, "reasons": reasons}
    return step_up(sign_message(application))


def finish():
    pending = session.pop(SESSION_KEY, None)
    application = applications.get(pending["application_id"]) if pending else None
    decision = db.session.get(Decision, pending["decision_id"]) if pending else None
    if (
        application is None
        or decision is None
        or pending.get("actor") != g.actor.id
        or application.applicant_id != g.subject_id
    ):
        return render_template("appeal/sign_failed.html", reason="no_signing", application=None), 400
    back = url_for("appeal.write", application_id=application.id, decision_id=decision.id)
    person = db.session.get_one(Person, g.actor.id)
    try:
        auth_time, _claims = signed_step_up(pending["started"], person, "appeal")
    except StepUpRefused as refused:
        return render_template("appeal/sign_failed.html", reason=refused.reason, back=back), 400
    try:
        services.send(
            application,
            decision,
            pending["change"],
            pending["reasons"],
            signed_by=person.id,
            signer_name=f"{person.given_name} {person.family_name}",
            signed_at=datetime.fromtimestamp(auth_time, UTC),
            language=str(get_locale()),
        )
    except services.AppealError as refused:
        db.session.rollback()
        return render_template("appeal/sign_failed.html", reason=refused.reason, back=back), 409
    session.pop(DRAFT_KEY, None)
    return redirect(url_for("case.show", application_id=application.id, _anchor="appeal"))
