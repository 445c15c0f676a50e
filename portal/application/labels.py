"""Plain-language, translated names for statuses, events and household relations."""

from portal.i18n.lazy import _l

STATUS = {
    "draft": _l("Draft – not sent"),
    "awaiting_cosign": _l("Signed by you – waiting for the co-applicant's signature"),
    "submitted": _l("Sent – waiting for the municipality"),
    "received": _l("Received by the municipality"),
    "under_handling": _l("Being handled"),
    "decided": _l("Decided"),
    "closed": _l("Closed"),
    "not_handled": _l("Will not be handled"),
    "withdrawn": _l("Withdrawn"),
}

EVENT = {
    "created": _l("You started the application"),
    "folkbokforing_fetched": _l("Your household was fetched from the population register"),
    "awaiting_cosignature": _l("You signed. The application waits for the co-applicant's signature"),
    "signing_cancelled": _l("The signing was cancelled and the application is a draft again"),
    "submitted": _l("The application was sent"),
    "received": _l("The municipality registered that it has received your application"),
}

# What a household member other than the applicant reads on the same pages (issue 13, point 6): the
# applicant's "you" would be wrong there. %(name)s is the applicant.
STATUS_FOR_CO_APPLICANT = {"awaiting_cosign": _l("Signed by %(name)s – waiting for your signature")}
STATUS_FOR_MEMBER = {"awaiting_cosign": _l("Signed by %(name)s – waiting for the co-applicant's signature")}
EVENT_FOR_MEMBER = {
    "created": _l("%(name)s started the application"),
    "folkbokforing_fetched": _l("The household was fetched from the population register"),
    "awaiting_cosignature": _l("%(name)s signed. The application waits for the co-applicant's signature"),
    "received": _l("The municipality registered that it has received the application"),
}
EVENT_FOR_CO_APPLICANT = {
    "awaiting_cosignature": _l("%(name)s signed. The application waits for your signature"),
}

APPLICANT, CO_APPLICANT, MEMBER = "applicant", "co_applicant", "member"


def status_text(status: str, reader: str, applicant_name: str) -> str:
    """The status worded to the reader: the applicant (or their proxy), a co-applicant or another member."""
    wording = {CO_APPLICANT: STATUS_FOR_CO_APPLICANT, MEMBER: STATUS_FOR_MEMBER}.get(reader, {})
    if status in wording:
        return str(wording[status]) % {"name": applicant_name}
    return str(STATUS.get(status, status))


def event_text(kind: str, reader: str, applicant_name: str) -> str:
    if reader == CO_APPLICANT and kind in EVENT_FOR_CO_APPLICANT:
        return str(EVENT_FOR_CO_APPLICANT[kind]) % {"name": applicant_name}
    if reader != APPLICANT and kind in EVENT_FOR_MEMBER:
        return str(EVENT_FOR_MEMBER[kind]) % {"name": applicant_name}
    return str(EVENT.get(kind, kind))


RELATION = {
    "applicant": _l("You"),
    "spouse": _l("Spouse or registered partner"),
    "partner": _l("Cohabiting partner"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "other": _l("Other household member"),
}

# Folkbokföring failures with a text of their own; the rest use the general fetch reasons.
FOLKBOKFORING_REASON = {
    "not_found": _l("The population register has no information about you."),
    "unknown_municipality": _l("Your registered municipality could not be recognised."),
}
