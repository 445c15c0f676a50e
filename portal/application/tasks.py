"""The application's task list (GOV.UK task list pattern) and check-answers summary.

Each task names its page, says whether it should show, what state it is in, and which
summary partial it contributes to the check-answers page. The list is the one place that
knows the order of the journey.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from portal.application.models import Application
from portal.attachments.services import count_for
from portal.consent.services import FOLKBOKFORING, listed
from portal.i18n.lazy import _l
from portal.information.services import call_states
from portal.information.states import FetchStatus
from portal.situation.services import state
from portal.supplements.services import status

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START, OPTIONAL = (
    "not_started",
    "in_progress",
    "completed",
    "cannot_start",
    "optional",
)

STATE_LABEL = {
    NOT_STARTED: _l("Not started"),
    IN_PROGRESS: _l("In progress"),
    COMPLETED: _l("Completed"),
    CANNOT_START: _l("Cannot start yet"),
    OPTIONAL: _l("Optional"),
}


@dataclass(frozen=True)
class Task:
    key: str
    title: object
    endpoint: str
    state: Callable[[Application], str]
    summary: str | None = None  # partial for the check-answers page
    should_show: Callable[[Application], bool] = lambda application: True
    # The heading a co-applicant reads on the joint application before signing: the applicant's "your"
    # would be wrong there (issue 13, point 6).
    joint_title: object | None = None

    def title_for(self, cosigning: bool) -> object:
        return self.joint_title if cosigning and self.joint_title is not None else self.title

    def url(self, application: Application) -> str:
        return url_for(self.endpoint, application_id=application.id)


def _household(application: Application) -> str:
    if application.folkbokforing_fetched_at:
        return COMPLETED
    return IN_PROGRESS if application.folkbokforing_error else NOT_STARTED


def _needs_household(state_of):
    def state(application: Application) -> str:
        return state_of(application) if application.folkbokforing_fetched_at else CANNOT_START

    return state


def _consent(application: Application) -> str:

    return COMPLETED if any(c.scope != FOLKBOKFORING for c in listed(application)) else NOT_STARTED


def _information(application: Application) -> str:

    states = call_states(application)
    if not states:
        return NOT_STARTED
    return IN_PROGRESS if any(s.status == FetchStatus.PENDING for s in states) else COMPLETED


def _supplement(kind: str):
    def state(application: Application) -> str:

        # Saying nothing is a valid answer: these tasks are optional until filled in.
        return COMPLETED if status(application)[kind] == "completed" else OPTIONAL

    return state


def _situation(application: Application) -> str:

    return state(application)


def _attachments(application: Application) -> str:

    return COMPLETED if count_for(application.id) else OPTIONAL


TASKS: list[Task] = [
    Task(
        "household",
        _l("Your household and municipality"),
        "application.show",
        _household,
        summary="application/_summary_household.html",
        joint_title=_l("The household and municipality"),
    ),
    Task(
        "consent",
        _l("Choose what we may fetch"),
        "consent.choose",
        _needs_household(_consent),
        summary="consent/_summary.html",
        joint_title=_l("What may be fetched"),
    ),
    Task(
        "information",
        _l("Check the fetched information"),
        "information.overview",
        _needs_household(_information),
        summary="information/_summary.html",
        joint_title=_l("The fetched information"),
    ),
    Task(
        "situation",
        _l("Your situation"),
        "situation.start",
        _needs_household(_situation),
        summary="situation/_summary.html",
    ),
    Task(
        "incomes",
        _l("Your own incomes"),
        "supplements.incomes",
        _needs_household(_supplement("incomes")),
        summary="supplements/_summary_incomes.html",
        joint_title=_l("Other incomes stated"),
    ),
    Task(
        "costs",
        _l("Your costs"),
        "supplements.costs",
        _needs_household(_supplement("costs")),
        summary="supplements/_summary_costs.html",
        joint_title=_l("Costs stated"),
    ),
    Task(
        "assets",
        _l("Your assets"),
        "supplements.assets",
        _needs_household(_supplement("assets")),
        summary="supplements/_summary_assets.html",
        joint_title=_l("Assets stated"),
    ),
    Task(
        "message",
        _l("Anything else the municipality should know"),
        "supplements.message",
        _needs_household(_supplement("message")),
        summary="supplements/_summary_message.html",
        joint_title=_l("What the municipality is told"),
    ),
    Task(
        "attachments",
        _l("Documents"),
        "attachments.manage",
        _needs_household(_attachments),
        summary="attachments/_summary.html",
    ),
    Task(
        "indication",
        _l("Indication: what you may be entitled to"),
        "indication.show",
        _needs_household(lambda application: OPTIONAL),
        summary="indication/_summary.html",
        joint_title=_l("Indication: what you may be entitled to together"),
    ),
]


def visible(application: Application) -> list[tuple[Task, str]]:
    return [(task, task.state(application)) for task in TASKS if task.should_show(application)]
