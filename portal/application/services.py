from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta

from flask import g
from sqlalchemy import case, select

from portal.application.models import Application, ApplicationEvent, HouseholdMember, Signature, Status
from portal.audit.services import record
from portal.auth.models import Person
from portal.db import utcnow
from portal.extensions import db
from portal.providers.base import ProviderError
from portal.providers.services import skatteverket
from portal.routing.services import UnknownMunicipality, route
from portal.web.reads import once

log = logging.getLogger(__name__)
# Crockford's alphabet: no I, L, O, U, so a reference read aloud on the phone is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class NotSubmittable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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


def get(application_id: str) -> Application | None:
    return db.session.get(Application, application_id)


def _event(application: Application, kind: str) -> None:
    application.events.append(ApplicationEvent(kind=kind))


def existing_for(applicant_id: str, period: date) -> Application | None:
    """The applicant's application for the month that still counts (anything but withdrawn): one
    application per person and month (issue 15). One not yet sent comes first (an emergency
    application being written), then the first one made."""
    unsent = case((Application.status.in_((Status.DRAFT.value, Status.AWAITING_COSIGNATURE.value)), 0), else_=1)
    return db.session.scalar(
        select(Application)
        .where(
            Application.applicant_id == applicant_id,
            Application.period == period,
            Application.status != Status.WITHDRAWN.value,
        )
        .order_by(unsent, Application.created_at)
        .limit(1)
    )


def start(subject_id: str, period: date, *, emergency_reason: str | None = None) -> Application:
    """A new draft; the applicant has agreed to the folkbokföring fetch on the start form.

    Callers first look for the month's application (``existing_for``) and lead there; a second
    application for the same month is made only through the emergency path, with its reason,
    and is marked so for the caseworker."""
    from portal.consent.services import record_folkbokforing

    person = db.session.get(Person, subject_id)
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
            Application.status.in_((Status.DRAFT.value, Status.AWAITING_COSIGNATURE.value)),
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
    person = db.session.get(Person, application.applicant_id)
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


def check_submittable(application: Application) -> tuple[list, list]:
    """Everything that must hold before someone is asked to sign. Returns what was checked: the
    application's fetch calls (none pending) and fetched items (every seal whole), for the document."""
    if not (application.is_draft or application.awaiting_cosignature):
        raise NotSubmittable("already_submitted")
    if application.folkbokforing_fetched_at is None or not application.municipality_code:
        raise NotSubmittable("no_folkbokforing")
    from portal.information.services import broken_seals, calls, items, pending
    from portal.routing.services import status

    if not status(application.municipality_code).receiving:
        raise NotSubmittable("not_receiving")

    fetch_calls = calls(application)
    if pending(application, fetch_calls):
        raise NotSubmittable("fetch_pending")
    fetched = items(application)
    if broken_seals(application, fetched):
        log.error("seal check failed application=%s", application.id)
        raise NotSubmittable("broken_seal")
    return fetch_calls, fetched


def freeze(application: Application, language: str, checked: tuple[list, list] | None = None):
    """The exchange document, validated before it can leave, stored with its digest. ``checked``: what
    ``check_submittable`` returned in this transaction; the document then carries exactly the calls and
    items it checked (seals and all), not a second reading of them."""
    import hashlib

    from portal.delivery.models import FrozenDocument
    from portal.exchange import document

    if checked is None:
        doc = document.build(application, language)
    else:
        fetch_calls, fetched = checked
        doc = document.build(application, language, items=fetched, calls=fetch_calls)
    try:
        document.validate(doc)
    except document.InvalidDocument as invalid:
        log.error("exchange document invalid application=%s problems=%s", application.id, len(invalid.errors))
        raise NotSubmittable("invalid_document") from None
    body = document.canonical_bytes(doc)  # once: the digest is of these very bytes
    frozen = FrozenDocument(
        application_id=application.id,
        schema_version=document.SCHEMA_VERSION,
        language=language,
        body=body.decode("utf-8"),
        sha256=hashlib.sha256(body).hexdigest(),
    )
    db.session.add(frozen)
    return frozen


def frozen_document(application: Application):
    from portal.delivery.models import FrozenDocument

    # The application's own document; later supplements are further versions referring to it. It never
    # changes once frozen, so a page that asks for it twice (the case view, the calculation) reads it once.
    return once(
        ("frozen_document", application.id),
        lambda: db.session.scalar(
            select(FrozenDocument)
            .where(FrozenDocument.application_id == application.id, FrozenDocument.refers_to.is_(None))
            .order_by(FrozenDocument.version.desc())
        ),
    )


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


