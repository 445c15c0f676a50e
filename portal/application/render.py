"""Parts of the check page rendered once (issue 15, point 5): the list of consents and the key figures.

A household of four has some seventy active consents, and the list of them was the largest part of the check
page's own rendering on every request; the key figures came next. Each part's markup depends only on what its
key holds (for the consents: each listed consent's provider, scope, member and whether given as guardian, the
members' names, the language, whether the application is still a draft (the change link), the application and
the path the links start from). Any change to one of them (a consent given or taken back, an amount, another
language) is another key, so nothing stale is shown; the cache is bounded, per process, like the information
page's cards (``portal/information/render.py``).
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import get_locale
from markupsafe import Markup

from portal.information.render import CardCache  # the bounded, locked cache the information page's cards use

MAX_SUMMARIES = 2_000  # a few kilobytes each


def _summaries() -> CardCache:
    # current_app is a LocalProxy, typed as the Flask app it stands for.
    app = current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
    if "portal.check_summaries" not in app.extensions:
        app.extensions["portal.check_summaries"] = CardCache(MAX_SUMMARIES)
    return app.extensions["portal.check_summaries"]


def consent_summary(application, consents, member_names: dict[int, str]) -> Markup:
    """``consent/_consents.html`` for these active consents: what the check page lists of them."""
    key = (
        "consents",
        tuple((c.provider, c.scope, c.member_id, bool(c.as_guardian)) for c in consents),
        tuple(sorted(member_names.items())),
        str(get_locale()),
        bool(application.is_draft),
        application.id,
        request.script_root,
    )
    return _summaries().rendered(
        key, "consent/_consents.html", application=application, active_consents=consents, member_names=member_names
    )


def key_figures(application, figures, viewer, supplements: dict, attachments: list) -> Markup:
    """``application/_key_figures.html``: the check page's key figures for the month, which depend only on
    what the key holds (each member's name, whether it is the reader, whether anything was fetched and the
    totals; the stated incomes and costs for the month; how many files; the language)."""
    stated_incomes = supplements["incomes"]["totals"].get(application.period, 0)
    stated_costs = supplements["costs"]["totals"].get(application.period, 0)
    key = (
        "key_figures",
        tuple(
            (
                page.member.id,
                page.member.name,
                bool(viewer and page.member.id == viewer.id),
                bool(page.fetched),
                bool(page.totals.has_income),
                page.totals.paid_ore,
                page.totals.asset_count,
                page.totals.assets_ore,
            )
            for page in figures
        ),
        stated_incomes,
        stated_costs,
        len(attachments),
        str(get_locale()),
    )
    return _summaries().rendered(
        key,
        "application/_key_figures.html",
        figures=figures,
        viewer=viewer,
        stated_incomes=stated_incomes,
        stated_costs=stated_costs,
        attachment_count=len(attachments),
    )
