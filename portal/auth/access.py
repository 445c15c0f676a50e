"""The one authorisation function: may this actor do this action for this subject (on this
object)? Every view declares its rule with ``@requires``; object checks call ``ensure``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g

from portal.auth.actor import ADMINISTRATOR, CASEWORKER, CITIZEN, STAFF, Actor

Rule = Callable[[Actor, str | None, Any], bool]
API_CLIENT = "api"  # actor kind of a municipality's case system using the pull API (portal/api)


def _citizen_for_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    # Later: a proxy's mandate scope decides when actor and subject differ.
    return actor.kind == CITIZEN and subject_id == actor.id


def _application_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return _citizen_for_subject(actor, subject_id, obj) and (
        obj is None or obj.applicant_id == subject_id)


def _household_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """The applicant, or an adult household member consenting for themselves."""
    return _citizen_for_subject(actor, subject_id, obj) and (
        obj is None or obj.applicant_id == subject_id
        or any(member.person_id == subject_id for member in obj.members))


def _consent_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return _citizen_for_subject(actor, subject_id, obj) and (
        obj is None or obj.given_by_person_id == subject_id)


def _caseworker_of_municipality(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """A caseworker of the municipality; one who belongs to a unit (a district's inbox) sees only
    what is routed or forwarded to that unit, so forwarding takes the sending unit's access away."""
    if not (actor.kind == STAFF and actor.role == CASEWORKER and bool(actor.municipality_code)):
        return False
    if obj is None:
        return True
    return obj.municipality_code == actor.municipality_code and (
        not actor.unit or getattr(obj, "inbox_id", None) == actor.unit)


def _api_client_of_municipality(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return (actor.kind == API_CLIENT and bool(actor.municipality_code)
            and (obj is None or obj.municipality_code == actor.municipality_code))


def _administrator(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return actor.kind == STAFF and actor.role == ADMINISTRATOR


def _authenticated(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return actor.is_authenticated


def _anyone(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return True


POLICY: dict[str, Rule] = {
    "public": _anyone,
    "authenticated": _authenticated,
    "citizen": _citizen_for_subject,
    "application": _application_of_subject,
    "household": _household_of_subject,
    "consent": _consent_of_subject,
    # The applicant's case after sending: overview, timeline, requests, decision, withdrawal.
    "case": _application_of_subject,
    # Messages on a case (a proxy needs the messages scope).
    "messages": _application_of_subject,
    "inbox": _caseworker_of_municipality,
    "admin": _administrator,
    "api": _api_client_of_municipality,
}

# Which login a denied anonymous visitor is sent to, by rule.
LOGIN_FOR_RULE = {"citizen": "citizen", "application": "citizen", "household": "citizen",
                  "consent": "citizen", "case": "citizen", "messages": "citizen", "inbox": "staff",
                  "admin": "staff", "authenticated": "citizen"}


def authorize(actor: Actor, action: str, subject_id: str | None = None, obj: Any = None) -> bool:
    """Decide access by actor, subject and role. Unknown actions are denied."""
    rule = POLICY.get(action)
    return bool(rule and rule(actor, subject_id, obj))


def requires(action: str):
    """Declare the access rule of a view; checked before the view runs (see ``enforce``)."""
    if action not in POLICY:
        raise ValueError(f"unknown access rule {action!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.access_rule = action
        return wrapped

    return decorator


def ensure(action: str, obj: Any) -> None:
    """Object-level check. Not found rather than forbidden, so existence does not leak."""
    if not authorize(g.actor, action, g.subject_id, obj):
        abort(404)
