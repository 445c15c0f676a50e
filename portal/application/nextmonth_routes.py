"""Apply again for the next month (see portal/application/nextmonth.py): start from a sent
application, review what was copied, and see what changed since last month."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from portal.application import nextmonth, services
from portal.application.access import load_application
from portal.application.labels import RELATION
from portal.audit.services import record_read
from portal.auth.access import requires
from portal.i18n.lazy import _l
from portal.information.labels import item_label
from portal.providers.registry import provider
from portal.supplements.labels import entry_label

bp = Blueprint("nextmonth", __name__)


class NextMonthForm(FlaskForm):
    folkbokforing = BooleanField(
        _l("I agree that you fetch my address and household from the population register at Skatteverket"),
        validators=[
            DataRequired(
                message=_l(
                    "Agree to the fetch from the population register, so we know your household and municipality"
                )
            )
        ],
    )


@bp.app_template_global("next_month_offer")
def next_month_offer(application):
    """For the overview: the month the applicant can apply for next from this application, or None."""
    if application.applicant_id != g.get("subject_id"):
        return None
    return nextmonth.offer(application)


@bp.route("/applications/<application_id>/next-month/start", methods=["GET", "POST"])
@requires("application")
def start(application_id: str):
    previous = load_application(application_id, "application")
    form = NextMonthForm()
    try:
        period = nextmonth.check(previous)
    except nextmonth.NotPossible as refused:
        return render_template(
            "nextmonth/not_possible.html",
            previous=previous,
            reason=refused.reason,
            existing=refused.existing,
            period=nextmonth.month_after(previous.period),
        ), 409
    if form.validate_on_submit():
        application = nextmonth.start(previous, g.subject_id)
        return redirect(url_for("nextmonth.review", application_id=application.id))
    record_read(
        "application",
        previous.id,
        "applicant starts next month's application from it",
        subject_id=previous.applicant_id,
    )
    return render_template(
        "nextmonth/start.html", form=form, previous=previous, period=period
    ), 400 if form.errors else 200


@bp.get("/applications/<application_id>/next-month")
@requires("application")
def review(application_id: str):
    """The new draft's start: what was copied from last month, to review; what to do next."""
    application = load_application(application_id, "application")
    previous = services.get(application.previous_id) if application.previous_id else None
    if previous is None:
        abort(404)
    record_read(
        "application",
        application.id,
        "applicant reviews what was copied from last month",
        subject_id=application.applicant_id,
    )
    return render_template(
        "nextmonth/review.html",
        application=application,
        previous=previous,
        copied=nextmonth.copied_entries(application),
        entry_label=entry_label,
        form=None,
    )


@bp.get("/applications/<application_id>/changes")
@requires("application")
def changes(application_id: str):
    """What changed in the fetched information since last month."""
    application = load_application(application_id, "application")
    result = nextmonth.what_changed(application)
    if result is None:
        abort(404)
    record_read(
        "application",
        application.id,
        "applicant compares fetched information with last month",
        subject_id=application.applicant_id,
    )
    names = {
        key: m.name
        for m_id, key in nextmonth.member_keys(application.members).items()
        for m in application.members
        if m.id == m_id
    }

    def member_name(key):
        return names.get(key) or RELATION.get(key[0], RELATION["other"])

    def label(change):
        try:
            return item_label(provider(change.provider), change.kind)[0]
        except KeyError:
            return change.kind

    def provider_title(name):
        try:
            return provider(name).title
        except KeyError:
            return name

    return render_template(
        "nextmonth/changes.html",
        application=application,
        result=result,
        member_name=member_name,
        label=label,
        provider_title=provider_title,
    )
