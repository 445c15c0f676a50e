"""An appeal's stored states (``appeal.status``, ``appeal.reconsideration``, ``appeal.deadline_basis``).

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class AppealStatus(enum.StrEnum):
    SENT = "sent"  # waiting for the municipality's reconsideration
    RECONSIDERED = "reconsidered"  # omprövad, to be forwarded
    FORWARDED = "forwarded"  # sent on to förvaltningsrätten with the municipality's opinion


class Reconsideration(enum.StrEnum):
    KEPT = "kept"
    CHANGED = "changed"


RECONSIDERATIONS = tuple(Reconsideration)


class DeadlineBasis(enum.StrEnum):
    """What the deadline was counted from: the served date, or (not yet served) the decision date."""

    SERVED = "served"
    DECIDED = "decided"
