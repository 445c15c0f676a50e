"""Plain, translated words for the caseworker's side of a case: statuses, inbox filters, the
timeline, outcomes, payments, and what a refused action means."""

from portal.i18n.lazy import _l

STATUS = {
    "draft": _l("Draft"),
    "awaiting_cosign": _l("Waiting for the co-applicant's signature"),
    "submitted": _l("New – not registered"),
    "received": _l("Registered"),
    "under_handling": _l("Under handling"),
    "decided": _l("Decided"),
    "closed": _l("Closed"),
    "not_handled": _l("Will not be handled"),
    "withdrawn": _l("Withdrawn by the applicant"),
}

FILTERS = {
    "all": _l("All"),
    "new": _l("New"),
    "mine": _l("Mine"),
    "waiting": _l("Waiting for the applicant"),
    "supplemented": _l("Supplemented"),
    "decided": _l("Decided"),
    "appealed": _l("Appealed"),
}

OUTCOME = {
    "granted": _l("Granted"),
    "partly_granted": _l("Partly granted"),
    "refused": _l("Refused"),
    "dismissed": _l("Dismissed"),
}

PAYMENT_STATE = {
    "planned": _l("Planned"),
    "paid": _l("Paid"),
    "stopped": _l("Stopped"),
    "cancelled": _l("Cancelled"),
}

SOURCE = {
    "applicant": _l("The applicant"),
    "municipality": _l("The municipality"),
    "system": _l("The service"),
}

# Timeline events; the details that come with them are shown beside (see the template).
EVENT = {
    "created": _l("The applicant started the application"),
    "folkbokforing_fetched": _l("The household was fetched from the population register"),
    "awaiting_cosignature": _l("The applicant signed; waiting for the co-applicant"),
    "signing_cancelled": _l("The signing was cancelled"),
    "submitted": _l("The application was sent"),
    "received": _l("Arrival registered"),
    "under_handling": _l("Handling started"),
    "assigned": _l("Assigned to a caseworker"),
    "forwarded": _l("Forwarded"),
    "supplement_requested": _l("Supplement requested"),
    "supplement_answered": _l("The applicant answered a supplement request"),
    "interim_reply": _l("Interim reply sent"),
    "decision": _l("Decision made"),
    "payment": _l("Payment reported"),
    "closed": _l("Case closed"),
    "not_handled": _l("Will not be handled"),
    "withdrawn": _l("The applicant withdrew the application"),
    "message": _l("Message"),
    "served": _l("Decision served"),
    "appealed": _l("The applicant appealed the decision"),
    "appeal_reconsidered": _l("Appeal: the decision was reconsidered"),
    "appeal_forwarded": _l("Appeal forwarded to the administrative court"),
}

# Member relations as the caseworker reads them (the applicant is not "you" here).
RELATION = {
    "applicant": _l("Applicant"),
    "spouse": _l("Spouse or registered partner"),
    "partner": _l("Cohabiting partner"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "other": _l("Other household member"),
}

# Why an operation was refused (portal.case.services.CaseError.reason).
CASE_ERROR = {
    "wrong_state": _l("This cannot be done in the case's current status. The page shows where the case stands now."),
    "reason_missing": _l("Write the reason"),
    "not_receiving": _l("That municipality does not receive applications through the service at the moment"),
    "unknown_inbox": _l("Choose a unit of the municipality"),
    "same_inbox": _l("The application is already in that unit. Choose another unit or municipality"),
    "due_date_past": _l("The due date must be today or later"),
    "unknown_item": _l("Choose one of the application's fetched items, or none"),
    "unknown_outcome": _l("Choose the decision"),
    "amount_missing": _l("Enter the amount granted in whole kronor"),
    "period_missing": _l("Enter the period the decision covers, with the end on or after the start"),
    "unknown_state": _l("Choose the state of the payment"),
    "message_empty": _l("Write your message"),
}
