"""The caseworker's own words: the inbox's filters and who caused an event. Statuses, outcomes, payments,
events, relations and refusals are the caseworker's column of the one set in ``portal/application/labels.py``
(``*_FOR_CASEWORKER``; the templates' ``labels``) and ``portal/case/labels.py``."""

from portal.i18n.lazy import _l

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
