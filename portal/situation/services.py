"""The situation's rules and transactions: whose answers a page asks, which pages are shown, saving a
page (only a draft), prefill from last month, the costs the answers state (read by the calculation
lines), and what the answers contradict in the fetched data (shown as "to explain", never an error)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from portal.application.models import Application, HouseholdMember
from portal.application.states import UNSENT
from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db
from portal.information import services as information
from portal.providers.items import INCOME_GROSS, INCOME_NET
from portal.situation.models import Situation
from portal.situation.questions import BY_KEY, NEEDS, PAGES, RENTING, Page
from portal.web.reads import once

ADULT_RELATIONS = ("applicant", "spouse", "partner")
PAYOUT_DERIVED = ("bank", "holder")


class NotEditable(Exception):
    """The application has been sent: its situation can no longer be changed."""


@dataclass(frozen=True)
class StatedCost:
    """A cost the applicant states in the situation, for the calculation lines. ``member_id`` is the
    household member it concerns (a child's childcare), or None for the household's. ``question`` is
    the question key it answers (``rent``, ``childcare``, ``dental_amount``...)."""

    kind: str
    amount_ore: int
    member_id: int | None
    question: str


@dataclass
class View:
    """The situation as the applicant sees it: stored, or prefilled from last month and not yet saved
    (a GET never writes, so the prefill is computed until the first page is saved)."""

    answers: dict = field(default_factory=dict)
    pages_done: list = field(default_factory=list)
    unconfirmed: list = field(default_factory=list)
    prefilled_from: str | None = None
    stored: Situation | None = None

    def member(self, member_id: int) -> dict:
        return self.answers.get("members", {}).get(str(member_id), {})


# -- Whose answers -----------------------------------------------------------------------------


def adults(application: Application) -> list[HouseholdMember]:
    """The applicant and a spouse or partner: each answers the work questions."""
    return [m for m in application.members if m.relation in ADULT_RELATIONS and not m.is_minor_on(application.period)]


def children(application: Application) -> list[HouseholdMember]:
    """The children listed in the household; an adult child living at home too (the questions on
    living arrangements and costs still apply to them)."""
    return [m for m in application.members if m.relation == "child"]


def moved_choices(application: Application) -> list[HouseholdMember]:
    """The listed members who may have moved out: everyone but the applicant."""
    return [m for m in application.members if m.relation != "applicant"]


def subjects(application: Application, page: Page) -> list[HouseholdMember | None]:
    if page.per == "adult":
        return [*adults(application)]
    if page.per == "child":
        return [*children(application)]
    return [None]


def values(view: View, page: Page, member: HouseholdMember | None) -> dict:
    source = view.member(member.id) if member is not None else view.answers
    return {q.key: source[q.key] for q in page.questions if q.key in source}


def uid(page: Page, member: HouseholdMember | None, key: str) -> str:
    """The key of one answer in ``unconfirmed``."""
    return key if member is None else f"{member.id}:{key}"


# -- Reading -----------------------------------------------------------------------------------


def stored(application: Application) -> Situation | None:
    return once(
        ("situation", application.id),  # read once per page (portal/web/reads.py)
        lambda: db.session.scalar(select(Situation).where(Situation.application_id == application.id)),
    )


def shown(application: Application) -> tuple[list[information.ShownItem], dict[int, information.ShownComment]]:
    """The application's fetched items as plain rows and the comments on them, read once per page: the check
    page's figures, what is to explain and whether a sickness is already known all use them (issue 15, point
    5). Read again for each adult said to be sick, the check page's statements grew with the household."""
    return once(("shown_items", application.id), lambda: information.shown_items(application))


def previous_for(application: Application) -> Application | None:
    """Last month's application to prefill from: the one this was started from ("apply for next
    month"), else the applicant's latest sent application for an earlier month."""
    if application.previous_id:
        return db.session.get(Application, application.previous_id)
    return once(
        ("previous_application", application.id),
        lambda: db.session.scalar(
            select(Application)
            .where(
                Application.applicant_id == application.applicant_id,
                Application.period < application.period,
                Application.status.not_in(UNSENT),
            )
            .order_by(Application.period.desc(), Application.submitted_at.desc())
            .limit(1)
        ),
    )


