"""The one set of words for an application's status, its early timeline events and household relations, for
each reader: the applicant (or their proxy), a co-applicant, another household member, and the caseworker.
The case's outcomes, payments and later events are worded the same way in ``portal/case/labels.py``."""

from portal.application.states import ApplicationStatus as S
from portal.i18n.lazy import _l

APPLICANT, CO_APPLICANT, MEMBER, CASEWORKER = "applicant", "co_applicant", "member", "caseworker"

# The applicant's words: the default for the citizen's pages.
STATUS: dict[str, str] = {
    S.DRAFT: _l("Draft – not sent"),
    S.AWAITING_COSIGNATURE: _l("Signed by you – waiting for the co-applicant's signature"),
    S.SUBMITTED: _l("Sent – waiting for the municipality"),
    S.RECEIVED: _l("Received by the municipality"),
    S.UNDER_HANDLING: _l("Being handled"),
    S.DECIDED: _l("Decided"),
    S.CLOSED: _l("Closed"),
    S.NOT_HANDLED: _l("Will not be handled"),
    S.WITHDRAWN: _l("Withdrawn"),
}

# The caseworker's: where the case stands in the municipality's work.
STATUS_FOR_CASEWORKER: dict[str, str] = {
    S.DRAFT: _l("Draft"),
    S.AWAITING_COSIGNATURE: _l("Waiting for the co-applicant's signature"),
    S.SUBMITTED: _l("New – not registered"),
    S.RECEIVED: _l("Registered"),
    S.UNDER_HANDLING: _l("Under handling"),
    S.DECIDED: _l("Decided"),
    S.CLOSED: _l("Closed"),
    S.NOT_HANDLED: _l("Will not be handled"),
    S.WITHDRAWN: _l("Withdrawn by the applicant"),
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
STATUS_FOR_CO_APPLICANT: dict[str, str] = {
    S.AWAITING_COSIGNATURE: _l("Signed by %(name)s – waiting for your signature")
}
STATUS_FOR_MEMBER: dict[str, str] = {
    S.AWAITING_COSIGNATURE: _l("Signed by %(name)s – waiting for the co-applicant's signature")
}
EVENT_FOR_MEMBER = {
    "created": _l("%(name)s started the application"),
    "folkbokforing_fetched": _l("The household was fetched from the population register"),
    "awaiting_cosignature": _l("%(name)s signed. The application waits for the co-applicant's signature"),
    "received": _l("The municipality registered that it has received the application"),
}
EVENT_FOR_CO_APPLICANT = {
    "awaiting_cosignature": _l("%(name)s signed. The application waits for your signature"),
}

# The caseworker's words for the same events (the applicant is not "you" here).
EVENT_FOR_CASEWORKER = {
    "created": _l("The applicant started the application"),
    "folkbokforing_fetched": _l("The household was fetched from the population register"),
    "awaiting_cosignature": _l("The applicant signed; waiting for the co-applicant"),
    "signing_cancelled": _l("The signing was cancelled"),
    "submitted": _l("The application was sent"),
    "received": _l("Arrival registered"),
}


def status_text(status: str, reader: str, applicant_name: str = "") -> str:
    """The status worded to the reader: the applicant (or their proxy), a co-applicant, another member or the
    caseworker."""
    if reader == CASEWORKER:
        return str(STATUS_FOR_CASEWORKER.get(status, status))
    wording = {CO_APPLICANT: STATUS_FOR_CO_APPLICANT, MEMBER: STATUS_FOR_MEMBER}.get(reader, {})
    if status in wording:
        return str(wording[status]) % {"name": applicant_name}
    return str(STATUS.get(status, status))


def event_text(kind: str, reader: str, applicant_name: str = "") -> str:
    if reader == CASEWORKER:
        return str(EVENT_FOR_CASEWORKER.get(kind, kind))
    if reader == CO_APPLICANT and kind in EVENT_FOR_CO_APPLICANT:
        return str(EVENT_FOR_CO_APPLICANT[kind]) % {"name": applicant_name}
    if reader != APPLICANT and kind in EVENT_FOR_MEMBER:
        return str(EVENT_FOR_MEMBER[kind]) % {"name": applicant_name}
    return str(EVENT.get(kind, kind))


_RELATION = {
    "spouse": _l("Spouse or registered partner"),
    "partner": _l("Cohabiting partner"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "other": _l("Other household member"),
}
# The applicant reads about their own household ("You"); the caseworker about the applicant's.
RELATION = {"applicant": _l("You"), **_RELATION}
RELATION_FOR_CASEWORKER = {"applicant": _l("Applicant"), **_RELATION}

# Folkbokföring failures with a text of their own; the rest use the general fetch reasons.
FOLKBOKFORING_REASON = {
    "not_found": _l("The population register has no information about you."),
    "unknown_municipality": _l("Your registered municipality could not be recognised."),
}
