"""Acting for someone: the choice is kept in the session, but what it allows is read from the
mandate table on every request. A mandate that has expired, been revoked or ended takes the
access away at once, in an open session too: the request is refused with a clear message and
the person is back to acting for themselves."""

from __future__ import annotations

import logging

from flask import current_app, g, render_template, request, session

from portal.application.models import Application
from portal.audit.services import record
from portal.auth.access import PROXY_SCOPE, SAFE_METHODS
from portal.auth.actor import CITIZEN, Actor
from portal.auth.models import Person
from portal.extensions import db
from portal.mandates import services
from portal.mandates.models import Mandate

log = logging.getLogger(__name__)
SESSION_KEY = "acting_for"
PASSIVE_ENDPOINTS = {"static", "auth.session_status"}


def _rule_of_request() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "access_rule", None)


def resolve():
    """Before each request (after the actor is loaded): make ``g.actor`` and ``g.subject_id``
    say whom the citizen acts for. Returns a refusal page when the chosen mandate is no longer
    in force and the request concerns the principal."""
    g.mandate_lost = None
    actor: Actor = g.actor
    choice = session.get(SESSION_KEY)
    if actor.kind != CITIZEN or not choice:
        return None
    mandate = db.session.get(Mandate, choice.get("mandate_id") or "")
    in_force = (
        mandate is not None
        and mandate.proxy_id == actor.id
        and mandate.principal_id
        and mandate.in_force(services.now())
    )
    # The checks again, for the type checker: a variable does not carry their narrowing.
    if in_force and mandate is not None and mandate.principal_id and _seal_holds(mandate):
        g.actor = actor.acting(
            mandate.principal_id, services.principal_name(mandate), mandate.id, mandate.reference, mandate.scope_set
        )
        g.subject_id = mandate.principal_id
        return None
    session.pop(SESSION_KEY, None)
    reason = UNVERIFIED if in_force else services.state(mandate) if mandate is not None else "ended"
    g.mandate_lost = {"name": choice.get("name", ""), "reason": reason}
    log.info("mandate no longer in force mandate=%s reason=%s", choice.get("mandate_id"), reason)
    if request.endpoint in PASSIVE_ENDPOINTS or _rule_of_request() not in PROXY_SCOPE:
        session["mandate_lost"] = g.mandate_lost  # told on the next page instead
        return None
    return render_template("mandates/lost.html", lost=g.mandate_lost), 403


UNVERIFIED = "unverified"


def _seal_holds(mandate: Mandate) -> bool:
    """The record is as it was signed or registered (the server's seal over it): a changed scope, period,
    party or status no one signed gives no access. A refusal is logged and audited. A record without any
    seal is refused the same way, in every mode: every mandate is sealed when it is made (the tests too
    make theirs through ``services.seal``)."""
    if services.seal_holds(mandate):
        return True
    log.error("mandate seal does not hold: acting refused mandate=%s proxy=%s", mandate.id, mandate.proxy_id)
    record(
        "refuse",
        "mandate",
        mandate.id,
        f"mandate {mandate.reference}: its seal does not hold, acting refused",
        subject_id=mandate.principal_id,
    )
    db.session.commit()
    return False


def act_for(person: Person, mandate: Mandate | None) -> None:
    """Switch to acting for the mandate's principal (already checked to be in force), or back
    to oneself with ``None``."""
    if mandate is None:
        session.pop(SESSION_KEY, None)
        return
    session[SESSION_KEY] = {"mandate_id": mandate.id, "name": services.principal_name(mandate)}


def note_prepared(response):
    """After a successful change a proxy made to an application, note that they prepared it
    (the municipality is told). Signing is noted by the signature itself."""
    actor = g.get("actor")
    if actor is None or not actor.is_proxy or request.method in SAFE_METHODS or response.status_code >= 400:
        return response
    application_id = (request.view_args or {}).get("application_id")
    rule = _rule_of_request()
    if not application_id or rule not in PROXY_SCOPE or PROXY_SCOPE[rule][1] != "prepare":
        return response
    application = db.session.get(Application, application_id)
    if application is None or application.applicant_id != actor.acting_for:
        return response
    services.note_use(application.id, actor.mandate_id, services.PREPARED)
    db.session.commit()
    return response


def banner_context() -> dict:
    """For every page: whom the citizen acts for, and what they must be told."""
    actor = g.get("actor")
    if actor is None or actor.kind != CITIZEN:
        return {}
    lost = session.pop("mandate_lost", None) if request.endpoint not in PASSIVE_ENDPOINTS else None
    context = {"acting": actor if actor.is_proxy else None, "mandate_lost_notice": lost}
    if not actor.is_proxy:
        invited, untold, acting_for = services.banner(actor.id)
        context["mandate_invitations"] = len(invited)
        context["legal_notices"] = untold
        context["can_act_for_others"] = bool(acting_for)
    return context
