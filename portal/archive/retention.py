"""Gallring: a finished case is purged when its municipality's retention has run out.

Due when ``portal.clock.now()`` has passed the case's last entry (its latest timeline event, decision,
payment or closing) by the municipality's ``retention_years`` (portal/routing: default five years,
socialtjänstlagen (2001:453) 12 kap. 1 §). Only cases that are finished (decided, closed, not handled,
withdrawn) are purged; an open case never is.

Purging removes the application and every row that belongs to it, found through the foreign keys, so a
table another area adds later is included without a change here: rows that must go with the case
(``application_id`` or a required reference to a purged row) are deleted children first, an optional
reference from a row that stays (the next month's ``previous_id``) is set to NULL. Files outside the
database go through the same hooks as the drafts purge (``portal.application.services.on_purge``).
The audit log is append-only (triggers refuse UPDATE and DELETE) and keeps its rows: they hold only
internal ids, which point at nothing once the case is gone. Nothing logged names a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, or_, select

from portal import clock
from portal.application import services as applications
from portal.application.models import Application, ApplicationEvent
from portal.application.states import FINISHED, ApplicationStatus
from portal.audit.services import record
from portal.case.models import Decision, Payment
from portal.db import Base
from portal.extensions import db
from portal.routing.config import DEFAULT_RETENTION_YEARS, routing_config

log = logging.getLogger(__name__)

# Nothing more will happen to these (an open case is never purged).
PURGEABLE = (ApplicationStatus.DECIDED, *FINISHED)


@dataclass(frozen=True)
class Due:
    application_id: str
    municipality_code: str
    last_entry: datetime
    due_at: datetime


def retention_years(code: str) -> int:

    entry = routing_config().municipalities.get(code)
    return entry.retention_years if entry is not None else DEFAULT_RETENTION_YEARS


def add_years(moment: datetime, years: int) -> datetime:
    """The same moment ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _aware(value: datetime) -> datetime:

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def due(now: datetime | None = None) -> list[Due]:
    """The finished cases whose retention has run out, oldest first."""
    now = now or clock.now()
    return [item for item in _schedule() if item.due_at <= now]


def pending(application: Application) -> Due | None:
    """When this case will be purged; None while it is open (not finished, nothing is due)."""
    found = _schedule(application.id)
    return found[0] if found else None


def _schedule(application_id: str | None = None) -> list[Due]:
    last_event = (
        select(ApplicationEvent.application_id, func.max(ApplicationEvent.at).label("at"))
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    last_decision = (
        select(Decision.application_id, func.max(Decision.decided_at).label("at"))
        .group_by(Decision.application_id)
        .subquery()
    )
    last_payment = (
        select(Payment.application_id, func.max(Payment.updated_at).label("at"))
        .group_by(Payment.application_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Application.id,
            Application.municipality_code,
            Application.submitted_at,
            Application.decided_at,
            Application.closed_at,
            last_event.c.at,
            last_decision.c.at,
            last_payment.c.at,
        )
        .outerjoin(last_event, last_event.c.application_id == Application.id)
        .outerjoin(last_decision, last_decision.c.application_id == Application.id)
        .outerjoin(last_payment, last_payment.c.application_id == Application.id)
        .where(Application.status.in_(PURGEABLE), *([Application.id == application_id] if application_id else []))
    ).all()
    years: dict[str, int] = {}
    found = []
    for found_id, code, *moments in rows:
        moments = [_aware(m) for m in moments if m is not None]
        if not moments or not code:
            continue
        last = max(moments)
        if code not in years:
            years[code] = retention_years(code)
        found.append(Due(found_id, code, last, add_years(last, years[code])))
    return sorted(found, key=lambda d: (d.due_at, d.application_id))


def _plan(ids: list[str]):
    """For every table, what to delete and what to unlink, children first (see the module's note)."""
    application = Base.metadata.tables["application"]
    doomed: dict[str, ColumnElement[bool]] = {application.name: application.c.id.in_(ids)}
    unlink: list = []
    for table in Base.metadata.sorted_tables:  # parents before children
        conditions = []
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name not in doomed:
                continue
            subquery = select(fk.column).where(doomed[parent.name])
            if table is application:  # the next month's application stays, without its link back
                unlink.append((table, fk.parent, subquery))
            elif fk.parent.name == "application_id" or not fk.parent.nullable:
                conditions.append(fk.parent.in_(subquery))
            else:
                unlink.append((table, fk.parent, subquery))
        if conditions:
            doomed[table.name] = or_(*conditions)
    deletes = [(Base.metadata.tables[name], condition) for name, condition in doomed.items()]
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    deletes.sort(key=lambda pair: order[pair[0].name], reverse=True)
    return deletes, unlink


def purge(dry_run: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Purge every case that is due; with ``dry_run`` only count. Returns counts per municipality
    (``{code: cases}``), which is also all that is logged."""

    found = due(now)
    counts: dict[str, int] = {}
    for item in found:
        counts[item.municipality_code] = counts.get(item.municipality_code, 0) + 1
    if dry_run or not found:
        for code, count in sorted(counts.items()):
            log.info("cases due for purging municipality=%s cases=%s dry_run=%s", code, count, dry_run)
        return counts
    ids = [item.application_id for item in found]
    for start in range(0, len(ids), 200):  # bounded IN lists
        _purge_batch(ids[start : start + 200], applications)
    for code, count in sorted(counts.items()):
        log.info("purged cases municipality=%s cases=%s", code, count)
    return counts


def _purge_batch(ids: list[str], applications) -> None:
    for hook in applications._purge_hooks:  # files outside the database (attachments)
        hook(ids)
    deletes, unlink = _plan(ids)
    for table, column, subquery in unlink:
        db.session.execute(table.update().where(column.in_(subquery)).values({column.name: None}))
    for table, condition in deletes:
        db.session.execute(table.delete().where(condition))
    for application_id in ids:
        # The audit row names the case's internal id only (no subject: the person may still be one).
        record("delete", "application", application_id, "gallring: retention ran out")
    db.session.commit()
