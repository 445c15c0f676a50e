"""Consent rules.

A consent unit is a provider's basic sets, its extended sets (Arbetsförmedlingen's 14 that
SKR asks for, docs/design.md §3; the banks), or folkbokföring. An adult consents for their own data; the
applicant also consents as guardian for their children under 18, for the sets marked
``for_children``. Nothing is fetched without an active consent on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import g, has_request_context
from sqlalchemy import Row, select

from portal.application.models import Application, HouseholdMember
from portal.audit.services import record
from portal.consent.models import Consent
from portal.db import Base, utcnow
from portal.extensions import db
from portal.providers.base import InfoSet, Provider
from portal.providers.registry import providers
from portal.web.reads import once

FOLKBOKFORING = "folkbokforing"


class ConsentClosed(Exception):
    """The application has been sent: consents can no longer change."""


@dataclass(frozen=True)
class Unit:
    provider: Provider
    scope: str  # basic | extended
    sets: tuple[InfoSet, ...]

    @property
    def key(self) -> str:
        return f"{self.provider.name}.{self.scope}"

    @property
    def child_sets(self) -> tuple[InfoSet, ...]:
        return tuple(s for s in self.sets if s.for_children)


def units() -> list[Unit]:
    found = []
    for provider in providers():
        for scope, extended in (("basic", False), ("extended", True)):
            sets = tuple(s for s in provider.sets if s.extended == extended)
            if sets:
                found.append(Unit(provider, scope, sets))
    return found


def unit(key: str) -> Unit:
    for candidate in units():
        if candidate.key == key:
            return candidate
    raise KeyError(key)


def member_for_person(application: Application, person_id: str) -> HouseholdMember | None:
    for member in application.members:
        if member.relation == "applicant" and application.applicant_id == person_id:
            return member
        if member.person_id == person_id:
            return member
    return None


def wards(application: Application, member: HouseholdMember) -> list[HouseholdMember]:
    """Children the applicant consents for as guardian."""
    if member.relation != "applicant":
        return []
    return [m for m in application.members if m.relation == "child" and m.is_minor_on(application.period)]


def self_consenting(application: Application) -> list[HouseholdMember]:
    """Adults other than the applicant, who must log in and consent for themselves."""
    return [m for m in application.members if m.relation != "applicant" and not m.is_minor_on(application.period)]


def active(application: Application) -> list[Consent]:
    return once(
        ("active_consents", application.id),
        lambda: list(
            db.session.scalars(
                select(Consent)
                .where(Consent.application_id == application.id, Consent.revoked_at.is_(None))
                .order_by(Consent.id)
            )
        ),
    )


def listed(application: Application) -> list[Row]:
    """The active consents as plain rows (id, member_id, provider, scope, as_guardian): what the task list
    and the check page show of them, read without an ORM object for each of a household's seventy (issue 15,
    point 5). Changing a consent goes through :func:`active`."""
    return once(
        ("listed_consents", application.id),
        lambda: list(
            db.session.execute(
                select(Consent.id, Consent.member_id, Consent.provider, Consent.scope, Consent.as_guardian)
                .where(Consent.application_id == application.id, Consent.revoked_at.is_(None))
                .order_by(Consent.id)
            )
        ),
    )


def active_keys(application: Application, member: HouseholdMember) -> set[str]:
    return {f"{c.provider}.{c.scope}" for c in active(application) if c.member_id == member.id}


def _proxy() -> dict:
    """A consent given by a proxy (ombud) names them and the mandate it was given under."""

    actor = g.get("actor") if has_request_context() else None
    if actor is None or not actor.is_proxy:
        return {}
    return {"proxy_id": actor.id, "mandate_reference": actor.mandate_reference}


def record_folkbokforing(application: Application, member: HouseholdMember, person_id: str) -> Consent:
    consent = Consent(
        application_id=application.id,
        member_id=member.id,
        provider="skatteverket",
        scope=FOLKBOKFORING,
        given_by_person_id=person_id,
        **_proxy(),
    )
    db.session.add(consent)
    return consent


def set_consents(
    application: Application, member: HouseholdMember, person_id: str, chosen: set[str]
) -> tuple[list[Consent], list[Consent]]:
    """Make the member's consents (and, for the applicant, their children's for the child sets)
    match the chosen unit keys. Returns (given, revoked)."""
    if not application.is_draft:
        raise ConsentClosed()
    given, revoked = [], []
    current = {(c.member_id, f"{c.provider}.{c.scope}"): c for c in active(application) if c.scope != FOLKBOKFORING}
    children = wards(application, member)
    for candidate in units():
        for subject, as_guardian in [(member, False)] + [(child, True) for child in children]:
            if as_guardian and not candidate.child_sets:
                continue
            existing = current.get((subject.id, candidate.key))
            if candidate.key in chosen and existing is None:
                consent = Consent(
                    application_id=application.id,
                    member_id=subject.id,
                    provider=candidate.provider.name,
                    scope=candidate.scope,
                    given_by_person_id=person_id,
                    as_guardian=as_guardian,
                    **_proxy(),
                )
                db.session.add(consent)
                given.append(consent)
            elif candidate.key not in chosen and existing is not None:
                revoked.append(existing)
    db.session.flush()
    for consent in given:
        record(
            "consent",
            "consent",
            str(consent.id),
            f"consent to {consent.provider}.{consent.scope}",
            subject_id=application.applicant_id,
        )
    for consent in revoked:
        _revoke(consent)
    application.updated_at = utcnow()
    db.session.commit()
    return given, revoked


def _revoke(consent: Consent) -> None:
    """Revoking a consent removes what was fetched under it: every row that says so with ``consent_id``
    (the fetched items and their calls, ``portal/information``, a layer above that this one does not import)."""
    consent.revoked_at = utcnow()
    fetched_under = [table for table in reversed(Base.metadata.sorted_tables) if "consent_id" in table.c]
    if not fetched_under:  # the models not loaded: never revoke and keep the data
        raise RuntimeError("no table holds what is fetched under a consent (portal.information.models not imported)")
    for table in fetched_under:  # children first
        db.session.execute(table.delete().where(table.c.consent_id == consent.id))
    record(
        "revoke",
        "consent",
        str(consent.id),
        f"revoked {consent.provider}.{consent.scope}",
        subject_id=consent_subject(consent),
    )


def consent_subject(consent: Consent) -> str:
    application = db.session.get_one(Application, consent.application_id)
    return application.applicant_id


def revoke(consent: Consent) -> None:
    application = db.session.get_one(Application, consent.application_id)
    if not application.is_draft:
        raise ConsentClosed()
    if consent.revoked_at is None:
        _revoke(consent)
        application.updated_at = utcnow()
        db.session.commit()


def consents_given_by(person_id: str) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent).where(Consent.given_by_person_id == person_id).order_by(Consent.given_at.desc())
        )
    )


def sets_for(consent: Consent, member: HouseholdMember, day: date) -> list[InfoSet]:
    """The information sets a consent allows fetching about its member."""
    if consent.scope == FOLKBOKFORING or consent.revoked_at is not None:
        return []
    chosen = unit(f"{consent.provider}.{consent.scope}")
    if consent.as_guardian:
        return list(chosen.child_sets) if member.is_minor_on(day) else []
    return list(chosen.sets)
