"""A mandate's stored status (``mandate.status``) and the states it is shown in.

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum


class MandateStatus(enum.StrEnum):
    PENDING = "pending"  # granted, waiting for the proxy to accept
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"  # ended by the proxy or, for a legal representative, by an administrator
    REVOKED = "revoked"  # revoked by the principal
    # A legal representative registered by one administrator waits for a second one (four eyes), who
    # approves it (then ACTIVE) or refuses it with a reason.
    AWAITING_APPROVAL = "awaiting_approval"
    REFUSED = "refused"


# Not ended in any way: it may still come into force, or is in force.
LIVE = (MandateStatus.PENDING, MandateStatus.ACTIVE)

# Shown, never stored (``portal.mandates.services.state``): derived from the validity period.
EXPIRED = "expired"
NOT_STARTED = "not_started"