def _prefill(application: Application) -> View:
    # portal.application sits above this layer (ignore_imports in pyproject.toml)
    from portal.application.nextmonth import member_keys

    previous = previous_for(application)
    if previous is None:
        return View()
    before = stored(previous)
    if before is None or not before.answers:
        return View()
    # Member ids differ between applications: the same person has the same (relation, order) key.
    old_keys = member_keys(previous.members)
    new_ids = {key: member_id for member_id, key in member_keys(application.members).items()}
    answers: dict[str, Any] = {k: v for k, v in before.answers.items() if k not in ("members", "moved")}
    unconfirmed = [k for k in answers if k not in PAYOUT_DERIVED]
    moved = [
        new_ids[old_keys[m]] for m in before.answers.get("moved") or () if m in old_keys and old_keys[m] in new_ids
    ]
    if moved:
        answers["moved"] = moved
        unconfirmed.append("moved")
    members = {}
    for old_id, given in (before.answers.get("members") or {}).items():
        key = old_keys.get(int(old_id))
        if key in new_ids:
            members[str(new_ids[key])] = dict(given)
            unconfirmed += [f"{new_ids[key]}:{k}" for k in given]
    if members:
        answers["members"] = members
    return View(answers=answers, pages_done=[], unconfirmed=unconfirmed, prefilled_from=previous.id)


def current(application: Application) -> View:
    found = stored(application)
    if found is not None:
        return View(
            answers=dict(found.answers or {}),
            pages_done=list(found.pages_done or []),
            unconfirmed=list(found.unconfirmed or []),
            prefilled_from=found.prefilled_from,
            stored=found,
        )
    if not application.is_draft:
        return View()
    return _prefill(application)


def visible_pages(application: Application, view: View) -> list[Page]:
    return [page for page in PAGES if page.show(application, view.answers)]


def next_page(application: Application, view: View, after: str | None) -> Page | None:
    """The page after ``after`` that is shown (or the first), by the answers saved so far."""
    keys = [p.key for p in PAGES]
    start = keys.index(after) + 1 if after else 0
    return next((p for p in PAGES[start:] if p.show(application, view.answers)), None)


def state(application: Application) -> str:
    """not_started, in_progress or completed, for the task list."""
    view = current(application)
    if view.stored is None:
        # Prefilled from last month: begun, though nothing is confirmed yet.
        return "in_progress" if view.prefilled_from else "not_started"
    shown = visible_pages(application, view)
    done = all(p.key in view.pages_done for p in shown) and not _open_unconfirmed(application, view)
    return "completed" if done else "in_progress"


def _open_unconfirmed(application: Application, view: View) -> list[str]:
    return [u for u in view.unconfirmed if _uid_page_visible(application, view, u)]


def _uid_page_visible(application: Application, view: View, unconfirmed_id: str) -> bool:
    key = unconfirmed_id.split(":", 1)[-1]
    return any(key in {q.key for q in p.questions} for p in visible_pages(application, view))


def page_unconfirmed(view: View, page: Page, application: Application) -> bool:
    keys = {uid(page, m, q.key) for m in subjects(application, page) for q in page.questions}
    return bool(keys & set(view.unconfirmed))


def effective(application: Application, view: View | None = None) -> dict:
    """Only the answers that count: pages shown, questions asked (a follow-up whose condition no
    longer holds, or a page skipped since, is left out)."""
    view = view or current(application)
    result: dict[str, Any] = {}
    members: dict[str, dict] = {}
    for page in visible_pages(application, view):
        for member in subjects(application, page):
            given = values(view, page, member)
            kept = {
                q.key: given[q.key]
                for q in page.questions
                if q.key in given and q.asked(given) and given[q.key] not in (None, "", [])
            }
            if member is None:
                result.update(kept)
                if page.key == "payout" and "clearing" in kept:
                    # Derived when the page was saved: the bank, and how the holder was established.
                    result.update({k: view.answers[k] for k in PAYOUT_DERIVED if k in view.answers})
            elif kept:
                members.setdefault(str(member.id), {}).update(kept)
    if members:
        result["members"] = members
    return result


# -- Writing -----------------------------------------------------------------------------------


