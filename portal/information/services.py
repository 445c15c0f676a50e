"""Fetching into the application: which calls the consents allow, running them in parallel
(in the background for the web, so results show as they arrive), and keeping the items."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import NamedTuple

from flask import Flask, current_app
from sqlalchemy import bindparam, select

from portal.application.models import Application, HouseholdMember
from portal.audit.services import record
from portal.consent import services as consents
from portal.consent.models import Consent
from portal.db import utcnow
from portal.extensions import db
from portal.information import seal
from portal.information.models import FetchCall, InformationItem, ItemComment
from portal.information.states import FetchStatus
from portal.information.totals import MonthTotals, month_totals
from portal.providers.base import Provider
from portal.providers.fetch import Breakers, CallSpec, FetchSettings, Outcome, fetch_all
from portal.providers.items import ASSET_BALANCE, INCOME_GROSS, INCOME_NET, TAX_WITHHELD, Period
from portal.providers.registry import provider as provider_named
from portal.providers.registry import providers
from portal.web.reads import once

log = logging.getLogger(__name__)
_background = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fetch-job")


def period_of(application: Application) -> Period:
    return Period(application.period)


def settings(app: Flask) -> FetchSettings:
    config = app.config["PORTAL"]
    return FetchSettings(
        base_url=config.sandbox_url, token=config.sandbox_token, deadline_seconds=config.provider_timeout_seconds
    )


def breakers(app: Flask) -> Breakers:
    # Per app, so each process (and each test's app) has its own view of provider health.
    if "portal.breakers" not in app.extensions:
        app.extensions["portal.breakers"] = Breakers(fail_max=5, reset_seconds=30)
    return app.extensions["portal.breakers"]


# The page's statements built once, the application as a parameter: SQLAlchemy keeps a statement's cache key
# on the statement, so a statement made anew on each request costs its building and its key each time
# (about a tenth of a millisecond for a few columns; issue 15, point 5).
_CALL_STATES = (
    select(FetchCall.member_id, FetchCall.provider, FetchCall.status, FetchCall.reason, FetchCall.item_count)
    .where(FetchCall.application_id == bindparam("application_id"))
    .order_by(FetchCall.id)
)
_CALLS = select(FetchCall).where(FetchCall.application_id == bindparam("application_id")).order_by(FetchCall.id)
_ITEM_ORDER = (InformationItem.member_id, InformationItem.provider, InformationItem.period_start, InformationItem.id)
_ITEMS = (
    select(InformationItem).where(InformationItem.application_id == bindparam("application_id")).order_by(*_ITEM_ORDER)
)


def call_states(application: Application) -> list:
    """Each fetch call's member, provider, status, reason and item count, as plain rows: what the pages show of
    the calls, without building an ORM object for each of a household's hundred and more calls."""
    return once(
        ("fetch_call_states", application.id),
        lambda: list(db.session.execute(_CALL_STATES, {"application_id": application.id})),
    )


def calls(application: Application) -> list[FetchCall]:
    return once(
        ("fetch_calls", application.id),
        lambda: list(db.session.scalars(_CALLS, {"application_id": application.id})),
    )


