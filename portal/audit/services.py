from __future__ import annotations

from typing import cast

from flask import g, has_request_context
from sqlalchemy import Table, insert, select

from portal.audit.models import AuditEvent
from portal.extensions import db

# The mapped class's table: typed as a plain FromClause by the declarative base.
_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)  # built once; each read's columns are its parameters


def record(
    action: str, object_type: str, object_id: str | None, purpose: str, subject_id: str | None = None
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it records,
    or by ``commit_read`` for reads)."""
    event = AuditEvent(**_columns(action, object_type, object_id, purpose, subject_id))
    db.session.add(event)
    return event


def _columns(action: str, object_type: str, object_id: str | None, purpose: str, subject_id: str | None) -> dict:
    """An event's columns: who acts (the request's actor, else the system), for whom, what and why."""
    in_request = has_request_context()
    actor = g.get("actor") if in_request else None
    if subject_id is None and in_request:
        subject_id = g.get("subject_id")
    return {
        "actor_type": actor.kind if actor else "system",
        "actor_id": actor.id if actor else None,
        "actor_role": actor.role if actor else None,
        "subject_id": subject_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "purpose": purpose,
        "request_id": g.get("request_id") if in_request else None,
        "actor_name": (actor.name or "")[:200] or None if actor else None,
        "actor_unit": (getattr(actor, "unit", None) or "")[:100] or None if actor else None,
        "actor_municipality": getattr(actor, "municipality_code", None) if actor else None,
        "mandate_id": getattr(actor, "mandate_id", None) if actor else None,
    }


def record_and_commit(
    action: str, object_type: str, object_id: str | None, purpose: str, subject_id: str | None = None
) -> None:
    """An audit event that ends the transaction: for a step whose only change is its record (a read, a logout, a
    repeated request that changes nothing). Routes call this instead of committing (decision 0013)."""
    record(action, object_type, object_id, purpose, subject_id)
    db.session.commit()


def record_read(object_type: str, object_id: str | None, purpose: str, subject_id: str | None = None) -> None:
    """The read recorded and committed before anything is shown. What the request loaded before it is not
    expired by this commit (issue 15, point 5): it was read moments ago in this same request, and what the page
    reads after it is read afresh; expiring would only load the same rows again (the application, on every
    page of one)."""
    session = db.session()
    # The request's own changes first, as ``record`` then a flush would write them (the events in the order
    # they were made); then the read as one Core insert: no ORM instance to track, flush and forget on a
    # page that only reads (issue 15, point 5). Same columns, defaults (``at``) and transaction.
    session.flush()  # nothing to do (and next to no time) on a page that changed nothing
    session.execute(_INSERT, _columns("read", object_type, object_id, purpose, subject_id))
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def events_for_subject(subject_id: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.subject_id == subject_id).order_by(AuditEvent.id))
    )
