from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta

from flask import g
from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import joinedload

from portal.application.models import Application, ApplicationEvent, HouseholdMember, Signature
from portal.application.states import UNSENT, ApplicationStatus
from portal.audit.services import record
from portal.auth.models import Person
from portal.consent.services import record_folkbokforing
from portal.db import Base, utcnow
from portal.extensions import db
from portal.providers.base import ProviderError
from portal.providers.services import skatteverket
from portal.routing.services import UnknownMunicipality, route

log = logging.getLogger(__name__)
# Crockford's alphabet: no I, L, O, U, so a reference read aloud on the phone is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"EU-{chars[:4]}-{chars[4:]}"


def month_choices(today: date) -> list[date]:
    this_month = today.replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    return [this_month, next_month]


def applications_for(subject_id: str) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application).where(Application.applicant_id == subject_id).order_by(Application.created_at.desc())
        )
    )


def get(application_id: str, *, for_update: bool = False) -> Application | None:
    if for_update:
        return db.session.get(Application, application_id, with_for_update=True)
    # The household in the same statement: nearly every page that opens an application shows or checks its
    # members, which were one more read each (issue 15, point 5). Not with a lock: PostgreSQL will not lock
    # the nullable side of an outer join.
    return db.session.get(Application, application_id, options=[joinedload(Application.members)])


def lock(application: Application) -> None:
    """Lock the application's row until the transaction ends, then read it afresh. Locked by a statement of its
    own: a refresh with ``with_for_update`` repeats the options the row was loaded with, and :func:`get` loads
    the household joined, which PostgreSQL will not lock (the nullable side of an outer join)."""
    db.session.execute(select(Application.id).where(Application.id == application.id).with_for_update())
    db.session.refresh(application)


def _event(application: Application, kind: str) -> None:
    application.events.append(ApplicationEvent(kind=kind))


