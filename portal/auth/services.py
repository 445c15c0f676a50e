from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from stdnum.se import personnummer as pnr

from portal.audit.services import record
from portal.auth.actor import ADMINISTRATOR, CASEWORKER, CITIZEN, STAFF, Actor
from portal.auth.models import Person
from portal.auth.session import end_sessions_of
from portal.db import utcnow
from portal.extensions import db
from portal.routing.services import UnknownMunicipality, municipality

log = logging.getLogger(__name__)
PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"


class LoginRefused(Exception):
    """The identity provider's answer cannot be used; ``reason`` is a code, never personal data."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def citizen_from_claims(claims: dict) -> Actor:
    number = claims.get(PNR_CLAIM) or ""
    if not (len(number) == 12 and pnr.is_valid(number)):
        raise LoginRefused("invalid_personnummer")
    subject = claims.get("sub")
    if not subject:
        raise LoginRefused("missing_subject")
    person = db.session.scalar(select(Person).where(Person.personnummer == number))
    if person is None:
        person = Person(
            personnummer=number,
            oidc_subject=subject,
            given_name=claims.get("given_name", ""),
            family_name=claims.get("family_name", ""),
        )
        db.session.add(person)
        db.session.flush()
        record("create", "person", person.id, "first login", subject_id=person.id)
    person.given_name = claims.get("given_name", person.given_name)
    person.family_name = claims.get("family_name", person.family_name)
    person.oidc_subject = subject
    person.last_login_at = utcnow()
    actor = Actor(kind=CITIZEN, id=person.id, name=person.display_name)
    db.session.commit()
    log.info("citizen login person=%s", person.id)
    return actor


def staff_from_claims(claims: dict) -> Actor:
    """The organisation's identity provider says who logs in; the staff directory (never the
    claims) says in which role, municipality and unit (portal/auth/staff.py)."""

    entry = current_app.extensions["portal.staff_directory"].lookup(claims.get("sub"))
    if entry is None:
        raise LoginRefused("not_in_staff_directory")
    role = entry.role
    if role not in (CASEWORKER, ADMINISTRATOR):
        raise LoginRefused("unknown_role")
    code = entry.municipality_code
    if role == CASEWORKER:
        try:
            municipality(code or "")
        except UnknownMunicipality:
            raise LoginRefused("unknown_municipality") from None
    name = f"{claims.get('given_name', '')} {claims.get('family_name', '')}".strip()
    log.info("staff login sub=%s role=%s", claims.get("sub"), role)
    return Actor(
        kind=STAFF,
        id=claims.get("sub"),
        name=name,
        role=role,
        municipality_code=code if role == CASEWORKER else None,
        unit=entry.unit,
    )


def safe_next(target: str | None, default: str) -> str:
    """Only same-host relative paths are followed after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def end_all_sessions(identity: str) -> int | None:
    """An administrator ends every session of a person: a citizen named by personnummer (12
    digits, a hyphen allowed) or a staff member by their subject. ``None``: a personnummer no one
    has logged in with. Audited (the citizen sees it in their trail)."""
    compact = identity.replace("-", "").replace("+", "").strip()
    if compact.isdigit():
        person = db.session.scalar(select(Person).where(Person.personnummer == compact))
        if person is None:
            return None
        ended = end_sessions_of(person.id)
        record("end_sessions", "person", person.id, "administrator ended all sessions", subject_id=person.id)
        log.info("sessions ended by administrator person=%s count=%s", person.id, ended)
    else:
        ended = end_sessions_of(identity.strip())
        record("end_sessions", "staff", identity.strip()[:64], "administrator ended all sessions")
        log.info("sessions ended by administrator sub=%s count=%s", identity.strip(), ended)
    db.session.commit()
    return ended
