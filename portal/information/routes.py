from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.application import services as applications
from portal.application.access import load_application
from portal.audit.services import record_read
from portal.auth import household
from portal.auth.access import requires
from portal.i18n import cached
from portal.i18n.services import day, month
from portal.information import services
from portal.information.forms import CommentForm
from portal.information.labels import detail_text
from portal.information.render import card_body, card_item, member_section, member_summary, provider_group
from portal.providers.items import Period
from portal.providers.registry import provider as provider_named
from portal.web.htmx import is_fragment_request, render
from portal.web.reads import reads_once

bp = Blueprint("information", __name__)


def _context(application):
    visible = household.visible_member_ids(application, g.subject_id)
    statuses = [s for s in services.statuses(application) if visible is None or s.member.id in visible]
    return {
        "application": application,
        "statuses": statuses,
        "pending": services.pending(application),
        "is_applicant": application.applicant_id == g.subject_id,
    }


@bp.get("/applications/<application_id>/fetch")
@requires("household")
def fetch(application_id: str):
    application = load_application(application_id, "household")
    applications.remember_place(application, request.path)
    record_read("provider_data", application.id, "fetch status shown", subject_id=application.applicant_id)
    return render("information/fetch.html", "information/_fetch_status.html", **_context(application))


@bp.get("/applications/<application_id>/fetch/status")
@requires("household")
def status(application_id: str):
    """Polled by htmx while calls are pending; without JavaScript the page itself is reloaded."""
    application = load_application(application_id, "household")
    return render("information/fetch.html", "information/_fetch_status.html", **_context(application))


@bp.post("/applications/<application_id>/fetch")
@requires("household")
def start(application_id: str):
    application = load_application(application_id, "household")
    if FlaskForm().validate_on_submit() and application.is_draft:
        services.start_fetch(application)
    return redirect(url_for("information.fetch", application_id=application.id))


@bp.post("/applications/<application_id>/fetch/retry")
@requires("household")
def retry(application_id: str):
    application = load_application(application_id, "household")
    if FlaskForm().validate_on_submit() and application.is_draft:
        member_id = request.form.get("member", type=int)
        failed = services.failed_calls(application, member_id, request.form.get("provider", ""))
        if failed:
            services.start_fetch(application, only=failed)
    return redirect(url_for("information.fetch", application_id=application.id))


@bp.app_template_global()
def period_text(start, end) -> str:
    """One wording for when a fact applies: "Period" only for a period; a start alone is "since"."""
    if start is None and end is None:
        return ""
    if end is None:
        return _("Since %(day)s", day=day(start))
    if start is None:
        return _("Until %(day)s", day=day(end))
    if start == end:
        return _("On %(day)s", day=day(start))
    if start.day == 1 and Period(start).end == end:
        return _("For %(month)s", month=month(start))
    return _("Period: %(start)s – %(end)s", start=day(start), end=day(end))


bp.add_app_template_global(card_body, "card_body")
bp.add_app_template_global(card_item, "card_item")
bp.add_app_template_global(provider_group, "provider_group")
bp.add_app_template_global(member_summary, "member_summary")
bp.add_app_template_global(member_section, "member_section")

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@bp.app_template_global()
def detail_display(provider, key: str, value) -> tuple[str, str]:
    """A detail's label and text, a date in it written as every other date on the page."""
    name, text = detail_text(provider, key, value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return name, day(date.fromisoformat(value))
        except ValueError:
            pass
    return name, text


@bp.app_template_global()
def fetched_text(moment) -> str:
    """When something was fetched: the date as every date on the page, and the time without seconds."""
    return cached.fetched(moment)  # the same text, worked out once per moment, language and zone


def _information_context(application) -> dict:
    statuses = services.statuses(application)
    viewer = services.viewer_member(application, g.subject_id)
    found, comments = services.shown_items(application)
    pages = services.information_page(application, loaded=found, loaded_statuses=statuses)
    # A household member who sees only what concerns them (portal/auth/household.py): their own page.
    visible = household.visible_member_ids(application, g.subject_id)
    if visible is not None:
        return {
            "application": application,
            "pages": [p for p in pages if p.member.id in visible],
            "comments": {},
            "statuses": [s for s in statuses if s.member.id in visible],
            "is_applicant": False,
            "viewer": viewer,
            "costs_ore": None,
        }
    return {
        "application": application,
        "pages": pages,
        "comments": comments,
        "statuses": statuses,
        "is_applicant": application.applicant_id == g.subject_id,
        "viewer": viewer,
        "costs_ore": services.stated_costs(application),
    }


@bp.get("/applications/<application_id>/information")
@requires("household")
def overview(application_id: str):
    """Everything fetched, grouped by member and theme, with totals and comments."""
    application = load_application(application_id, "household")
    applications.remember_place(application, request.path)
    record_read(
        "information_item", application.id, "applicant reviews fetched information", subject_id=application.applicant_id
    )
    with reads_once():
        return render_template("information/overview.html", **_information_context(application))


# A comment may carry its text and nothing else: any other field is an attempt to change what
# was fetched, which no route accepts.
_COMMENT_FIELDS = {"csrf_token", "text"}


@bp.route("/applications/<application_id>/items/<int:item_id>/comment", methods=["GET", "POST"])
@requires("application")
def comment(application_id: str, item_id: int):
    application = load_application(application_id, "application")
    target = services.item(application, item_id)
    if target is None or not application.is_draft:
        abort(404)
    existing = services.comments(application).get(target.id)
    form = CommentForm(data={"text": existing.text if existing else ""})
    form.text.id = f"comment-text-{target.id}"  # unique when several items are commented inline
    if request.method == "POST":
        if set(request.form) - _COMMENT_FIELDS:
            abort(400, description="fetched values are read-only")
        if form.validate_on_submit():
            saved = services.save_comment(application, target, g.subject_id, form.text.data or "")
            if is_fragment_request():
                return render_template(
                    "information/_comment.html", application=application, item=target, comment=saved, saved=True
                )
            return redirect(url_for("information.overview", application_id=application.id) + f"#item-{target.id}")
    if request.method == "GET":  # the item and its comment shown: a read (issue 18, tests/test_audit_coverage.py)
        record_read(
            "information_item", str(target.id), "the item shown to comment on", subject_id=application.applicant_id
        )
    context = {
        "application": application,
        "item": target,
        "comment": existing,
        "form": form,
        "provider": provider_named(target.provider),
    }
    status = 400 if form.errors else 200
    if is_fragment_request():
        return render_template("information/_comment_form.html", **context), status
    return render_template("information/comment.html", **context), status