def start_fetch(application: Application, only: list[FetchCall] | None = None) -> list[FetchCall]:
    """Create a call for every set an active consent allows and that is not fetched or being
    fetched (or exactly ``only``, to retry), commit, and run them."""
    if only is None:
        existing = {(c.member_id, c.provider, c.info_set): c for c in calls(application)}
        members = {m.id: m for m in application.members}
        new: list[FetchCall] = []
        for consent in consents.active(application):
            member = members[consent.member_id]
            if not member.personnummer:
                continue
            for info_set in consents.sets_for(consent, member, application.period):
                previous = existing.get((member.id, consent.provider, info_set.key))
                if previous is not None and previous.status != FetchStatus.FAILED:
                    continue
                if previous is not None:
                    db.session.delete(previous)
                new.append(
                    FetchCall(
                        application_id=application.id,
                        member_id=member.id,
                        consent_id=consent.id,
                        provider=consent.provider,
                        info_set=info_set.key,
                    )
                )
    else:
        new = []
        for old in only:
            db.session.delete(old)
            new.append(
                FetchCall(
                    application_id=old.application_id,
                    member_id=old.member_id,
                    consent_id=old.consent_id,
                    provider=old.provider,
                    info_set=old.info_set,
                )
            )
    db.session.add_all(new)
    application.updated_at = utcnow()
    db.session.flush()
    record(
        "fetch",
        "provider_data",
        application.id,
        "applicant asked to fetch consented data",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    if new:
        # current_app is a LocalProxy, typed as the Flask app it stands for.
        app = current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
        ids = [c.id for c in new]
        if app.config["PORTAL"].fetch_in_background:
            # with this request's context variables: the provider calls carry its id (portal/ops/logs.py)
            _background.submit(contextvars.copy_context().run, _run_in_app, app, application.id, ids)
        else:
            run(app, application.id, ids)
    return new


def _run_in_app(app: Flask, application_id: str, call_ids: list[int]) -> None:
    try:
        run(app, application_id, call_ids)
    except Exception:  # a background job must never die silently
        log.exception("fetch job failed application=%s", application_id)


def run(app: Flask, application_id: str, call_ids: list[int]) -> None:
    with app.app_context():
        application = db.session.get_one(Application, application_id)
        members = {m.id: m for m in application.members}
        wanted = db.session.scalars(select(FetchCall).where(FetchCall.id.in_(call_ids))).all()
        specs = [
            CallSpec(key=c.id, provider=c.provider, info_set=c.info_set, personnummer=_number(members[c.member_id]))
            for c in wanted
        ]
        period = period_of(application)
        db.session.remove()  # release the connection while the calls run
    lock = threading.Lock()

    def store(outcome: Outcome) -> None:
        with lock, app.app_context():
            _store(outcome)
            db.session.remove()

    fetch_all(specs, period, settings(app), breakers(app), on_outcome=store)


def _number(member: HouseholdMember) -> str:
    """The personnummer a call fetches with: start_fetch makes calls only for members who have one, and a
    member's number is never taken away."""
    if member.personnummer is None:
        raise ValueError(f"household member {member.id} has no personnummer to fetch with")
    return member.personnummer


def _store(outcome: Outcome) -> None:
    call = db.session.get(FetchCall, outcome.key)
    if call is None:  # the consent was revoked while the call ran
        return
    consent = db.session.get(Consent, call.consent_id)
    if consent is None or consent.revoked_at is not None:
        db.session.delete(call)
        db.session.commit()
        return
    call.attempts = outcome.attempts
    call.finished_at = finished_at = utcnow()
    if outcome.ok:
        call.status = FetchStatus.DONE
        call.item_count = len(outcome.items)
        sealer = current_app.extensions["portal.sealer"]
        for item in outcome.items:
            stored = InformationItem(
                application_id=call.application_id,
                member_id=call.member_id,
                consent_id=call.consent_id,
                provider=item.provider,
                info_set=item.info_set,
                kind=item.kind,
                theme=item.theme,
                period_start=item.period_start,
                period_end=item.period_end,
                amount_ore=item.amount_ore,
                gross=item.gross,
                details=dict(item.details),
                fetched_at=finished_at.replace(microsecond=0),
            )
            stored.seal_key_id, stored.seal = sealer.seal(seal.fields_of(stored))
            db.session.add(stored)
    else:
        call.status = FetchStatus.FAILED
        call.reason = outcome.reason
    db.session.commit()


def items(application: Application) -> list[InformationItem]:
    return list(db.session.scalars(_ITEMS, {"application_id": application.id}))


class ShownItem(NamedTuple):
    """A stored item as the information page shows it, read as a plain row (issue 15, point 5): the page
    reads every item of the household on each request and needs no ORM object for any of them. The same
    attributes as :class:`InformationItem`, its ``figure`` worked out once."""

    id: int
    application_id: str
    member_id: int
    provider: str
    info_set: str
    kind: str
    theme: str
    period_start: date | None
    period_end: date | None
    amount_ore: int | None
    gross: bool | None
    details: dict
    fetched_at: datetime
    seal: str
    figure: str


class ShownComment(NamedTuple):
    """An item's comment as the page shows it: its text."""

    text: str


_SHOWN = (
    select(*(getattr(InformationItem, name) for name in ShownItem._fields[:-1]), ItemComment.text)
    .outerjoin(ItemComment, ItemComment.item_id == InformationItem.id)
    .where(InformationItem.application_id == bindparam("application_id"))
    .order_by(*_ITEM_ORDER)
)


def shown_items(application: Application) -> tuple[list[ShownItem], dict[int, ShownComment]]:
    """The application's items in the order of :func:`items` and the comments on them, in one statement, as
    plain rows."""
    rows = db.session.execute(_SHOWN, {"application_id": application.id})
    figures: dict[tuple[str, str, bool | None], str] = {}
    found: list[ShownItem] = []
    comments: dict[int, ShownComment] = {}
    for *values, comment in rows:
        key = (values[3], values[5], values[10])  # provider, kind, gross: all a figure depends on
        figure = figures.get(key)
        if figure is None:
            figure = figures[key] = provider_named(key[0]).figure(key[1], key[2])
        found.append(ShownItem._make((*values, figure)))
        if comment is not None:
            comments[values[0]] = ShownComment(comment)
    return found, comments


@dataclass(slots=True)
class ProviderStatus:
    """What the applicant sees of one provider for one member: worked out once from its calls (by
    :func:`statuses`), not again each time a template asks."""

    provider: Provider
    member: HouseholdMember
    state: str = FetchStatus.DONE  # pending if any call is, else failed if any call failed
    reason: str | None = None  # the first failed call's reason
    item_count: int = 0


def statuses(application: Application) -> list[ProviderStatus]:
    members = {m.id: m for m in application.members}
    grouped: dict[tuple[int, str], ProviderStatus] = {}
    failed: set[tuple[int, str]] = set()
    pending_, failed_ = FetchStatus.PENDING, FetchStatus.FAILED  # looked up once: a household has 100+ calls
    for member_id, name, state, reason, count in call_states(application):
        key = (member_id, name)
        status = grouped.get(key)
        if status is None:
            status = grouped[key] = ProviderStatus(provider_named(name), members[member_id])
        status.item_count += count
        if state == pending_:
            status.state = pending_
        elif state == failed_:
            if key not in failed:
                failed.add(key)
                status.reason = reason
            if status.state != pending_:
                status.state = failed_
    return sorted(grouped.values(), key=lambda s: (s.member.position, s.provider.order))


def pending(application: Application, loaded: list[FetchCall] | None = None) -> bool:
    """Whether a fetch is still running; ``loaded``: the application's calls if already at hand."""
    return any(c.status == FetchStatus.PENDING for c in (calls(application) if loaded is None else loaded))


def failed_calls(application: Application, member_id: int | None, provider: str) -> list[FetchCall]:
    return [
        c
        for c in calls(application)
        if c.member_id == member_id and c.provider == provider and c.status == FetchStatus.FAILED
    ]


def broken_seals(application: Application, loaded: list[InformationItem] | None = None) -> list[InformationItem]:
    """Items whose stored values no longer match their seal (changed after fetching); ``loaded``: the
    application's items if already at hand (every one of them is checked either way)."""
    sealer = current_app.extensions["portal.sealer"]
    return [
        item
        for item in (items(application) if loaded is None else loaded)
        if not sealer.verify(seal.fields_of(item), item.seal_key_id, item.seal)
    ]


def broken_seal_count(application: Application) -> int:
    """``len(broken_seals(application))``, with the sealed values read as plain rows instead of an ORM object
    for each item: the caseworker's view checks every stored item on each request (issue 15, point 5)."""
    sealer = current_app.extensions["portal.sealer"]
    fields = seal.SEALED_FIELDS
    rows = db.session.execute(
        select(
            *(getattr(InformationItem, name) for name in fields), InformationItem.seal_key_id, InformationItem.seal
        ).where(InformationItem.application_id == application.id)
    )
    count = len(fields)
    return sum(
        not sealer.verify(dict(zip(fields, row[:count], strict=True)), row[count], row[count + 1]) for row in rows
    )


def item(application: Application, item_id: int) -> InformationItem | None:
    found = db.session.get(InformationItem, item_id)
    return found if found is not None and found.application_id == application.id else None


def comments(application: Application) -> dict[int, ItemComment]:
    return {
        c.item_id: c
        for c in db.session.scalars(select(ItemComment).where(ItemComment.application_id == application.id))
    }


def save_comment(application: Application, target: InformationItem, person_id: str, text: str) -> ItemComment | None:
    """Add, change or (with empty text) remove the comment on an item. The item is untouched."""
    existing = db.session.scalar(select(ItemComment).where(ItemComment.item_id == target.id))
    if not text:
        if existing is not None:
            db.session.delete(existing)
        existing = None
    elif existing is None:
        existing = ItemComment(item_id=target.id, application_id=application.id, author_person_id=person_id, text=text)
        db.session.add(existing)
    else:
        existing.text = text
    application.updated_at = utcnow()
    record(
        "change",
        "item_comment",
        str(target.id),
        "applicant comments on a fetched item",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return existing


# --- the information page, as the applicant reads it (issue 15, point 4) ------------------------------

INCOME_FIGURES = (INCOME_GROSS, TAX_WITHHELD, INCOME_NET)
# The page's groups, by what the items are (not by provider): money paid, money on accounts, and
# facts (statuses, decisions, rates, last year's income) that are shown collapsed.
GROUPS = ("income", "assets", "facts")


def group_of(figure: str) -> str:
    if figure in INCOME_FIGURES:
        return "income"
    return "assets" if figure == ASSET_BALANCE else "facts"


@dataclass
class Card:
    """One thing fetched, as one short card: a payment with its parts and the tax withheld from it, a
    balance, or a fact. ``items[0]`` names it; the others are its further parts and its tax."""

    items: list[InformationItem]

    @property
    def main(self) -> InformationItem:
        return self.items[0]

    @property
    def parts(self) -> list[InformationItem]:
        return [i for i in self.items if i.figure != TAX_WITHHELD]

    @property
    def gross_ore(self) -> int:
        return sum(i.amount_ore or 0 for i in self.items if i.figure == INCOME_GROSS)

    @property
    def tax_ore(self) -> int:
        return sum(i.amount_ore or 0 for i in self.items if i.figure == TAX_WITHHELD)

    @property
    def paid_ore(self) -> int:
        return sum(i.amount_ore or 0 for i in self.parts if i.figure in (INCOME_GROSS, INCOME_NET)) - self.tax_ore


@dataclass
class ProviderGroup:
    """The items from one provider in one group, as cards: the source and fetch time are said once, here.
    The cards are made when first asked for: a page whose group's markup is kept (render.py) never asks."""

    provider: Provider
    entries: list  # the stored items (or rows of shown_items()), in the order of items()

    @cached_property
    def cards(self) -> list[Card]:
        return _cards(self.entries)

    @property
    def fetched_at(self):
        return max(card.main.fetched_at for card in self.cards)


@dataclass
class MemberPage:
    member: HouseholdMember
    totals: MonthTotals
    groups: dict[str, list[ProviderGroup]]
    missing: list[ProviderStatus]
    fetched: bool  # anything was asked for about this member

    def count(self, group: str) -> int:
        return sum(len(g.cards) for g in self.groups.get(group, []))


def _cards(found: list[InformationItem]) -> list[Card]:
    """A payment's parts and its tax on one card (same provider, set, period and payment day);
    every other item a card of its own. Newest first."""
    cards: list[Card] = []
    payments: dict[tuple, Card] = {}
    for entry in found:
        if entry.figure in INCOME_FIGURES:
            key = (
                entry.provider,
                entry.info_set,
                entry.period_start,
                entry.period_end,
                (entry.details or {}).get("paid_on"),
            )
            card = payments.get(key)
            if card is None:
                card = payments[key] = Card([])
                cards.append(card)
            card.items.append(entry)
        else:
            cards.append(Card([entry]))
    for card in cards:  # the payment first, its tax after
        card.items.sort(key=lambda i: i.figure == TAX_WITHHELD)
    return sorted(cards, key=lambda c: (c.main.period_start or date.min, c.main.id), reverse=True)


def information_page(
    application: Application,
    loaded: list[InformationItem] | list[ShownItem] | None = None,
    loaded_statuses: list[ProviderStatus] | None = None,
) -> list[MemberPage]:
    """Per member: the month's totals, the items grouped by what they are and then by provider, and
    what could not be fetched. Items and calls are loaded once (or passed in: the stored items or the rows
    of :func:`shown_items`)."""
    found = items(application) if loaded is None else loaded
    all_statuses = statuses(application) if loaded_statuses is None else loaded_statuses
    by_member: dict[int, list] = defaultdict(list)
    for entry in found:
        by_member[entry.member_id].append(entry)
    statuses_of: dict[int, list[ProviderStatus]] = defaultdict(list)
    for status in all_statuses:
        statuses_of[status.member.id].append(status)
    order = {p.name: p.order for p in providers()}
    pages = []
    for member in application.members:
        own = by_member.get(member.id, [])
        # Each item's group worked out once (a page of many items asked it three times each).
        in_group: dict[str, dict[str, list]] = {group: defaultdict(list) for group in GROUPS}
        for entry in own:
            in_group[group_of(entry.figure)][entry.provider].append(entry)
        groups: dict[str, list[ProviderGroup]] = {
            group: [
                ProviderGroup(provider_named(name), entries)
                for name, entries in sorted(by_provider.items(), key=lambda kv: order.get(kv[0], 999))
            ]
            for group, by_provider in in_group.items()
        }
        member_statuses = statuses_of.get(member.id, [])
        pages.append(
            MemberPage(
                member,
                month_totals(own, application.period),
                groups,
                [s for s in member_statuses if s.state == FetchStatus.FAILED],
                bool(member_statuses or own),
            )
        )
    return pages


def viewer_member(application: Application, person_id: str | None) -> HouseholdMember | None:
    """The member who is reading (the applicant, or a co-applicant from their own login), so the page
    speaks to them about their own items and names the others."""
    return next((m for m in application.members if person_id and m.person_id == person_id), None)


def stated_costs(application: Application) -> int | None:
    """The costs the applicant stated for the month applied for (öre), None when none were stated."""
    # portal.supplements sits above this layer (ignore_imports in pyproject.toml)
    from portal.supplements.services import entries

    found = [c.amount_ore for c in entries(application, "costs") if c.month == application.period]
    return sum(found) if found else None
