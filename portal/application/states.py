"""The application's status (the column ``application.status``), its groups and the moves between them.

The values are stored as they are; ``StrEnum`` members compare equal to the stored strings."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.application.models import Application


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    # Signed by the applicant; a joint application waits here for the co-applicant's signature.
    AWAITING_COSIGNATURE = "awaiting_cosign"
    SUBMITTED = "submitted"  # routed and in the municipality's inbox, not yet registered
    RECEIVED = "received"  # registered on arrival (ankomstregistrerad) by the municipality
    UNDER_HANDLING = "under_handling"
    DECIDED = "decided"
    CLOSED = "closed"
    NOT_HANDLED = "not_handled"  # the municipality will not handle it (with a reason)
    WITHDRAWN = "withdrawn"  # by the applicant, before a decision


_S = ApplicationStatus

# Still the applicant's: nothing has reached a municipality.
UNSENT = (_S.DRAFT, _S.AWAITING_COSIGNATURE)
# Sent and with the municipality, before a decision: the applicant may still withdraw.
OPEN_CASE = (_S.SUBMITTED, _S.RECEIVED, _S.UNDER_HANDLING)
# Registered and not yet decided: what a caseworker handles (requests, calculation lines, the decision).
REGISTERED = (_S.RECEIVED, _S.UNDER_HANDLING)
# Nothing more happens to the case.
FINISHED = (_S.CLOSED, _S.NOT_HANDLED, _S.WITHDRAWN)
# Everything after sending: these have a case page.
SENT = (*OPEN_CASE, _S.DECIDED, *FINISHED)
# A decision stands and may be appealed (closing the case does not end the right to appeal).
APPEALABLE = (_S.DECIDED, _S.CLOSED)

# Every move the service makes, from each status. Forwarding to another municipality sends a registered case
# back to SUBMITTED (that municipality registers it in its own series).
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    _S.DRAFT: frozenset({_S.AWAITING_COSIGNATURE, _S.SUBMITTED}),
    _S.AWAITING_COSIGNATURE: frozenset({_S.DRAFT, _S.SUBMITTED}),
    _S.SUBMITTED: frozenset({_S.SUBMITTED, _S.RECEIVED, _S.NOT_HANDLED, _S.WITHDRAWN}),
    _S.RECEIVED: frozenset({_S.SUBMITTED, _S.UNDER_HANDLING, _S.DECIDED, _S.NOT_HANDLED, _S.WITHDRAWN}),
    _S.UNDER_HANDLING: frozenset({_S.SUBMITTED, _S.DECIDED, _S.NOT_HANDLED, _S.WITHDRAWN}),
    _S.DECIDED: frozenset({_S.CLOSED}),
    _S.CLOSED: frozenset(),
    _S.NOT_HANDLED: frozenset(),
    _S.WITHDRAWN: frozenset(),
}


class WrongState(Exception):
    """A move the table above does not allow: a bug in the caller, or a case that moved on meanwhile."""


def move(application: Application, to: ApplicationStatus) -> None:
    """Set the status, if the move from the current one is allowed."""
    current = ApplicationStatus(application.status)
    if to not in TRANSITIONS[current]:
        raise WrongState(f"{current} -> {to}")
    application.status = to
