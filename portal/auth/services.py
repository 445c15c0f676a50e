from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy import select
from stdnum.se import personnummer as pnr

from portal.audit.services import record
from portal.auth.actor import ADMINISTRATOR, CASEWORKER, CITIZEN, STAFF, Actor
from portal.auth.models import Person
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
        person = Person(personnummer=number, oidc_subject=subject,
                        given_name=claims.get("given_name", ""),
                        family_name=claims.get("family_name", ""))
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
    role = claims.get("role")
    if role not in (CASEWORKER, ADMINISTRATOR):
        raise LoginRefused("unknown_role")
    code = claims.get("municipality_code") or None
    if role == CASEWORKER:
        try:
            municipality(code or "")
        except UnknownMunicipality:
            raise LoginRefused("unknown_municipality") from None
    name = f"{claims.get('given_name', '')} {claims.get('family_name', '')}".strip()
    log.info("staff login sub=%s role=%s", claims.get("sub"), role)
    return Actor(kind=STAFF, id=claims.get("sub"), name=name, role=role,
                 municipality_code=code if role == CASEWORKER else None,
                 unit=claims.get("unit"))


def safe_next(target: str | None, default: str) -> str:
    """Only same-host relative paths are followed after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
