"""Apply again for the next month (docs/design.md §2 step 2).

From a sent application the applicant starts the month after it: a new draft with ``previous_id``
set, its own fresh folkbokföring fetch and (after new consents, which are per application) its own
provider fetch. What the applicant stated last month about the month applied for — incomes and
costs — and the assets are copied in for review, marked as copied and each one changeable or
removable; comments, free text and attachments are not copied.

``compare`` says what changed in the fetched information since last month: the previous
application's frozen exchange document (exactly what the municipality received) against the new
draft's items. Items are matched by provider, set, item kind and household member (by relation,
and order among members of the same relation, since member ids differ between applications).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal import clock
from portal.application import services
from portal.application.models import Application, ApplicationEvent, HouseholdMember
from portal.application.states import UNSENT
from portal.audit.services import record
from portal.extensions import db
from portal.information import services as information
from portal.information.models import FetchCall
from portal.information.states import FetchStatus
from portal.submission import services as submission
from portal.supplements import services as supplements
from portal.supplements.models import Asset, Cost, Income

STARTED = "next_month_started"  # the new draft's event; its data lists what was copied
COPIED_KINDS = ("incomes", "costs", "assets")


class NotPossible(Exception):
    """``reason``: not_sent | too_early | too_old | exists (then ``existing`` is that application)."""

    def __init__(self, reason: str, existing: Application | None = None):
        super().__init__(reason)
        self.reason = reason
        self.existing = existing


# --- starting --------------------------------------------------------------------------------------


def month_after(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def existing_for(applicant_id: str, period: date) -> Application | None:
    """The applicant's application for the month that still counts (anything but withdrawn)."""
    return services.existing_for(applicant_id, period)


def check(previous: Application, today: date | None = None) -> date:
    """The month the next application would be for, or NotPossible."""
    if previous.status in UNSENT:
        raise NotPossible("not_sent")
    period = month_after(previous.period)
    allowed = services.month_choices(today or clock.today())
    if period > allowed[-1]:
        raise NotPossible("too_early")
    if period < allowed[0]:
        raise NotPossible("too_old")
    existing = existing_for(previous.applicant_id, period)
    if existing is not None:
        raise NotPossible("exists", existing)
    return period


def offer(previous: Application, today: date | None = None) -> date | None:
    """For the overview: the month the applicant can apply for from this application, if any."""
    try:
        return check(previous, today)
    except NotPossible:
        return None


