"""Plain-language, translated names for statuses, events and household relations."""

from flask_babel import lazy_gettext as _l

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
