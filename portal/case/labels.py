"""The one set of words for a case's outcomes, payments and timeline events, for the applicant and for the
caseworker where they must differ; the statuses and the early events are in ``portal/application/labels.py``.
Texts that take values are formatted in ``portal/case/overview.py``."""

from portal.application import labels as application_labels
from portal.application.labels import APPLICANT, CASEWORKER
from portal.application.states import ApplicationStatus as S
from portal.case.states import DecisionOutcome as O
from portal.case.states import PaymentState as P
from portal.i18n.lazy import _l

# One sentence saying where the case stands; %(case_number)s and %(municipality)s where they appear.
STATUS_TEXT: dict[str, str] = {
    S.SUBMITTED: _l(
        "Your application has been sent to %(municipality)s. It is waiting for the municipality to register it."
    ),
    S.RECEIVED: _l(
        "%(municipality)s has received and registered your application. Your case number is %(case_number)s."
    ),
    S.UNDER_HANDLING: _l(
        "A caseworker at %(municipality)s is handling your application. Your case number is %(case_number)s."
    ),
    S.DECIDED: _l("%(municipality)s has made a decision on your application: %(outcome)s."),
    S.CLOSED: _l("Your case is closed. Nothing more will happen with this application."),
    S.NOT_HANDLED: _l("%(municipality)s will not handle your application."),
    S.WITHDRAWN: _l(
        "You have withdrawn your application. The municipality keeps it as a record but will not handle it."
    ),
}

FORWARDED_STATUS = _l(
    "Your application has been forwarded to %(municipality)s. It is waiting for that municipality to register it."
)

# The applicant is told what "dismissed" (avvisat) means; the caseworker knows. (Keyed by the enums, typed by
# their values: a status read from the database is a plain str.)
OUTCOME: dict[str, str] = {
    O.GRANTED: _l("Granted"),
    O.PARTLY_GRANTED: _l("Partly granted"),
    O.REFUSED: _l("Refused"),
    O.DISMISSED: _l("Dismissed (not tried)"),
}
OUTCOME_FOR_CASEWORKER: dict[str, str] = {**OUTCOME, O.DISMISSED: _l("Dismissed")}

# The same words for every reader.
PAYMENT_STATE: dict[str, str] = {
    P.PLANNED: _l("Planned"),
    P.PAID: _l("Paid"),
    P.STOPPED: _l("Stopped"),
    P.CANCELLED: _l("Cancelled"),
}

# Timeline events without values. Events with values are worded in overview.event_text.
EVENT = {
    **application_labels.EVENT,
    "under_handling": _l("The municipality started handling your application"),
    "assigned": _l("A caseworker was assigned to your application"),
    "supplement_answered": _l("You answered a request for more information"),
    "closed": _l("The case was closed"),
    "not_handled": _l("The municipality decided not to handle your application"),
    "withdrawn": _l("You withdrew the application"),
    "interim_reply": _l("The municipality sent an interim reply"),
    "supplement_requested": _l("The municipality asked you for more information"),
    "decision": _l("The municipality made a decision"),
    "payment": _l("A payment was reported"),
    "forwarded": _l("Your application was forwarded"),
    "served": _l("The decision was delivered to you"),
    "appealed": _l("You appealed the decision"),
    "appeal_reconsidered": _l("The municipality reconsidered the decision you appealed"),
    "appeal_forwarded": _l("Your appeal was sent to the administrative court"),
}

# The caseworker's words for the case's events (the applicant's early events: portal/application/labels.py).
EVENT_FOR_CASEWORKER = {
    **application_labels.EVENT_FOR_CASEWORKER,
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

CASE_ERROR = {
    "wrong_state": _l("This can no longer be done: the case has moved on. See its current status below."),
    "already_answered": _l("You have already answered this request."),
    "answer_empty": _l("Write an answer or attach a file"),
    "message_empty": _l("Write your message"),
    "unknown_attachment": _l("A file could not be attached. Choose the files again."),
    "unknown_message": _l("The message you are replying to could not be found."),
}

# Why an operation was refused (portal.case.services.CaseError.reason), told to the caseworker.
CASE_ERROR_FOR_CASEWORKER = {
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


def outcome_text(outcome: str, reader: str = APPLICANT) -> str:
    return str((OUTCOME_FOR_CASEWORKER if reader == CASEWORKER else OUTCOME).get(outcome, outcome))