def save_page(application: Application, page: Page, given: dict[int | None, dict]) -> Situation:
    """Store one page's answers (by member id, None for the household's): what was sent replaces the
    page's earlier answers, and confirms any prefilled ones."""
    if not application.is_draft:
        raise NotEditable(application.id)
    view = current(application)
    situation = view.stored
    if situation is None:
        situation = Situation(
            application_id=application.id,
            answers=view.answers,
            pages_done=[],
            unconfirmed=view.unconfirmed,
            prefilled_from=view.prefilled_from,
        )
        db.session.add(situation)
    answers = dict(situation.answers or {})
    members = {k: dict(v) for k, v in (answers.get("members") or {}).items()}
    confirmed = set()
    for member_id, page_values in given.items():
        target = answers if member_id is None else members.setdefault(str(member_id), {})
        for key in PAYOUT_DERIVED if page.key == "payout" else ():
            target.pop(key, None)
            if page_values.get(key):
                target[key] = page_values[key]
        for q in page.questions:
            target.pop(q.key, None)
            value = page_values.get(q.key)
            if value not in (None, "", []) and q.asked(page_values):
                target[q.key] = value
            confirmed.add(q.key if member_id is None else f"{member_id}:{q.key}")
    if members:
        answers["members"] = members
    situation.answers = answers
    situation.pages_done = sorted(set(situation.pages_done or []) | {page.key})
    situation.unconfirmed = [u for u in situation.unconfirmed or [] if u not in confirmed]
    situation.updated_at = utcnow()
    application.updated_at = utcnow()
    record(
        "change",
        "situation",
        situation.id,
        f"applicant answers the situation: {page.key}",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return situation


# -- What the answers state ----------------------------------------------------------------------


def stated_costs(application: Application) -> list[StatedCost]:
    """The costs the applicant states in the situation (only the answers that count: pages shown,
    follow-ups asked), for the calculation lines. Kinds: rent, rent_arrears, childcare, maintenance_paid,
    dental, glasses, medicine, furniture, moving."""
    answers = effective(application)
    costs: list[StatedCost] = []
    if answers.get("housing") in RENTING and answers.get("rent"):
        costs.append(StatedCost("rent", answers["rent"], None, "rent"))
    if answers.get("rent_arrears_amount"):
        costs.append(StatedCost("rent_arrears", answers["rent_arrears_amount"], None, "rent_arrears_amount"))
    for member_id, given in sorted((answers.get("members") or {}).items(), key=lambda kv: int(kv[0])):
        if given.get("childcare"):
            costs.append(StatedCost("childcare", given["childcare"], int(member_id), "childcare"))
        if given.get("maintenance") == "paid" and given.get("maintenance_amount"):
            costs.append(
                StatedCost("maintenance_paid", given["maintenance_amount"], int(member_id), "maintenance_amount")
            )
    for key, _label in NEEDS:
        if key in (answers.get("needs") or ()) and answers.get(f"{key}_amount"):
            costs.append(StatedCost(key, answers[f"{key}_amount"], None, f"{key}_amount"))
    return costs


@dataclass(frozen=True)
class ToExplain:
    """A difference between an answer and the fetched data: for the applicant to explain and the
    caseworker to ask about, not an error. ``code`` is stable (the exchange document carries it)."""

    code: str
    member_id: int | None = None


def to_explain(application: Application, items: list | None = None) -> list[ToExplain]:

    answers = effective(application)
    found = items if items is not None else shown(application)[0]
    result = []
    fetched_for = {m.id for m in application.members} & {i.member_id for i in found}
    for member in adults(application):
        given = answers.get("members", {}).get(str(member.id), {})
        incomes = [
            i
            for i in found
            if i.member_id == member.id
            and i.figure in (INCOME_GROSS, INCOME_NET)
            and i.provider == "arbetsgivardeklaration"
        ]
        # Only when something was fetched for the member: no fetch says nothing about their work.
        if given.get("occupation") == "working" and member.id in fetched_for and not incomes:
            result.append(ToExplain("working_no_income", member.id))
    if answers.get("housing") in RENTING and not answers.get("rent"):
        result.append(ToExplain("renting_no_rent"))
    return result


def sick_certificate_fetched(application: Application, member_id: int, items: list | None = None) -> bool:
    """Whether Försäkringskassan already knows of the sickness (sjukpenning fetched for the member):
    then no certificate is asked of the applicant."""

    found = items if items is not None else shown(application)[0]
    return any(i.member_id == member_id and i.kind.startswith("forsakringskassan.sjukpenning") for i in found)


def page(key: str) -> Page:
    return BY_KEY[key]
