"""The application as received, rendered once per document (issue 15, point 5).

The caseworker's view shows the frozen exchange document: its household, its fifty-odd fetched items, what
the applicant stated, its attachments and indication. A frozen document never changes, so that markup is the
same every time the case is opened in one language and time zone. It is rendered on first use and kept in a
bounded in-process cache keyed by the hash of the document's bytes as read (not the stored checksum: a
changed document hashes otherwise and is rendered afresh), the application, the part, whether the item
verified, the language, the time zone and the script root its links are made under. The fetched items' section
as a whole is kept the same way, with the texts and due dates of the supplement requests about its items in its
key. What else changes with the handling — the seal warnings, the later documents — is rendered live around
these parts (templates/municipality/_received.html)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import current_app, get_template_attribute, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from portal.information.render import CardCache

PARTS = "municipality/_received_parts.html"
MAX_PARTS = 20_000  # a kilobyte or a few each: tens of megabytes at most per process
ROW = "municipality/_inbox_row.html"
MAX_ROWS = 20_000  # about a kilobyte each


def _cache(name: str = "portal.received_parts", size: int = MAX_PARTS) -> CardCache:
    # current_app is a LocalProxy, typed as the Flask app it stands for.
    app = current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
    if name not in app.extensions:
        app.extensions[name] = CardCache(size)
    return app.extensions[name]


def inbox_rows(rows: Sequence, status_tag: Callable[[str], Markup], link: Callable[[str], str]) -> list[Markup]:
    """The inbox's rows as markup, each kept by everything it shows: the row's values (a frozen Row holds every
    one), the language, the time zone and the script root its link is made under. A case that changes comes
    with other values, so its row is made afresh; the rest of a page of fifty is not rendered again on every
    request (issue 15, point 5). ``status_tag`` and ``link`` are asked only for a row not yet kept."""
    cache = _cache("portal.inbox_rows", MAX_ROWS)
    context = (str(get_locale()), str(get_timezone()), request.script_root)
    macro = None
    result = []
    for row in rows:
        key = (row, *context)
        html = cache.get(key)
        if html is None:
            macro = macro or get_template_attribute(ROW, "inbox_row")
            html = Markup(macro(row, status_tag(row.status), link(row.id)))
            cache.put(key, html)
        result.append(html)
    return result


class Received:
    """The document's parts for one page: ``household()``, ``item(entry)`` and ``rest()``, each from the cache
    or rendered by its macro in ``PARTS`` and kept."""

    def __init__(self, view, iso_date: Callable, iso_month: Callable):
        self.view = view
        self.iso_date = iso_date
        self.iso_month = iso_month
        # What the markup depends on besides the document: its language and time zone (dates, amounts,
        # translations, bidirectional isolation) and where its links point.
        self._key = (
            view.body_digest,
            view.application.id,
            str(get_locale()),
            str(get_timezone()),
            request.script_root,
        )
        self._cache = _cache()

    def _part(self, key: tuple, render: Callable[[], str]) -> Markup:
        if self.view.body_digest is None:  # no document: nothing to key it by (the page says it is missing)
            return Markup(render())
        full = (*self._key, *key)
        html = self._cache.get(full)
        if html is None:
            html = Markup(render())
            self._cache.put(full, html)
        return html

    def household(self) -> Markup:
        view = self.view
        return self._part(
            ("household",),
            lambda: get_template_attribute(PARTS, "household_part")(view.doc, view.members, self.iso_date),
        )

    def item(self, entry) -> Markup:
        return self._part(
            ("item", entry.position, entry.verified),
            lambda: get_template_attribute(PARTS, "item_part")(entry, self.view.application, self.iso_date),
        )

    def fetched(self, theme_labels) -> Markup:
        """Every fetched item in its member's and theme's place, with the requests about it: besides the document,
        the markup depends on whether each item verified and on each request's text and due date, all in the key.
        """
        view = self.view
        shown = tuple(
            (entry.position, entry.verified, tuple((request.what, request.due_date) for request in entry.requests))
            for _label, themes in view.fetched
            for _theme, entries in themes
            for entry in entries
        )
        return self._part(
            ("fetched", shown),
            lambda: get_template_attribute(PARTS, "fetched_part")(view.fetched, self, theme_labels),
        )

    def rest(self) -> Markup:
        view = self.view
        return self._part(
            ("rest",),
            lambda: get_template_attribute(PARTS, "rest_part")(
                view.doc, view.members, view.attachments, view.application, self.iso_month
            ),
        )
