"""The case's stored states: a decision's outcome, a payment's state, and a notification's way out (the
``notification`` outbox and its attempts).

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class DecisionOutcome(enum.StrEnum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    DISMISSED = "dismissed"  # avvisat: not tried


# Outcomes that grant an amount for a period.
GRANTING = (DecisionOutcome.GRANTED, DecisionOutcome.PARTLY_GRANTED)


class PaymentState(enum.StrEnum):
    PLANNED = "planned"
    PAID = "paid"
    STOPPED = "stopped"
    CANCELLED = "cancelled"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # due at ``next_attempt_at``
    SENDING = "sending"  # claimed by a worker until ``next_attempt_at``
    SENT = "sent"
    FAILED = "failed"  # given up


class AttemptOutcome(enum.StrEnum):
    """``notification_attempt.outcome``; none while the attempt is under way."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the worker died during it: the message may have gone out
