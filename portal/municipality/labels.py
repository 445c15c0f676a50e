"""The caseworker's words: inbox filters and who caused an event are the caseworker's own; statuses,
outcomes, payments, events, relations and refusals are the caseworker's column of the one set in
``portal/application/labels.py`` and ``portal/case/labels.py``."""

from portal.application import labels as application_labels
from portal.case import labels as case_labels
from portal.i18n.lazy import _l

STATUS = application_labels.STATUS_FOR_CASEWORKER
OUTCOME = case_labels.OUTCOME_FOR_CASEWORKER
PAYMENT_STATE = case_labels.PAYMENT_STATE
EVENT = case_labels.EVENT_FOR_CASEWORKER
RELATION = application_labels.RELATION_FOR_CASEWORKER
CASE_ERROR = case_labels.CASE_ERROR_FOR_CASEWORKER

FILTERS = {
    "all": _l("All"),
    "new": _l("New"),
    "mine": _l("Mine"),
    "waiting": _l("Waiting for the applicant"),
    "supplemented": _l("Supplemented"),
    "decided": _l("Decided"),
    "appealed": _l("Appealed"),
}

SOURCE = {
    "applicant": _l("The applicant"),
    "municipality": _l("The municipality"),
    "system": _l("The service"),
}
