"""The service record's stored states (``delgivning.status``) and how a decision was served
(``decision.served_channel``).

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class DelgivningStatus(enum.StrEnum):
    PENDING = "pending"  # the worker is to look the person up (and send)
    SENDING = "sending"  # claimed by a worker until ``next_attempt_at``
    PRINTING = "printing"  # in the municipality's print queue
    SERVED = "served"  # served, digitally or by post (the decision carries the date and channel)


class ServedChannel(enum.StrEnum):
    DIGITAL = "digital"
    PAPER = "paper"
