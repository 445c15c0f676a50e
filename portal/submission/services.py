"""From a finished draft to a sent application: the check before anyone signs, the signatures (the
applicant's, then a co-applicant's), the frozen exchange document and the outbox record, the last three in
one transaction."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import bindparam, delete, select

from portal.application.models import Application, ApplicationEvent, Signature
from portal.application.services import missing_signatures, signer_member
from portal.application.states import UNSENT, ApplicationStatus, move
from portal.audit.services import record
from portal.auth.models import Person
from portal.db import utcnow
from portal.exchange import document
from portal.extensions import db
from portal.information.services import broken_seals, calls, items, pending
from portal.routing.services import route, status
from portal.submission.models import FrozenDocument
from portal.web.reads import once

log = logging.getLogger(__name__)


# The outbox (portal/delivery) is a layer above this one: the composition root (portal/__init__.py) hands
# its ``enqueue`` in, and it writes the record inside the submission's own transaction.
_outbox: list = []


def hand_over_with(enqueue) -> None:
    _outbox[:] = [enqueue]


# Notifications (portal/case) too: "there is news" for a co-applicant whose signature is awaited, and for the
# applicant when the last signature sent the application. Handed in by the composition root; written in the
# signature's transaction, so a signature undone takes its notice with it.
_notify: list = []


def notify_with(notify) -> None:
    _notify[:] = [notify]


def _tell(application: Application, reason: str, person_id: str | None = None) -> None:
    if _notify:
        _notify[0](application, reason, person_id)


class NotSubmittable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_submittable(application: Application) -> tuple[list, list]:
    """Everything that must hold before someone is asked to sign. Returns what was checked: the
    application's fetch calls (none pending) and fetched items (every seal whole), for the document."""
    if not (application.is_draft or application.awaiting_cosignature):
        raise NotSubmittable("already_submitted")
    if application.folkbokforing_fetched_at is None or not application.municipality_code:
        raise NotSubmittable("no_folkbokforing")
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


def freeze(application: Application, language: str, checked: tuple[list, list] | None = None) -> FrozenDocument:
    """The exchange document, validated before it can leave, stored with its digest. ``checked``: what
    ``check_submittable`` returned in this transaction; the document then carries exactly the calls and
    items it checked (seals and all), not a second reading of them."""
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


def frozen_document(application: Application) -> FrozenDocument | None:
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


# The digest alone, for a page that shows only it (the case page's receipt): the body, the whole household's
# document, is not read and parsed into a string for it. The same document as ``frozen_document`` finds; the
# application's id bound as ``application_id`` (a page may put it beside another read as a scalar subquery).
FROZEN_DIGEST = (
    select(FrozenDocument.sha256)
    .where(FrozenDocument.application_id == bindparam("application_id"), FrozenDocument.refers_to.is_(None))
    .order_by(FrozenDocument.version.desc())
    .limit(1)
)


def frozen_digest(application: Application) -> str | None:
    """The ``sha256`` of the application's own document, or None when none is frozen."""
    return db.session.scalar(FROZEN_DIGEST, {"application_id": application.id})


def sign(
    application: Application, person_id: str, signed_at=None, acr: str | None = None, language: str = "sv"
) -> None:
    """Record a signature. The applicant's first; a joint application then waits, visibly, for
    the co-applicant's; the last signature sends it. Repeats (double click, second tab, a
    replayed signature) change nothing."""
    if application.status not in UNSENT:
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
            move(application, ApplicationStatus.AWAITING_COSIGNATURE)
            application.events.append(ApplicationEvent(kind="awaiting_cosignature"))
            for waited_for in missing:
                # Someone who has logged in (and so may have left contact details): linked to this draft if
                # they have logged in since it was made, else found by their personnummer.
                waited_id = waited_for.person_id or db.session.scalar(
                    select(Person.id).where(Person.personnummer == waited_for.personnummer)
                )
                if waited_id:
                    _tell(application, "awaiting_cosignature", waited_id)
        db.session.commit()
        return
    if member.relation != "applicant":
        _tell(application, "cosigned_and_sent")
    _send(application, application.language or language, checked)


def submit(application: Application, signed_at=None, acr: str | None = None, language: str = "sv") -> None:
    """The applicant signs (see ``sign``)."""
    sign(application, application.applicant_id, signed_at, acr, language)


def cancel_signing(application: Application) -> None:
    """The applicant takes the application back to a draft while it waits for a co-signature."""
    if application.awaiting_cosignature:
        db.session.execute(
            delete(Signature)
            .where(Signature.application_id == application.id)
            .execution_options(synchronize_session=False)
        )
        move(application, ApplicationStatus.DRAFT)
        application.signed_at = None
        application.events.append(ApplicationEvent(kind="signing_cancelled"))
        record("change", "application", application.id, "signing cancelled", subject_id=application.applicant_id)
        db.session.commit()


def _send(application: Application, language: str, checked: tuple[list, list] | None = None) -> None:
    """Freeze the document and hand it to the outbox, in one transaction."""
    assert application.municipality_code is not None  # check_submittable requires the folkbokföring
    # Protected identity: routed by the municipality code alone, never by address.
    receiver = route(application.municipality_code, application.postal_code, protected=application.protected)
    move(application, ApplicationStatus.SUBMITTED)
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
    if not _outbox:
        raise RuntimeError("no outbox to hand the application to (create_app sets it)")
    _outbox[0](application, receiver.code, receiver.inbox.id, receiver.inbox.channel)
    db.session.commit()
