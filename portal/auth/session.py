"""Session lifetime: the actor is loaded on every request; idle and absolute timeouts end it."""

from __future__ import annotations

import time
import uuid

from flask import current_app, g, request, session

from portal.auth.actor import ANONYMOUS, CITIZEN, Actor

# Requests that must not count as activity (the timeout warning's own probe).
PASSIVE_ENDPOINTS = {"static", "auth.session_status"}


def start_session(actor: Actor) -> None:
    """A fresh session for a new login: nothing from before the login survives."""
    session.clear()
    session.permanent = True
    now = int(time.time())
    session["actor"] = actor.to_session()
    session["login_at"] = now
    session["last_seen"] = now


def seconds_left() -> int:
    config = current_app.config["PORTAL"]
    now = time.time()
    idle_left = session.get("last_seen", 0) + config.session_idle_minutes * 60 - now
    absolute_left = session.get("login_at", 0) + config.session_absolute_minutes * 60 - now
    return max(0, int(min(idle_left, absolute_left)))


def load_actor() -> None:
    g.request_id = str(uuid.uuid4())
    g.session_expired = False
    actor = Actor.from_session(session.get("actor"))
    if actor.is_authenticated and seconds_left() <= 0:
        session.clear()
        g.session_expired = True
        actor = ANONYMOUS
    elif actor.is_authenticated and request.endpoint not in PASSIVE_ENDPOINTS:
        session["last_seen"] = int(time.time())
    g.actor = actor
    g.subject_id = actor.id if actor.kind == CITIZEN else None
    # A proxy (ombud) acts for the principal chosen, within the mandate in force right now.
    from portal.mandates.acting import resolve

    return resolve()
