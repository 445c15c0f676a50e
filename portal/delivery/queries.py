"""What administrators see of delivery: every inbox's health (its circuit and queue) and the dead letters.
No personal data: inboxes, counts, times, record ids and error texts that name no person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, type_coerce

from portal.db import UTCDateTime, utcnow
from portal.delivery.models import Delivery, DeliveryInbox, InboxEntry
from portal.delivery.states import OPEN, DeliveryStatus, InboxState
from portal.extensions import db
from portal.routing.config import routing_config


@dataclass(frozen=True)
class InboxHealth:
    inbox_id: str
    name: str
    state: str  # working | failing | paused
    failures: int
    open: int
    dead: int
    oldest_open: datetime | None
    next_attempt_at: datetime | None
    paused_at: datetime | None
    last_failure_kind: str | None
    last_error: str | None
    last_failure_at: datetime | None

    @property
    def paused(self) -> bool:
        return self.state == InboxState.PAUSED


def health() -> list[InboxHealth]:
    """Every inbox with something open or dead, or with a failure on record: paused first, then failing, then
    by its oldest open record."""
    counts = {
        row.inbox_id: row
        for row in db.session.execute(
            select(
                Delivery.inbox_id,
                func.sum(case((Delivery.status.in_(OPEN), 1), else_=0)).label("open"),
                func.sum(case((Delivery.status == DeliveryStatus.DEAD, 1), else_=0)).label("dead"),
                type_coerce(
                    func.min(case((Delivery.status.in_(OPEN), Delivery.created_at), else_=None)), UTCDateTime()
                ).label("oldest"),
            )
            .where(Delivery.status.in_((*OPEN, DeliveryStatus.DEAD)))
            .group_by(Delivery.inbox_id)
        )
    }
    circuits = {inbox.inbox_id: inbox for inbox in db.session.scalars(select(DeliveryInbox))}
    names = routing_config().inboxes
    rows = []
    for inbox_id in set(counts) | {i for i, c in circuits.items() if c.failures or c.last_failure_at}:
        count, circuit = counts.get(inbox_id), circuits.get(inbox_id)
        rows.append(
            InboxHealth(
                inbox_id=inbox_id,
                name=names[inbox_id].name if inbox_id in names else inbox_id,
                state=circuit.state if circuit is not None else InboxState.WORKING,
                failures=circuit.failures if circuit is not None else 0,
                open=int(count.open or 0) if count is not None else 0,
                dead=int(count.dead or 0) if count is not None else 0,
                oldest_open=count.oldest if count is not None else None,
                next_attempt_at=circuit.next_attempt_at if circuit is not None and circuit.failures else None,
                paused_at=circuit.paused_at if circuit is not None else None,
                last_failure_kind=circuit.last_failure_kind if circuit is not None else None,
                last_error=circuit.last_error if circuit is not None else None,
                last_failure_at=circuit.last_failure_at if circuit is not None else None,
            )
        )
    order = {InboxState.PAUSED: 0, InboxState.FAILING: 1, InboxState.WORKING: 2}
    far = utcnow().replace(year=9999)
    rows.sort(key=lambda r: (order.get(r.state, 3), r.oldest_open or far, r.inbox_id))
    return rows


def dead_letters(limit: int = 200) -> list[Delivery]:
    """Dead-lettered records, oldest first."""
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.DEAD)
            .order_by(Delivery.created_at, Delivery.id)
            .limit(limit)
        )
    )


def paused_inboxes() -> list[str]:
    """Ids of the inboxes paused now (for the administrators' overview)."""
    return list(
        db.session.scalars(
            select(DeliveryInbox.inbox_id)
            .where(DeliveryInbox.state == InboxState.PAUSED)
            .order_by(DeliveryInbox.inbox_id)
        )
    )


def in_inbox(application, municipality_code: str) -> bool:
    """Whether the built-in inbox of ``municipality_code`` has received the application."""
    return (
        db.session.scalar(
            select(InboxEntry.id).where(
                InboxEntry.application_id == application.id, InboxEntry.municipality_code == municipality_code
            )
        )
        is not None
    )
