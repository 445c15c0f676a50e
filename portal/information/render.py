"""Rendering a fetched item's card once (issue 15, point 5).

A stored item is never changed (it is sealed; revoking a consent deletes it), so the body of its card —
label, amount, when, details, help text — is the same every time it is shown in one language. It is
rendered on first use and kept in a bounded in-process cache keyed by the items' seals (unique to their
content, so a reused row id can never show an old card), the language and whether the help text is
shown. The whole card with the comment beside it is kept the same way, its key adding what the comment
part shows: the comment's text, whether the reader may comment, the application and the path the links
start from. A changed or removed comment has another key, so nothing stale is ever shown, and the page
renders a card of 60 with one lookup instead of two includes. This removes most of the information
page's template and translation work from every request after the first.

A provider's group of cards (its heading with the fetch time, then the cards) is kept whole the same way,
keyed by its items' ids and seals, the comments on them, the language, the reader's time zone, whether the help
is shown and the reader may comment, the application and the script root; and a member's lines of the summary
by the member's name, the month's totals, what could not be fetched and why, the month, the language, the
application and the script root. A member's section (their name, each group's heading, the groups) is kept by
the member, the language and its groups' keys in order. A page whose data is unchanged is then a lookup per
member, not twenty includes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, render_template, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from portal.information.services import GROUPS

MAX_CARDS = 20_000  # a few kilobytes each: tens of megabytes at most per process


class CardCache:
    def __init__(self, size: int = MAX_CARDS):
        self.size = size
        self._cards: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Markup | None:
        with self._lock:
            found = self._cards.get(key)
            if found is not None:
                self._cards.move_to_end(key)
            return found

    def put(self, key: tuple, html: Markup) -> None:
        with self._lock:
            self._cards[key] = html
            self._cards.move_to_end(key)
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)

    def rendered(self, key: tuple, template: str, **context) -> Markup:
        """The template's markup kept under ``key``, rendered with ``context`` the first time: the key must hold
        everything the markup shows."""
        html = self.get(key)
        if html is None:
            html = Markup(render_template(template, **context))
            self.put(key, html)
        return html


def _cache() -> CardCache:
    # current_app is a LocalProxy, typed as the Flask app it stands for.
    app = current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
    if "portal.card_cache" not in app.extensions:
        app.extensions["portal.card_cache"] = CardCache()
    return app.extensions["portal.card_cache"]


def card_body(card, provider, help_shown: bool) -> Markup:
    key = (tuple(i.seal for i in card.items), str(get_locale()), bool(help_shown))
    return _cache().rendered(key, "information/_card_body.html", card=card, provider=provider, help_shown=help_shown)


def card_item(card, provider, help_shown: bool, comment, application, is_applicant: bool) -> Markup:
    """The card's whole ``<li>``: its body (:func:`card_body`) and the comment beside it with its link."""
    can_comment = bool(application.is_draft and is_applicant)
    key = (
        "item",
        tuple((i.id, i.seal) for i in card.items),
        str(get_locale()),
        bool(help_shown),
        None if comment is None else comment.text,
        can_comment,
        application.id,
        request.script_root,
    )
    return _cache().rendered(
        key,
        "information/_card.html",
        card=card,
        provider=provider,
        help_shown=help_shown,
        comment=comment,
        application=application,
        is_applicant=is_applicant,
    )


def _reader(help_shown: bool, application, is_applicant: bool) -> tuple:
    """What a group's markup shows of the reader and the request: the language, the time zone (the fetch time is
    written in it), whether the help is shown and the reader may comment, the application and the script root."""
    return (
        str(get_locale()),
        str(get_timezone()),
        bool(help_shown),
        bool(application.is_draft and is_applicant),
        application.id,
        request.script_root,
    )


def _contents(pgroup, comments: dict) -> tuple:
    """What a group's markup shows of its items: the provider, each item's id and seal (the seal covers all an
    item shows, so its cards follow from them) and the comments on them."""
    entries = pgroup.entries
    return (
        pgroup.provider.name,
        tuple((i.id, i.seal) for i in entries),
        tuple((i.id, comments[i.id].text) for i in entries if i.id in comments),
    )


def provider_group(pgroup, help_shown: bool, comments: dict, application, is_applicant: bool) -> Markup:
    """One provider's cards in one group, with the source and fetch time said once: kept whole, so a page
    whose groups are unchanged renders each with one lookup. The key adds to the cards' what the heading
    shows: the provider and the reader's time zone (the fetch time is written in it)."""
    key = ("group", _contents(pgroup, comments), _reader(help_shown, application, is_applicant))
    return _cache().rendered(
        key,
        "information/_provider_group.html",
        pgroup=pgroup,
        help_shown=help_shown,
        comments=comments,
        application=application,
        is_applicant=is_applicant,
    )


def member_section(page, is_you, help_shown: bool, comments: dict, application, is_applicant: bool) -> Markup:
    """A member's section of fetched items: their name and each group's heading around its providers' groups
    (:func:`provider_group`), kept whole by the member, the reader and what every group shows, in order."""
    member = page.member
    key = (
        "member",
        member.id,
        member.name,
        bool(is_you),
        _reader(help_shown, application, is_applicant),
        tuple((group, tuple(_contents(g, comments) for g in page.groups[group])) for group in GROUPS),
    )
    return _cache().rendered(
        key,
        "information/_member_section.html",
        page=page,
        is_you=is_you,
        help_shown=help_shown,
        comments=comments,
        application=application,
        is_applicant=is_applicant,
    )


def member_summary(page, is_you, application) -> Markup:
    """One member's lines of the summary at the top of the page: kept whole, keyed by all they show (the
    member's name, the month's totals, each provider not fetched and why, the month and the links'
    application), the language and the script root."""
    member = page.member
    key = (
        "summary",
        member.id,
        member.name,
        bool(is_you),
        page.totals,
        tuple((s.provider.name, s.reason) for s in page.missing),
        bool(page.fetched),
        application.period,
        application.id,
        str(get_locale()),
        request.script_root,
    )
    return _cache().rendered(key, "information/_member_summary.html", page=page, is_you=is_you, application=application)