def existing_for(applicant_id: str, period: date) -> Application | None:
    """The applicant's application for the month that still counts (anything but withdrawn): one
    application per person and month (issue 15). One not yet sent comes first (an emergency
    application being written), then the first one made."""
    unsent = case((Application.status.in_(UNSENT), 0), else_=1)
    return db.session.scalar(
        select(Application)
        .where(
            Application.applicant_id == applicant_id,
            Application.period == period,
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .order_by(unsent, Application.created_at)
        .limit(1)
    )


def start(subject_id: str, period: date, *, emergency_reason: str | None = None) -> Application:
    """A new draft; the applicant has agreed to the folkbokföring fetch on the start form.

    Callers first look for the month's application (``existing_for``) and lead there; a second
    application for the same month is made only through the emergency path, with its reason,
    and is marked so for the caseworker."""
    person = db.session.get_one(Person, subject_id)
    application = Application(
        reference=new_reference(),
        applicant_id=subject_id,
        period=period,
        emergency=emergency_reason is not None,
        emergency_reason=emergency_reason,
    )
    application.members.append(
        HouseholdMember(
            position=0,
            relation="applicant",
            given_name=person.given_name,
            family_name=person.family_name,
            personnummer=person.personnummer,
            person_id=person.id,
        )
    )
    db.session.add(application)
    _event(application, "created")
    db.session.flush()
    record_folkbokforing(application, application.members[0], subject_id)
    record("create", "application", application.id, "start application", subject_id=subject_id)
    fetch_folkbokforing(application)
    return application


def link_memberships(person: Person) -> None:
    """When an adult household member logs in, connect them to the drafts they belong to, so
    they can consent for their own data."""
    members = db.session.scalars(
        select(HouseholdMember)
        .join(Application)
        .where(
            HouseholdMember.personnummer == person.personnummer,
            HouseholdMember.person_id.is_(None),
            HouseholdMember.relation != "applicant",
            Application.status.in_(UNSENT),
        )
    ).all()
    for member in members:
        if not member.is_minor_on(member.application.period):
            member.person_id = person.id
    db.session.commit()


def memberships(person_id: str) -> list[Application]:
    """Drafts of others that include this person as an adult household member."""
    return list(
        db.session.scalars(
            select(Application)
            .join(HouseholdMember)
            .where(HouseholdMember.person_id == person_id, Application.applicant_id != person_id)
            .order_by(Application.created_at.desc())
        )
    )


def fetch_folkbokforing(application: Application) -> None:
    """Fetch the applicant's folkbokföring over HTTP and keep the minimised result.

    A failing provider never loses the application: the draft is saved with the reason and
    the applicant can retry.
    """
    person = db.session.get_one(Person, application.applicant_id)
    if len(application.members) > 1:
        return  # already fetched: household members are referenced by consents and items
    try:
        registration = skatteverket().folkbokforing(person.personnummer)
        route(registration.municipality_code)
    except ProviderError as exc:
        application.folkbokforing_error = exc.reason
        log.warning("folkbokforing not fetched application=%s reason=%s", application.id, exc.reason)
        db.session.commit()
        return
    except UnknownMunicipality:
        application.folkbokforing_error = "unknown_municipality"
        db.session.commit()
        return
    application.folkbokforing_error = None
    application.folkbokforing_fetched_at = utcnow()
    application.municipality_code = registration.municipality_code
    application.protected = registration.protected
    application.street = registration.street
    application.postal_code = registration.postal_code
    application.post_town = registration.post_town
    applicant = application.members[0]
    applicant.given_name = registration.given_name
    applicant.family_name = registration.family_name
    applicant.birth_date = registration.birth_date
    for position, member in enumerate(registration.members, start=1):
        application.members.append(
            HouseholdMember(
                position=position,
                relation=member.relation,
                given_name=member.given_name,
                family_name=member.family_name,
                birth_date=member.birth_date,
                personnummer=member.personnummer,
            )
        )
    _event(application, "folkbokforing_fetched")
    record(
        "fetch",
        "folkbokforing",
        application.id,
        "household and municipality for the application",
        subject_id=application.applicant_id,
    )
    db.session.commit()


def signer_member(application: Application, person_id: str) -> HouseholdMember | None:
    """The member who may sign: the applicant, or a co-applicant who has logged in."""
    for member in application.members:
        if (member.relation == "applicant" and application.applicant_id == person_id) or (
            member.person_id == person_id and member in application.co_applicants()
        ):
            return member
    return None


def missing_signatures(application: Application) -> list[HouseholdMember]:
    signed = set(db.session.scalars(select(Signature.member_id).where(Signature.application_id == application.id)))
    return [m for m in [application.members[0], *application.co_applicants()] if m.id not in signed]


DRAFT_LIFETIME_DAYS = 30


def purge_stale_drafts(days: int = DRAFT_LIFETIME_DAYS, now=None) -> int:
    """Delete drafts untouched for ``days`` days, with everything that belongs to them (docs/design.md
    §5). Run daily by the scheduler (``portal drafts purge``)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    stale = list(
        db.session.scalars(
            select(Application).where(Application.status == ApplicationStatus.DRAFT, Application.updated_at < cutoff)
        )
    )
    if not stale:
        return 0
    ids = [a.id for a in stale]
    for hook in _purge_hooks:
        hook(ids)
    # Children first: every table that belongs to an application says so with application_id.
    for table in reversed(Base.metadata.sorted_tables):
        if "application_id" in table.c:
            db.session.execute(table.delete().where(table.c.application_id.in_(ids)))
    for application in stale:
        record(
            "delete",
            "application",
            application.id,
            f"draft unchanged for {days} days",
            subject_id=application.applicant_id,
        )
    db.session.execute(delete(Application).where(Application.id.in_(ids)).execution_options(synchronize_session=False))
    db.session.commit()
    log.info("purged stale drafts count=%s", len(ids))
    return len(ids)


_purge_hooks: list = []


def on_purge(hook) -> None:
    """Areas that keep things outside the database (attachment files) clean up here."""
    _purge_hooks.append(hook)


def touch(application: Application) -> None:
    """Every change to a draft counts as activity (drafts expire 30 days after the last)."""
    application.updated_at = utcnow()


def remember_place(application: Application, path: str) -> None:
    """Keep the page the applicant is on, so that coming back continues there. Viewing is not a
    change: ``updated_at`` (which decides when a draft expires) is left alone."""
    if application.is_draft and application.applicant_id == g.get("subject_id") and application.last_path != path:
        application.last_path = path[:200]
        db.session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values(last_path=application.last_path)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
