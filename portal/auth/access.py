"""The one authorisation function: may this actor do this action for this subject (on this
object)? Every view declares its rule with ``@requires``; object checks call ``ensure``.

A citizen acting for a principal (a proxy, ombud) passes a subject-bound rule only when the
mandate in force includes the scope the rule needs for the request's method (``PROXY_SCOPE``):
reading needs the first, changing the second. ``None`` means never through a proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, has_request_context, request

from portal.auth.actor import ADMINISTRATOR, CASEWORKER, CITIZEN, STAFF, Actor

Rule = Callable[[Actor, str | None, Any], bool]
API_CLIENT = "api"  # actor kind of a municipality's case system using the pull API (portal/api)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Mandate scopes (portal.mandates.models.SCOPES).
VIEW, PREPARE, SUBMIT, MESSAGES = "view", "prepare", "submit", "messages"

# Subject-bound rules and the scope a proxy needs: (to read, to change).
PROXY_SCOPE: dict[str, tuple[str | None, str | None]] = {
    "citizen": (VIEW, PREPARE),  # the principal's overview; starting an application
    "application": (VIEW, PREPARE),  # the draft: pages to read, supplements, comments, attachments
    "household": (VIEW, PREPARE),  # the draft with its household: consent, fetch
    "joint": (VIEW, PREPARE),  # the joint application's attachments: the applicant and the co-signer
    "consent": (PREPARE, PREPARE),
    "case": (VIEW, PREPARE),  # after sending: overview and status; answering requests
    "messages": (MESSAGES, MESSAGES),
    "sign": (SUBMIT, SUBMIT),  # signing and sending (the step-up included)
    "appeal": (VIEW, SUBMIT),  # appealing a decision: reading the way to appeal; signing and sending one
    "own": (None, None),  # only the person for themselves: mandates, contact details
}


def _citizen_for_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """The citizen for themselves, or a proxy for the principal of the mandate in force (its
    scope is checked by ``authorize``)."""
    return actor.kind == CITIZEN and subject_id is not None and subject_id in (actor.id, actor.acting_for)


def _own(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """The citizen acting for themselves only: never through a mandate."""
    return (
        actor.kind == CITIZEN
        and not actor.is_proxy
        and subject_id == actor.id
        and (obj is None or getattr(obj, "person_id", subject_id) == subject_id)
    )


def _person(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """Any logged-in citizen, whoever they are acting for (choosing whom to act for)."""
    return actor.kind == CITIZEN


def _application_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return _citizen_for_subject(actor, subject_id, obj) and (obj is None or obj.applicant_id == subject_id)


def _household_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """The applicant, or an adult household member consenting for themselves."""
    return _citizen_for_subject(actor, subject_id, obj) and (
        obj is None or obj.applicant_id == subject_id or any(member.person_id == subject_id for member in obj.members)
    )


def _joint_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """The applicant, or a co-applicant who signs the joint application (the co-signer); never another
    household member (an adult child, a parent): the applicant's attachments are the joint application's,
    not the household's (docs/design.md, "Who sees what in a household")."""
    return _citizen_for_subject(actor, subject_id, obj) and (
        obj is None
        or obj.applicant_id == subject_id
        or any(member.person_id == subject_id for member in obj.co_applicants())
    )


def _consent_of_subject(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return _citizen_for_subject(actor, subject_id, obj) and (obj is None or obj.given_by_person_id == subject_id)


def _caseworker_of_municipality(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    """A caseworker of the municipality; one who belongs to a unit (a district's inbox) sees only
    what is routed or forwarded to that unit, so forwarding takes the sending unit's access away."""
    if not (actor.kind == STAFF and actor.role == CASEWORKER and bool(actor.municipality_code)):
        return False
    if obj is None:
        return True
    return obj.municipality_code == actor.municipality_code and (
        not actor.unit or getattr(obj, "inbox_id", None) == actor.unit
    )


def _api_client_of_municipality(actor: Actor, subject_id: str | None, obj: Any) -> bool:
    return (
        actor.kind == API_CLIENT
        and bool(actor.municipality_code)
        and (obj is None or obj.municipality_code == actor.municipality_code)
    )


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
    # The applicant's attachments: the applicant and the co-signer only, never other household members.
    "joint": _joint_of_subject,
    "consent": _consent_of_subject,
    # Signing and sending: the applicant, a co-applicant, or a proxy with the submit scope; never
    # another household member.
    "sign": _joint_of_subject,
    # The citizen for themselves only (granting mandates, contact details): never a proxy.
    "own": _own,
    # Any citizen, whoever they act for (the "act for" switch).
    "person": _person,
    # The applicant's case after sending: overview, timeline, requests, decision, withdrawal.
    "case": _application_of_subject,
    # Messages on a case (a proxy needs the messages scope).
    "messages": _application_of_subject,
    # Appealing the applicant's decision: the applicant, or a proxy with the submit scope to send it.
    "appeal": _application_of_subject,
    "inbox": _caseworker_of_municipality,
    "admin": _administrator,
    "api": _api_client_of_municipality,
}

# Which login a denied anonymous visitor is sent to, by rule.
LOGIN_FOR_RULE = {
    "citizen": "citizen",
    "application": "citizen",
    "household": "citizen",
    "joint": "citizen",
    "consent": "citizen",
    "case": "citizen",
    "messages": "citizen",
    "appeal": "citizen",
    "inbox": "staff",
    "admin": "staff",
    "authenticated": "citizen",
    "sign": "citizen",
    "own": "citizen",
    "person": "citizen",
}


def within_mandate(actor: Actor, action: str, subject_id: str | None, method: str = "GET") -> bool:
    """A proxy acting for ``subject_id`` needs the scope ``PROXY_SCOPE`` names for the rule and
    method; anyone else, or a rule not bound to a subject, passes."""
    if action not in PROXY_SCOPE or not actor.is_proxy or subject_id != actor.acting_for:
        return True
    reading, changing = PROXY_SCOPE[action]
    needed = reading if method.upper() in SAFE_METHODS else changing
    return needed is not None and needed in actor.scopes


def authorize(
    actor: Actor, action: str, subject_id: str | None = None, obj: Any = None, method: str | None = None
) -> bool:
    """Decide access by actor, subject, role and (for a proxy) the mandate's scope for the
    method, by default the current request's. Unknown actions are denied."""
    rule = POLICY.get(action)
    if not (rule and rule(actor, subject_id, obj)):
        return False
    if method is None:
        method = request.method if has_request_context() else "GET"
    return within_mandate(actor, action, subject_id, method)


def requires(action: str):
    """Declare the access rule of a view; checked before the view runs (see ``enforce``)."""
    if action not in POLICY:
        raise ValueError(f"unknown access rule {action!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.access_rule = action  # pyright: ignore[reportAttributeAccessIssue]  # a mark that enforce() reads
        return wrapped

    return decorator


def ensure(action: str, obj: Any) -> None:
    """Object-level check: the object belongs to the subject (and a proxy may at least read it).
    What the request may change was decided from the view's rule and method before it ran, so
    a view declared ``sign`` may load its application with ``ensure("application", ...)``.
    Not found rather than forbidden, so existence does not leak."""
    if not authorize(g.actor, action, g.subject_id, obj, method="GET"):
        abort(404)
