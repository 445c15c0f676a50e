"""What the application's own pages (its page, the check page) show: the draft, its household and tasks,
and, from the layers above, what they add through :func:`provides` (the sent document, the contact details)."""

from __future__ import annotations

from collections.abc import Callable

from flask import g

from portal.application import labels, render, services, tasks
from portal.attachments import services as attachment_services
from portal.consent.services import listed
from portal.information import services as information
from portal.routing.services import status as routing_status
from portal.situation import services as situation
from portal.supplements import services as supplement_services
from portal.supplements.labels import entry_label

# name -> function of the application. Set by the composition root (portal/__init__.py): the areas that
# own these things (submission, case) are layers above this one and must not be imported from here.
_provided: dict[str, Callable] = {}
_provided_overview: dict[str, Callable] = {}


def provides(name: str, value_of: Callable) -> None:
    """``value_of(application)`` is shown on the application's page as ``name``."""
    _provided[name] = value_of


def provides_overview(name: str, value_of: Callable) -> None:
    """``value_of(applications)`` is shown on the applicant's overview as ``name``."""
    _provided_overview[name] = value_of


def overview_context(applications: list) -> dict:
    return {name: value_of(applications) for name, value_of in _provided_overview.items()}


def show_context(application, receiver, form) -> dict:
    """The application's page: what the check page shows and what the layers above provide."""
    return {
        **check_context(application, receiver, form),
        **{name: value_of(application) for name, value_of in _provided.items()},
    }


def check_context(application, receiver, form) -> dict:
    """The check page: the provided values (the sent document, the contact details) are not shown there,
    so they are not read (issue 15, point 5)."""
    statuses = information.statuses(application)
    fetched, comments = situation.shown(application)  # plain rows, the comments in the same statement
    return {
        "application": application,
        "receiver": receiver,
        "form": form,
        "statuses": statuses,
        # the key figures read before signing: the same totals as the information page
        "figures": information.information_page(application, loaded=fetched, loaded_statuses=statuses),
        "viewer": information.viewer_member(application, g.subject_id),
        "is_applicant": application.applicant_id == g.subject_id,
        "tasks": tasks.visible(application),
        "task_state_label": tasks.STATE_LABEL,
        "active_consents": listed(application),
        "consent_summary": render.consent_summary,
        "key_figures": render.key_figures,
        "member_names": {m.id: m.name for m in application.members},
        "item_count": len(fetched),
        "attachments": attachment_services.for_application(application.id),
        "supplements": supplement_services.summary(application),
        "entry_label": entry_label,
        "comment_count": len(comments),
        "connection": routing_status(application.municipality_code) if application.municipality_code else None,
        "waiting_for": services.missing_signatures(application) if application.awaiting_cosignature else [],
        "signer": services.signer_member(application, g.subject_id),
        "reader": _reader(application),
    }


def _reader(application) -> str:
    """Whom the page speaks to: the applicant (or a proxy for them), a co-applicant, another member."""
    if application.applicant_id == g.subject_id:
        return labels.APPLICANT
    member = services.signer_member(application, g.subject_id)
    return labels.CO_APPLICANT if member is not None else labels.MEMBER
