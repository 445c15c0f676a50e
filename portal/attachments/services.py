"""Add, remove and list an application's attachments.

``add`` and ``remove`` join the caller's transaction; ``attach`` and ``detach`` are the applicant's own steps
and commit (decision 0013). The stored bytes follow the transaction:
- a file stored by ``add`` is deleted again if the transaction ends without a commit
  (rollback, or the session closed with the transaction open);
- a file whose row ``remove`` deletes is deleted only after the commit, so a rolled-back
  removal never leaves a row pointing at missing bytes.
"""

from __future__ import annotations

import logging

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.application import services as applications
from portal.application.models import Application
from portal.attachments import validation
from portal.attachments.models import Attachment
from portal.attachments.storage import Storage, current_storage
from portal.attachments.validation import AttachmentRefused
from portal.audit.services import record
from portal.extensions import db
from portal.information.models import InformationItem
from portal.web.reads import once, reading_once

log = logging.getLogger(__name__)

MAX_DESCRIPTION_LENGTH = 500
_PENDING = "portal.attachments.pending"  # session.info: [(when, storage, key)]
_ON_ROLLBACK, _ON_COMMIT = "rollback", "commit"


# The applicant's side and the municipality each have their own files: the application's limit
# (``validation.MAX_PER_APPLICATION``) applies to each side, so the municipality's files never use
# up the applicant's, and the applicant's document lists only the applicant's side's files.
_APPLICANTS = Attachment.uploaded_by_person_id.is_not(None)
_MUNICIPALITYS = Attachment.uploaded_by_staff.is_not(None)


def count_for(application_id: str, municipality: bool = False) -> int:
    """How many files the applicant's side (or, with ``municipality``, the municipality) has added."""
    if not municipality and reading_once():  # the page lists them anyway
        return len(for_application(application_id))
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.application_id == application_id, _MUNICIPALITYS if municipality else _APPLICANTS)
        )
        or 0
    )


def add(
    application_id: str,
    person_id: str,
    data: bytes,
    filename: str,
    storage: Storage,
    linked_item_id: int | None = None,
    linked_cost_id: int | None = None,
    description: str | None = None,
) -> Attachment:
    """Check, store and record a citizen's file. Raises ``AttachmentRefused`` (``reason`` is a code in
    ``validation.REASON_TEXT``, e.g. ``"too_many"``), ``LookupError`` for an unknown application
    and ``ValueError`` for a linked item of another application or a too long description."""
    checked = _checked(application_id, data, filename, municipality=False)
    if linked_item_id is not None:
        owner = db.session.scalar(select(InformationItem.application_id).where(InformationItem.id == linked_item_id))
        if owner != application_id:
            raise ValueError("the linked item does not belong to this application")
    description = _clean_description(description)
    return _store(
        application_id,
        storage,
        data,
        checked,
        uploaded_by_person_id=person_id,
        linked_item_id=linked_item_id,
        linked_cost_id=linked_cost_id,
        description=description,
    )


def attach(
    application: Application,
    person_id: str,
    data: bytes,
    filename: str,
    storage: Storage,
    linked_item_id: int | None = None,
    linked_cost_id: int | None = None,
    description: str | None = None,
) -> Attachment:
    """The applicant attaches a file to their draft: ``add``, audited and committed. Raises as ``add`` does."""
    attachment = add(
        application.id,
        person_id,
        data,
        filename,
        storage,
        linked_item_id=linked_item_id,
        linked_cost_id=linked_cost_id,
        description=description,
    )
    record("create", "attachment", attachment.id, "applicant attaches a document", subject_id=application.applicant_id)
    applications.touch(application)
    db.session.commit()
    return attachment


def detach(application: Application, attachment: Attachment, storage: Storage) -> None:
    """The applicant removes a file from their draft: ``remove``, audited and committed."""
    attachment_id = attachment.id
    remove(attachment, storage)
    record("delete", "attachment", attachment_id, "applicant removes a document", subject_id=application.applicant_id)
    applications.touch(application)
    db.session.commit()


