"""Loading the application a page is about: the one way every page (the citizen's, the caseworker's)
finds its application and checks it against an access rule (``portal.auth.access``).

The view's ``@requires`` rule decided, before it ran, whether this actor may make this request at all
(a proxy's scope for the method included); the rule given here decides whether this application is
theirs. Mostly the two are the same; a view declared ``sign`` loads with ``application`` when only the
applicant may do it (sending, cancelling the signing), while co-signing loads with ``sign``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort

from portal.application import services
from portal.application.models import Application
from portal.auth.access import ensure

Finder = Callable[[str, bool], Application | None]

# Rules whose actor may not open an application by its id alone: the caseworker sees only what is
# delivered to their municipality's inbox and there now. That scope is the inbox list's own query
# (portal/municipality/services.scoped), a layer above this one, so the inbox registers it here; the
# list and the case page then cannot disagree, and it stays one query per page (tests/test_query_counts).
# The municipality's own system (rule ``api``) likewise sees only what is in its inbox now; the API
# registers that scope (portal/api/routes.py).
SCOPED_RULES = frozenset({"inbox", "api"})
_finders: dict[str, Finder] = {}


def register_finder(rule: str, finder: Finder) -> None:
    """How actors of ``rule`` find an application: ``finder(application_id, for_update)`` returns it if
    it is within their scope, else None (locking its row when ``for_update``)."""
    _finders[rule] = finder


def load_application(application_id: str, rule: str, *, for_update: bool = False) -> Application:
    """The application if the current actor may open it under ``rule``; else 404, whether it does not
    exist or is someone else's, so existence does not leak. ``for_update`` locks its row (PostgreSQL)
    so one case's writes queue."""
    if rule in SCOPED_RULES and rule not in _finders:
        # Fail closed: a plain lookup would skip the scope (a case forwarded away, never delivered).
        raise LookupError(f"no finder registered for the access rule {rule!r}")
    finder = _finders.get(rule, _by_id)
    application = finder(application_id, for_update)
    if application is None:
        abort(404)
    ensure(rule, application)
    return application


def _by_id(application_id: str, for_update: bool) -> Application | None:
    return services.get(application_id, for_update=for_update)
