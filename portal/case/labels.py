"""Plain-language, translated words for the applicant's view of a case: statuses, events,
decisions and payments. Texts that take values are formatted in ``portal/case/overview.py``."""

from portal.application import labels as application_labels
from portal.i18n.lazy import _l

# The short status shown as a tag (overview and case page): the one list of status words.
STATUS = application_labels.STATUS

# One sentence saying where the case stands; %(case_number)s and %(municipality)s where they appear.
STATUS_TEXT = {
    "submitted": _l(
        "Your application has been sent to %(municipality)s. It is waiting for the municipality to register it."
    ),
    "received": _l(
        "%(municipality)s has received and registered your application. Your case number is %(case_number)s."
    ),
    "under_handling": _l(
        "A caseworker at %(municipality)s is handling your application. Your case number is %(case_number)s."
    ),
    "decided": _l("%(municipality)s has made a decision on your application: %(outcome)s."),
    "closed": _l("Your case is closed. Nothing more will happen with this application."),
    "not_handled": _l("%(municipality)s will not handle your application."),
    "withdrawn": _l(
        "You have withdrawn your application. The municipality keeps it as a record but will not handle it."
    ),
}

FORWARDED_STATUS = _l(
    "Your application has been forwarded to %(municipality)s. It is waiting for that municipality to register it."
)

OUTCOME = {
    "granted": _l("Granted"),
    "partly_granted": _l("Partly granted"),
    "refused": _l("Refused"),
    "dismissed": _l("Dismissed (not tried)"),
}

PAYMENT_STATE = {
    "planned": _l("Planned"),
    "paid": _l("Paid"),
    "stopped": _l("Stopped"),
    "cancelled": _l("Cancelled"),
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

CASE_ERROR = {
    "wrong_state": _l("This can no longer be done: the case has moved on. See its current status below."),
    "already_answered": _l("You have already answered this request."),
    "answer_empty": _l("Write an answer or attach a file"),
    "message_empty": _l("Write your message"),
    "unknown_attachment": _l("A file could not be attached. Choose the files again."),
    "unknown_message": _l("The message you are replying to could not be found."),
}
