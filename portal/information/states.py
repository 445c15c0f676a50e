"""The stored status of one provider fetch (``fetch_call.status``), also what the applicant sees per provider.

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class FetchStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # with a reason: the municipality sees "not fetched" and why