def add_from_municipality(
    application_id: str, staff_name: str, data: bytes, filename: str, storage: Storage
) -> Attachment:
    """Check, store and record a file the municipality sends (a caseworker, named, or a system,
    by its client's name); the caller puts it on a message. Raises ``AttachmentRefused`` and
    ``LookupError`` as ``add`` does, ``ValueError`` for a missing or too long name."""
    staff_name = " ".join((staff_name or "").split())
    if not staff_name or len(staff_name) > 200:
        raise ValueError("the municipality's uploader must be named in at most 200 characters")
    checked = _checked(application_id, data, filename, municipality=True)
    return _store(application_id, storage, data, checked, uploaded_by_staff=staff_name)


def _checked(application_id: str, data: bytes, filename: str, municipality: bool) -> validation.Checked:
    # Lock the application row (PostgreSQL; a no-op on SQLite) so that two uploads at the same
    # time cannot both pass the count check and make it 31.
    found = db.session.scalar(select(Application.id).where(Application.id == application_id).with_for_update())
    if found is None:
        raise LookupError("no such application")
    if count_for(application_id, municipality) >= validation.MAX_PER_APPLICATION:
        raise AttachmentRefused("too_many")
    return validation.check(data, filename)


def _store(application_id: str, storage: Storage, data: bytes, checked: validation.Checked, **fields) -> Attachment:
    key = storage.put(bytes(data))
    try:
        attachment = Attachment(
            application_id=application_id,
            storage_key=key,
            original_name=checked.safe_name,
            kind=checked.kind,
            media_type=checked.media_type,
            size=checked.size,
            sha256=checked.sha256,
            **fields,
        )
        db.session.add(attachment)
        db.session.flush()
    except BaseException:
        storage.delete(key)
        raise
    _pending(db.session()).append((_ON_ROLLBACK, storage, key))
    return attachment


def remove(attachment: Attachment, storage: Storage) -> None:
    """Delete the row now (flushed) and the bytes once the transaction commits."""
    key = attachment.storage_key
    db.session.delete(attachment)
    db.session.flush()
    _pending(db.session()).append((_ON_COMMIT, storage, key))


def for_application(application_id: str) -> list[Attachment]:
    """The files the applicant's side added to the application, oldest first (the municipality's
    files, sent only with its messages, are never part of the application or its document)."""
    return once(
        ("applicant_attachments", application_id),
        lambda: list(
            db.session.scalars(
                select(Attachment)
                .where(Attachment.application_id == application_id, _APPLICANTS)
                .order_by(Attachment.created_at, Attachment.id)
            )
        ),
    )


def get(application_id: str, attachment_id: str) -> Attachment | None:
    """One attachment, only if it belongs to that application (check access to the application first)."""
    return db.session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.application_id == application_id)
    )


def _clean_description(description: str | None) -> str | None:
    if description is None:
        return None
    text = "".join(c for c in description if c in "\n\t" or c.isprintable()).strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValueError("description too long")
    return text or None


def _purge_files(application_ids: list[str]) -> None:
    """Stale drafts are purged with their rows (``applications.purge_stale_drafts``); their
    files go once that purge commits."""
    keys = db.session.scalars(
        select(Attachment.storage_key).where(Attachment.application_id.in_(application_ids))
    ).all()
    if keys:
        storage = current_storage()
        _pending(db.session()).extend((_ON_COMMIT, storage, key) for key in keys)


applications.on_purge(_purge_files)


# -- keeping the stored bytes in step with the transaction --------------------------------------


def _pending(session: Session) -> list:
    return session.info.setdefault(_PENDING, [])


def _run(session: Session, when: str) -> None:
    for kind, storage, key in session.info.pop(_PENDING, []):
        if kind != when:
            continue
        try:
            storage.delete(key)
        except Exception:  # the row is settled; a stray file is logged, not fatal
            log.exception("could not delete attachment bytes %s", key)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if _PENDING in session.info and session.get_nested_transaction() is None:
        _run(session, _ON_COMMIT)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Still pending when the outermost transaction ends: it was not committed.
    if _PENDING in session.info and transaction.parent is None and not transaction.nested:
        _run(session, _ON_ROLLBACK)
