"""The states of the delivery outbox (``delivery.status``) and of an inbox's circuit (``delivery_inbox.state``).

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # due at ``next_attempt_at``
    DELIVERING = "delivering"  # claimed by a worker until ``claimed_until``
    DELIVERED = "delivered"
    DEAD = "dead"  # refused too often: waits for an administrator to requeue it


# Still on its way: what a worker may claim (a claim whose lease ran out is claimed again).
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)


class InboxState(enum.StrEnum):
    WORKING = "working"
    FAILING = "failing"  # failures in a row, backing off
    PAUSED = "paused"  # too many failures in a row: only the head is tried now and then