def sign(
    application: Application, person_id: str, signed_at=None, acr: str | None = None, language: str = "sv"
) -> None:
    """Record a signature. The applicant's first; a joint application then waits, visibly, for
    the co-applicant's; the last signature sends it. Repeats (double click, second tab, a
    replayed signature) change nothing."""
    if application.status not in (Status.DRAFT.value, Status.AWAITING_COSIGNATURE.value):
        return
    member = signer_member(application, person_id)
    if member is None or (member.relation != "applicant" and application.is_draft):
        raise NotSubmittable("not_a_signer")
    checked = check_submittable(application)
    missing = missing_signatures(application)
    if member in missing:
        db.session.add(
            Signature(
                application_id=application.id,
                member_id=member.id,
                person_id=person_id,
                signed_at=signed_at or utcnow(),
                acr=acr,
            )
        )
        record("sign", "application", application.id, f"{member.relation} signed", subject_id=application.applicant_id)
        missing = [m for m in missing if m is not member]
        if missing:  # a co-signer may have signed meanwhile: ask again (the query flushes this signature first)
            missing = missing_signatures(application)
    # (Signatures are only ever added: with none missing besides this signer's, none is missing now.)
    if member.relation == "applicant":
        application.signed_at = signed_at
        application.signature_acr = acr
        application.language = language
    if missing:
        if application.is_draft:
            application.status = Status.AWAITING_COSIGNATURE.value
            _event(application, "awaiting_cosignature")
        db.session.commit()
        return
    _send(application, application.language or language, checked)


def submit(application: Application, signed_at=None, acr: str | None = None, language: str = "sv") -> None:
    """The applicant signs (see ``sign``)."""
    sign(application, application.applicant_id, signed_at, acr, language)


def cancel_signing(application: Application) -> None:
    """The applicant takes the application back to a draft while it waits for a co-signature."""
    if application.awaiting_cosignature:
        db.session.execute(Signature.__table__.delete().where(Signature.application_id == application.id))
        application.status = Status.DRAFT.value
        application.signed_at = None
        _event(application, "signing_cancelled")
        record("change", "application", application.id, "signing cancelled", subject_id=application.applicant_id)
        db.session.commit()


def _send(application: Application, language: str, checked: tuple[list, list] | None = None) -> None:
    """Freeze the document and hand it to the outbox, in one transaction."""
    from portal.delivery.services import enqueue

    # Protected identity: routed by the municipality code alone, never by address.
    receiver = route(application.municipality_code, application.postal_code, protected=application.protected)
    application.status = Status.SUBMITTED.value
    application.submitted_at = utcnow()
    application.inbox_id = receiver.inbox.id
    # The timeline entry (added from its own side: the application's list of events, not needed here,
    # is not loaded for it) and the audit record, written with the signature's; all of it is undone
    # below if the document is invalid.
    db.session.add(ApplicationEvent(application=application, kind="submitted"))
    record("submit", "application", application.id, "application sent", subject_id=application.applicant_id)
    try:
        freeze(application, language, checked)
    except NotSubmittable:
        db.session.rollback()  # an invalid document never leaves: nothing is sent
        raise
    # The outbox record is written in the same transaction as the submission: a sent
    # application always has a delivery on its way.
    enqueue(application, receiver.code, receiver.inbox.id, receiver.inbox.channel)
    db.session.commit()


def register_arrival(application: Application) -> None:
    """Ankomstregistrering, with a case number (see portal/case/services.register)."""
    from portal.case.services import register

    if application.status == Status.SUBMITTED.value:
        register(application)


def in_inbox(application: Application, municipality_code: str) -> bool:
    from portal.delivery.models import InboxEntry

    return (
        db.session.scalar(
            select(InboxEntry.id).where(
                InboxEntry.application_id == application.id, InboxEntry.municipality_code == municipality_code
            )
        )
        is not None
    )


DRAFT_LIFETIME_DAYS = 30


def purge_stale_drafts(days: int = DRAFT_LIFETIME_DAYS, now=None) -> int:
    """Delete drafts untouched for ``days`` days, with everything that belongs to them (docs/design.md
    §5). Run daily by the scheduler (``portal drafts purge``)."""
    from datetime import timedelta

    from portal.db import Base

    cutoff = (now or utcnow()) - timedelta(days=days)
    stale = list(
        db.session.scalars(
            select(Application).where(Application.status == Status.DRAFT.value, Application.updated_at < cutoff)
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
    db.session.execute(Application.__table__.delete().where(Application.id.in_(ids)))
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
            Application.__table__.update()
            .where(Application.id == application.id)
            .values(last_path=application.last_path)
        )
        db.session.commit()
