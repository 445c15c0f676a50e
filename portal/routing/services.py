from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.routing.config import Inbox, LocalText, parse_postal_code, routing_config
from portal.routing.municipalities import Municipality, municipalities

__all__ = [
    "Connection",
    "Inbox",
    "Municipality",
    "NotReceiving",
    "Route",
    "UnknownMunicipality",
    "ensure_receiving",
    "inbox",
    "municipalities",
    "municipality",
    "route",
    "status",
]


class UnknownMunicipality(LookupError):
    pass


class NotReceiving(Exception):
    """The municipality is paused or not connected: an application cannot be sent to it now."""

    def __init__(self, code: str, state: str):
        super().__init__(code, state)
        self.code = code
        self.state = state


@dataclass(frozen=True)
class Connection:
    """Whether a municipality receives applications, with what a template needs to say so.

    ``message_key`` is a key of ``portal.routing.labels.MESSAGES`` (None when connected); ``reason``,
    ``instructions`` and ``contact_*`` are the municipality's own words from the configuration.
    """

    municipality: Municipality
    state: str  # "connected" | "paused" | "not_connected"
    message_key: str | None = None
    reason: LocalText | None = None
    instructions: LocalText | None = None
    contact_url: str | None = None
    contact_address: str | None = None
    until: date | None = None

    @property
    def receiving(self) -> bool:
        """An application can be sent now."""
        return self.state == "connected"

    @property
    def can_start(self) -> bool:
        """A draft may be started (paused: yes, sending is blocked; not connected: told before starting)."""
        return self.state != "not_connected"


@dataclass(frozen=True)
class Route:
    """Where an application from this folkbokföring goes. ``code``/``name`` are the municipality's (as before)."""

    municipality: Municipality
    inbox: Inbox
    state: str
    district: str | None = None  # the district rule that matched, None for fallback/protected
    protected: bool = False

    @property
    def code(self) -> str:
        return self.municipality.code

    @property
    def name(self) -> str:
        return self.municipality.name

    @property
    def county(self) -> str:
        return self.municipality.county

    @property
    def receiving(self) -> bool:
        return self.state == "connected"


def municipality(code: str | None) -> Municipality:
    if code is None:
        raise UnknownMunicipality(code)
    try:
        return municipalities()[code]
    except (KeyError, TypeError):
        raise UnknownMunicipality(code) from None


def status(code: str) -> Connection:
    """The municipality's connection state; raises UnknownMunicipality for codes not in kommuner.csv."""
    found = municipality(code)
    entry = routing_config().municipalities[code]
    return Connection(
        municipality=found,
        state=entry.state,
        message_key=None if entry.state == "connected" else entry.state,
        reason=entry.reason,
        instructions=entry.instructions,
        contact_url=entry.contact_url,
        contact_address=entry.contact_address,
        until=entry.until,
    )


def route(municipality_code: str, postal_code: str | None = None, protected: bool = False) -> Route:
    """Pick the receiving municipality and inbox for a folkbokföring.

    The municipality code alone decides the municipality; a postal code only picks the district inbox within
    it (no rule, no or malformed postal code → the fallback inbox). Protected identity is routed by the
    municipality code alone to its protected inbox; the postal code is not looked at. Never raises for a
    paused or not connected municipality (``.state`` says so): use ``ensure_receiving`` before sending.
    """
    found = municipality(municipality_code)
    entry = routing_config().municipalities[municipality_code]
    if protected:
        return Route(found, entry.inboxes[entry.protected_inbox], entry.state, protected=True)
    number = parse_postal_code(postal_code)
    district = entry.district_for(number) if number is not None else None
    if district is None:
        return Route(found, entry.inboxes[entry.fallback_inbox], entry.state)
    return Route(found, entry.inboxes[district.inbox], entry.state, district=district.name)


def ensure_receiving(code: str) -> Connection:
    """The connection if the municipality receives applications now; NotReceiving(code, state) otherwise."""
    connection = status(code)
    if not connection.receiving:
        raise NotReceiving(code, connection.state)
    return connection


def inbox(inbox_id: str) -> Inbox:
    """An inbox by its id (unique across municipalities), e.g. for the delivery worker; KeyError if unknown."""
    return routing_config().inboxes[inbox_id]
