"""Translated texts for a municipality's connection state, for the pages that show it.

``MESSAGES[connection.message_key]`` takes ``municipality`` (the name): use ``message(connection)``.
"""

from portal.i18n.lazy import _l

STATE = {
    "connected": _l("Receives applications"),
    "paused": _l("Temporarily not receiving applications"),
    "not_connected": _l("Does not receive applications here"),
}

MESSAGES = {
    "paused": _l(
        "%(municipality)s is temporarily not receiving applications through this service. You can start "
        "and save your application, but you cannot send it until the municipality is receiving again."
    ),
    "not_connected": _l(
        "%(municipality)s does not receive applications for financial assistance through this "
        "service. Apply to the municipality on paper instead."
    ),
}

HEADING = {
    "paused": _l("You cannot send your application to %(municipality)s right now"),
    "not_connected": _l("Apply to %(municipality)s on paper"),
}

REASON = _l("Reason given by the municipality")
UNTIL = _l("The municipality expects to receive applications again from %(date)s.")
HOW_TO_APPLY = _l("How to apply")
CONTACT = _l("Contact the municipality")
CONTACT_LINK = _l("The municipality's website")
POSTAL_ADDRESS = _l("Postal address")
SENDING_BLOCKED = _l("Your application has not been sent. It is saved as a draft.")


def message(connection) -> str | None:
    """The explanation for a paused or not connected municipality in the reader's language; None if connected."""
    if connection.message_key is None:
        return None
    return MESSAGES[connection.message_key] % {"municipality": connection.municipality.name}


def heading(connection) -> str | None:
    if connection.message_key is None:
        return None
    return HEADING[connection.message_key] % {"municipality": connection.municipality.name}
