"""The stored status of a copy of one's data (``data_copy.status``).

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class CopyStatus(enum.StrEnum):
    QUEUED = "queued"
    PREPARING = "preparing"  # claimed by the background worker
    READY = "ready"  # until ``expires_at``
    FAILED = "failed"  # after the last attempt


# Asked for and not yet ready: a second request waits for this one.
UNDER_WAY = (CopyStatus.QUEUED, CopyStatus.PREPARING)
