from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from portal.application import services as applications
from portal.application.access import load_application
from portal.audit.services import record_read
from portal.auth.access import ensure, requires
from portal.consent import services
from portal.consent.forms import ConsentForm
from portal.consent.models import Consent
from portal.extensions import db

bp = Blueprint("consent", __name__)


@bp.route("/applications/<application_id>/consent", methods=["GET", "POST"])
@requires("household")
def choose(application_id: str):
    application = load_application(application_id, "household")
    member = services.member_for_person(application, g.subject_id)
    if member is None or not application.is_draft:
        abort(404)
    units = services.units()
    form = ConsentForm()
    form.units.choices = [(u.key, u.key) for u in units]
    if form.validate_on_submit():
        services.set_consents(application, member, g.subject_id, set(form.units.data or []))
        # portal.information sits above this layer (ignore_imports in pyproject.toml)
        from portal.information.services import start_fetch

        start_fetch(application)
        return redirect(url_for("information.fetch", application_id=application.id))
    if not form.is_submitted():
        form.units.data = sorted(services.active_keys(application, member))
        applications.remember_place(application, request.path)
    record_read("consent", application.id, "consent choices shown", subject_id=application.applicant_id)
    return render_template(
        "consent/choose.html",
        form=form,
        application=application,
        member=member,
        units=units,
        wards=services.wards(application, member),
        others=services.self_consenting(application) if member.relation == "applicant" else [],
    ), 400 if form.errors else 200


@bp.get("/consents")
@requires("citizen")
def mine():
    consents = services.consents_given_by(g.subject_id)
    record_read("consent_list", None, "my consents")
    rows = []
    for consent in consents:
        application = applications.get(consent.application_id)
        assert application is not None  # a consent belongs to an application
        member = next(m for m in application.members if m.id == consent.member_id)
        rows.append((consent, application, member))
    return render_template("consent/mine.html", rows=rows, unit_title=_unit_title)


def _unit_title(consent: Consent):
    if consent.scope == services.FOLKBOKFORING:
        return None
    return services.unit(f"{consent.provider}.{consent.scope}")


@bp.post("/consents/<int:consent_id>/revoke")
@requires("consent")
def revoke(consent_id: str):
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        abort(404)
    ensure("consent", consent)

    if FlaskForm().validate_on_submit():
        try:
            services.revoke(consent)
        except services.ConsentClosed:
            abort(409)
    return redirect(url_for("consent.mine"))