def start(previous: Application, subject_id: str, today: date | None = None) -> Application:
    """A new draft for the month after ``previous``, with last month's stated entries copied in
    for review. The folkbokföring fetch is fresh (the applicant agreed to it on the start form)."""
    period = check(previous, today)
    application = services.start(subject_id, period)
    application.previous_id = previous.id
    copied = _copy_entries(previous, application)
    application.events.append(
        ApplicationEvent(kind=STARTED, source="applicant", data={"previous_id": previous.id, "copied": copied})
    )
    record(
        "create",
        "application",
        application.id,
        f"next month's application from {previous.id}",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return application


def member_keys(members: Iterable[HouseholdMember]) -> dict[int, tuple[str, int]]:
    """Member id -> (relation, order among members of that relation): the same person in two
    applications of one household gets the same key."""
    seen: dict[str, int] = defaultdict(int)
    keys = {}
    for member in sorted(members, key=lambda m: m.position):
        keys[member.id] = (member.relation, seen[member.relation])
        seen[member.relation] += 1
    return keys


def _copy_entries(previous: Application, application: Application) -> dict[str, list[int]]:
    """Incomes and costs of last month's month applied for become this month's; assets as they were."""
    new_member = {key: member_id for member_id, key in member_keys(application.members).items()}
    old_key = member_keys(previous.members)
    copied: dict[str, list[int]] = {kind: [] for kind in COPIED_KINDS}
    for income in db.session.scalars(
        select(Income).where(Income.application_id == previous.id, Income.month == previous.period).order_by(Income.id)
    ):
        key = old_key.get(income.member_id) if income.member_id else None
        member_id = new_member.get(key) if key else None
        entry = Income(
            application_id=application.id,
            kind=income.kind,
            description=income.description,
            amount_ore=income.amount_ore,
            month=application.period,
            member_id=member_id,
        )
        db.session.add(entry)
        db.session.flush()
        copied["incomes"].append(entry.id)
    for cost in db.session.scalars(
        select(Cost).where(Cost.application_id == previous.id, Cost.month == previous.period).order_by(Cost.id)
    ):
        entry = Cost(
            application_id=application.id,
            category=cost.category,
            description=cost.description,
            amount_ore=cost.amount_ore,
            month=application.period,
        )
        db.session.add(entry)
        db.session.flush()
        copied["costs"].append(entry.id)
    for asset in db.session.scalars(select(Asset).where(Asset.application_id == previous.id).order_by(Asset.id)):
        entry = Asset(
            application_id=application.id, kind=asset.kind, description=asset.description, value_ore=asset.value_ore
        )
        db.session.add(entry)
        db.session.flush()
        copied["assets"].append(entry.id)
    return copied


def started_event(application: Application) -> ApplicationEvent | None:
    return next((e for e in application.events if e.kind == STARTED), None)


def copied_entries(application: Application) -> dict[str, list]:
    """The entries copied from last month that are still there (the applicant may have removed some)."""
    event = started_event(application)
    ids = (event.data or {}).get("copied", {}) if event else {}
    result = {}
    for kind in COPIED_KINDS:
        wanted = set(ids.get(kind, []))
        result[kind] = [e for e in supplements.entries(application, kind) if e.id in wanted]
    return result


# --- what changed ------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Fact:
    """A fetched item, as much as the comparison needs, from either side."""

    provider: str
    info_set: str
    kind: str
    member: tuple[str, int]
    period_start: date | None = None
    period_end: date | None = None
    amount_ore: int | None = None
    details: tuple = ()

    @property
    def key(self) -> tuple:
        return (self.provider, self.info_set, self.kind, self.member)


def stable_details(details: dict | None) -> tuple:
    """What describes an item rather than one payment of it: text and yes/no values, without dates
    (payment days) and counts (days used), which change every month."""
    kept = []
    for name, value in (details or {}).items():
        if isinstance(value, bool) or (isinstance(value, str) and not _ISO_DATE.match(value)):
            kept.append((name, value))
    return tuple(sorted(kept))


@dataclass
class Change:
    status: str  # new | ended | changed | unchanged
    provider: str
    info_set: str
    kind: str
    member: tuple[str, int]
    before: list[Fact] = field(default_factory=list)  # the latest period's items, last month
    after: list[Fact] = field(default_factory=list)  # the latest period's items, now
    old_amount: int | None = None
    new_amount: int | None = None
    details_changed: bool = False

    @property
    def amount_changed(self) -> bool:
        return self.status == "changed" and self.old_amount != self.new_amount


ORDER = {"new": 0, "changed": 1, "ended": 2, "unchanged": 3}


def _latest(facts: list[Fact]) -> list[Fact]:
    newest = max((f.period_start or date.min) for f in facts)
    return [f for f in facts if (f.period_start or date.min) == newest]


def _amount(facts: list[Fact]) -> int | None:
    amounts = [f.amount_ore for f in facts if f.amount_ore is not None]
    return sum(amounts) if amounts else None


def _ongoing(facts: list[Fact], month: date | None) -> bool:
    """Whether a status-like item (no amounts) still holds in the month applied for."""
    if month is None or any(f.amount_ore is not None for f in facts):
        return True
    ends = [f.period_end for f in facts]
    return any(end is None or end >= month for end in ends)


def compare(
    before: Iterable[Fact],
    after: Iterable[Fact],
    *,
    before_month: date | None = None,
    after_month: date | None = None,
    comparable=None,
) -> list[Change]:
    """New, ended, changed and unchanged items between last month and now.

    Each item kind of each member is compared by its latest period: the sum of its amounts (a
    monthly payment, a balance) and its describing details (a status, a level). A kind only
    now is new; one only last month, or one that no longer holds in the month applied for, has
    ended. ``comparable(provider, info_set, member)``, when given, says whether that set was
    fetched both times: items of sets fetched only once are left out (see ``not_compared``).
    """
    groups_before: dict[tuple, list[Fact]] = defaultdict(list)
    groups_after: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in before:
        groups_before[fact.key].append(fact)
    for fact in after:
        groups_after[fact.key].append(fact)
    changes = []
    for key in sorted(set(groups_before) | set(groups_after)):
        provider, info_set, kind, member = key
        if comparable is not None and not comparable(provider, info_set, member):
            continue
        old = _latest(groups_before[key]) if key in groups_before else []
        new = _latest(groups_after[key]) if key in groups_after else []
        change = Change(
            status="unchanged",
            provider=provider,
            info_set=info_set,
            kind=kind,
            member=member,
            before=old,
            after=new,
            old_amount=_amount(old) if old else None,
            new_amount=_amount(new) if new else None,
        )
        if not old:
            change.status = "new"
        elif not new or (_ongoing(old, before_month) and not _ongoing(new, after_month)):
            change.status = "ended"
        else:
            change.details_changed = {stable_details(dict(f.details)) for f in old} != {
                stable_details(dict(f.details)) for f in new
            }
            if change.old_amount != change.new_amount or change.details_changed:
                change.status = "changed"
        changes.append(change)
    return sorted(changes, key=lambda c: (ORDER[c.status], c.member, c.provider, c.info_set, c.kind))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def facts_from_document(doc: dict) -> list[Fact]:
    """The fetched items of a frozen exchange document."""
    keys = document_member_keys(doc)
    facts = []
    for item in doc.get("fetched") or []:
        source = item.get("source") or {}
        period = item.get("period") or {}
        facts.append(
            Fact(
                provider=source.get("provider", ""),
                info_set=source.get("set", ""),
                kind=item["kind"],
                member=keys.get(item.get("memberId"), ("other", 0)),
                period_start=_day(period.get("start")),
                period_end=_day(period.get("end")),
                amount_ore=item.get("amountOre"),
                details=tuple(sorted((item.get("details") or {}).items())),
            )
        )
    return facts


def document_member_keys(doc: dict) -> dict[int, tuple[str, int]]:
    keys = {}
    applicant = doc.get("applicant") or {}
    if applicant.get("memberId") is not None:
        keys[applicant["memberId"]] = ("applicant", 0)
    seen: dict[str, int] = defaultdict(int)
    for member in (doc.get("household") or {}).get("members", []):
        relation = member.get("relation", "other")
        keys[member["memberId"]] = (relation, seen[relation])
        seen[relation] += 1
    return keys


def facts_from_items(application: Application) -> list[Fact]:
    keys = member_keys(application.members)
    return [
        Fact(
            provider=i.provider,
            info_set=i.info_set,
            kind=i.kind,
            member=keys[i.member_id],
            period_start=i.period_start,
            period_end=i.period_end,
            amount_ore=i.amount_ore,
            details=tuple(sorted((i.details or {}).items())),
        )
        for i in information.items(application)
    ]


@dataclass
class WhatChanged:
    previous: Application
    changes: list[Change]
    not_compared: list[tuple[str, tuple[str, int]]]  # (provider, member) fetched only one of the times
    fetch_pending: bool
    nothing_fetched: bool

    def of(self, status: str) -> list[Change]:
        return [c for c in self.changes if c.status == status]


def what_changed(application: Application) -> WhatChanged | None:
    """Last month's document against this draft's items, or None without a previous application."""
    previous = db.session.get(Application, application.previous_id) if application.previous_id else None
    if previous is None:
        return None
    frozen = submission.frozen_document(previous)
    doc = json.loads(frozen.body) if frozen is not None else {}
    keys_before = document_member_keys(doc)
    failed_before = {
        (n.get("provider"), n.get("set"), keys_before.get(n.get("memberId"))) for n in doc.get("notFetched") or []
    }
    consented_before = {(c.get("provider"), keys_before.get(c.get("memberId"))) for c in doc.get("consents") or []}
    keys_now = member_keys(application.members)
    calls = list(db.session.scalars(select(FetchCall).where(FetchCall.application_id == application.id)))
    fetched_now = {(c.provider, c.info_set, keys_now.get(c.member_id)) for c in calls if c.status == FetchStatus.DONE}

    def comparable(provider: str, info_set: str, member: tuple) -> bool:
        return (
            (provider, member) in consented_before
            and (provider, info_set, member) not in failed_before
            and (provider, info_set, member) in fetched_now
        )

    before = facts_from_document(doc)
    after = facts_from_items(application)
    changes = compare(
        before, after, before_month=previous.period, after_month=application.period, comparable=comparable
    )
    compared = {(c.provider, c.member) for c in changes}
    left_out = sorted({(f.provider, f.member) for f in [*before, *after]} - compared)
    return WhatChanged(
        previous=previous,
        changes=changes,
        not_compared=left_out,
        fetch_pending=information.pending(application),
        nothing_fetched=not calls,
    )
