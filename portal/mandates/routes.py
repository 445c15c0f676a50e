from __future__ import annotations

import contextlib
import logging
import time
from datetime import UTC, date, datetime

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.audit.services import record_read
from portal.auth import stepup
from portal.auth.access import requires
from portal.auth.models import Person
from portal.auth.services import safe_next
from portal.auth.signing import StepUpRefused, signed_step_up, step_up
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.i18n.services import SUPPORTED
from portal.mandates import acting, services
from portal.mandates.forms import SCOPE_CHOICES, ChooseForm, GrantForm, LegalForm, RefuseForm
from portal.web.fields import held

log = logging.getLogger(__name__)
bp = Blueprint("mandates", __name__)

GRANT_KEY = "mandate_grant"
SELF = "self"

REFUSAL = {
    "invalid_personnummer": _l("Enter a valid personal identity number with 12 digits, like 19640415-3832"),
    "self": _l("You cannot give a mandate to yourself"),
    "validity": _l("A mandate can be valid for at most 12 months, from today"),
    "exists": _l(
        "This person already has a mandate from you, or an invitation waiting. End it first to give a new one."
    ),
    "no_scope": _l("Choose at least one thing the person may do for you"),
    "not_pending": _l("This invitation has already been answered or withdrawn"),
    "expired": _l("This invitation has expired"),
    "not_open": _l("This mandate has already ended"),
    "legal": _l("A legal representative's mandate follows the decision of the överförmyndare and cannot be ended here"),
    "not_party": _l("You are not a party to this mandate"),
    "kind": _l("Choose god man or förvaltare"),
    "other_person": _l("The person who identified was not you. The mandate was not given."),
    "not_fresh": _l("The identification was not made just now. Try again."),
    "invalid": _l("The identification could not be completed. The mandate was not given."),
    # An administrator's step-up and the four eyes (legal representatives).
    "staff_not_fresh": _l(
        "You did not identify yourself again just now. Nothing was registered or approved. Try again."
    ),
    "staff_other_person": _l("The person who identified was not you. Nothing was registered or approved."),
    "staff_invalid": _l("The identification could not be completed. Nothing was registered or approved."),
    "not_awaiting": _l("This registration is no longer waiting for approval"),
    "same_administrator": _l("Another administrator must approve or refuse a registration you made yourself"),
    "no_reason": _l("Enter why the registration is refused"),
}
STAFF_REFUSAL = {"not_fresh": "staff_not_fresh", "other_person": "staff_other_person", "invalid": "staff_invalid"}

STATE_LABEL = {
    "pending": _l("Waiting for the person to accept"),
    "active": _l("In force"),
    "declined": _l("Declined"),
    "ended": _l("Ended"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
    "not_started": _l("Not yet in force"),
    "awaiting_approval": _l("Waiting for a second administrator's approval"),
    "refused": _l("Refused by an administrator"),
}
KIND_LABEL = {"fullmakt": _l("Power of attorney (fullmakt)"), "god_man": _l("God man"), "forvaltare": _l("Förvaltare")}
SCOPE_LABEL = dict(SCOPE_CHOICES)

# The trail in words: what was done (audit action) to what (object type).
ACTION_LABEL = {
    "read": _l("Looked at %(what)s"),
    "create": _l("Created %(what)s"),
    "change": _l("Changed %(what)s"),
    "update": _l("Changed %(what)s"),
    "delete": _l("Removed %(what)s"),
    "consent": _l("Gave consent: %(what)s"),
    "revoke": _l("Took back %(what)s"),
    "sign": _l("Signed %(what)s"),
    "submit": _l("Sent %(what)s"),
    "accept": _l("Accepted %(what)s"),
    "end": _l("Ended %(what)s"),
    "refuse": _l("Was refused %(what)s: it could not be verified"),
    "register": _l("Registered %(what)s from the överförmyndare's decision"),
    "approve": _l("Approved %(what)s (the second administrator)"),
    "refuse_registration": _l("Refused the registration of %(what)s"),
}
OBJECT_LABEL = {
    "application": _l("your application"),
    "application_list": _l("your list of applications"),
    "consent": _l("a consent to fetch information"),
    "consent_list": _l("your consents"),
    "mandate": _l("the mandate"),
    "information": _l("information fetched about you"),
    "fetch": _l("fetched information"),
    "receipt": _l("the receipt"),
}


def action_label(event) -> str:
    what = OBJECT_LABEL.get(event.object_type, _l("information in your application"))
    template = ACTION_LABEL.get(event.action, _l("Did something with %(what)s"))
    return str(template) % {"what": what}


def stepup_of(event):
    """For an administrator's registration or approval in the trail: when they identified themselves again."""
    if event.actor_type != "staff" or event.object_type != "mandate" or event.action not in ("register", "approve"):
        return None
    mandate = services.get(event.object_id or "")
    if mandate is None:
        return None
    return mandate.registered_stepup_at if event.action == "register" else mandate.approved_stepup_at


@bp.app_context_processor
def _banner():
    return acting.banner_context()


@bp.app_template_global()
def mandate_uses(application_id: str):
    """For the caseworker's page: who prepared or submitted the application under a mandate."""
    return [(use, mandate, services.proxy_name(mandate)) for use, mandate in services.uses(application_id)]


@bp.after_app_request
def _note_prepared(response):
    return acting.note_prepared(response)


def _me() -> Person:
    person = db.session.get(Person, g.actor.id)
    if person is None:
        abort(404)
    return person


def _page(template: str, status: int = 200, **context):
    return render_template(
        template,
        state_of=services.state,
        state_label=STATE_LABEL,
        kind_label=KIND_LABEL,
        scope_label=SCOPE_LABEL,
        principal_name=services.principal_name,
        proxy_name=services.proxy_name,
        action_label=action_label,
        stepup_of=stepup_of,
        **context,
    ), status


@bp.get("/mandates")
@requires("own")
def index():
    me = _me()
    record_read("mandate_list", None, "own mandates", subject_id=me.id)
    return _page(
        "mandates/index.html",
        granted=services.granted_by(me),
        received=services.received_by(me),
        newly_told=services.untold_legal(me.id),
        form=None,
        button_form=FlaskForm(),
    )


@bp.post("/mandates/notices/seen")
@requires("own")
def notices_seen():
    """The person says they have read the notices of legal representatives registered for them. A POST
    of its own (issue 13, point 11): looking at a page, a prefetch or a link preview changes nothing."""
    if FlaskForm().validate_on_submit():
        services.mark_told(services.untold_legal(_me().id))
    return redirect(safe_next(request.form.get("next"), url_for("mandates.index")))


@bp.route("/mandates/new", methods=["GET", "POST"])
@requires("own")
def new():
    """The principal chooses the proxy, the scope and the period; confirming is a fresh
    authentication at the identity provider (as signing an application)."""
    me = _me()
    form = GrantForm()
    refusal = None
    if form.validate_on_submit():
        try:
            chosen = services.check_grant(
                me,
                held(form.proxy_personnummer.data),
                form.scopes.data,
                held(form.valid_until.data),
                form.proxy_name.data or "",
            )
        except services.MandateRefused as refused:
            refusal = REFUSAL[refused.reason]
        else:
            session[GRANT_KEY] = {**chosen.to_session(), "started": int(time.time()), "principal": me.id}
            return step_up(grant_message(chosen))
    if not form.is_submitted():
        form.scopes.data = ["view"]
    failed = bool(form.errors or refusal)
    return _page(
        "mandates/new.html",
        400 if failed else 200,
        form=form,
        refusal=refusal,
        latest=services.latest_until(services.today()),
    )


def grant_message(chosen: services.Grant) -> dict[str, str]:
    """What the identity provider shows before the principal signs the mandate (the OIDC Sweden
    profile's ``userMessage``), in each of the portal's languages; the name as the principal typed
    it, never the personnummer."""
    messages = {}

    for language in SUPPORTED:
        with force_locale(language):
            name = chosen.proxy_name or _("the person I have chosen")
            messages[language] = _(
                "I give %(name)s a power of attorney to act for me in my applications for "
                "ekonomiskt bistånd until %(date)s.",
                name=name,
                date=format_date(chosen.valid_until, "long"),
            )
    return messages


def finish_grant():
    """Back from the step-up: the same person, identified just now, signs the mandate."""
    pending = session.pop(GRANT_KEY, None)
    me = _me()
    if not pending or pending.get("principal") != me.id or g.actor.is_proxy:
        return _page("mandates/grant_failed.html", 400, reason=REFUSAL["invalid"])
    try:
        auth_time, claims = signed_step_up(pending["started"], me, "mandate")
    except StepUpRefused as refused:
        return _page("mandates/grant_failed.html", 400, reason=REFUSAL[refused.reason])
    try:
        mandate = services.grant(
            me,
            services.Grant.from_session(pending),
            signed_at=datetime.fromtimestamp(auth_time, UTC),
            acr=claims.get("acr"),
        )
    except services.MandateRefused as refused:
        return _page("mandates/grant_failed.html", 400, reason=REFUSAL[refused.reason])
    session["mandate_granted"] = mandate.reference
    return redirect(url_for("mandates.index"))


def _mandate(mandate_id: str):
    mandate = services.get(mandate_id)
    me = _me()
    if mandate is None or me.id not in (mandate.principal_id, mandate.proxy_id):
        abort(404)
    return mandate, me


def _answer(mandate_id: str, action):
    mandate, me = _mandate(mandate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        action(mandate, me)
    except services.MandateRefused as refused:
        return _page(
            "mandates/index.html",
            409,
            granted=services.granted_by(me),
            received=services.received_by(me),
            newly_told=[],
            form=None,
            button_form=FlaskForm(),
            refusal=REFUSAL[refused.reason],
        )
    return redirect(url_for("mandates.index"))


@bp.post("/mandates/<mandate_id>/accept")
@requires("own")
def accept(mandate_id: str):
    return _answer(mandate_id, services.accept)


@bp.post("/mandates/<mandate_id>/decline")
@requires("own")
def decline(mandate_id: str):
    return _answer(mandate_id, services.decline)


@bp.post("/mandates/<mandate_id>/end")
@requires("own")
def end(mandate_id: str):
    """The principal revokes, or the proxy gives up, a mandate: at once."""
    return _answer(mandate_id, services.end)


@bp.get("/mandates/trail")
@requires("own")
def trail():
    me = _me()
    record_read("mandate_trail", None, "what proxies did in my name", subject_id=me.id)
    return _page("mandates/trail.html", rows=services.trail(me.id))


@bp.route("/act-for", methods=["GET", "POST"])
@requires("person")
def choose():
    """Whose affairs to handle: oneself, or a principal whose mandate is in force."""
    me = _me()
    mandates = services.in_force_for(me.id)
    form = ChooseForm()
    form.acting_for.choices = [(SELF, me.display_name)] + [(m.id, services.principal_name(m)) for m in mandates]
    next_url = safe_next(request.values.get("next"), url_for("application.overview"))
    if form.validate_on_submit():
        chosen = next((m for m in mandates if m.id == form.acting_for.data), None)
        acting.act_for(me, chosen)
        if chosen is not None:
            record_read(
                "mandate",
                chosen.id,
                f"acting for the principal under {chosen.reference}",
                subject_id=chosen.principal_id,
            )
            return redirect(url_for("application.overview"))
        return redirect(next_url)
    if not form.is_submitted():
        form.acting_for.data = g.actor.mandate_id if g.actor.is_proxy else SELF
    return _page(
        "mandates/choose.html",
        400 if form.errors else 200,
        form=form,
        mandates=mandates,
        invitations=services.invitations(me.id),
        next_url=next_url,
    )


# --- legal representatives: registered by one administrator, approved by another (four eyes) ----------

REGISTER, APPROVE = "register_legal", "approve_legal"


def _administrator(stepped_up_at=None) -> services.Administrator:
    return services.Administrator(id=g.actor.id, name=g.actor.name, stepped_up_at=stepped_up_at)


def _decision(form: LegalForm) -> services.LegalDecision:
    """The decision a validated form holds: every field of it is required."""
    return services.LegalDecision(
        kind=form.kind.data,
        principal_personnummer=held(form.principal_personnummer.data),
        principal_name=held(form.principal_name.data),
        representative_personnummer=held(form.representative_personnummer.data),
        representative_name=held(form.representative_name.data),
        decision_reference=held(form.decision_reference.data),
        scopes=frozenset(held(form.scopes.data)),
        valid_from=held(form.valid_from.data),
        valid_until=held(form.valid_until.data),
    )


def _decision_to_session(decision: services.LegalDecision) -> dict:
    return {
        "kind": decision.kind,
        "principal_personnummer": decision.principal_personnummer,
        "principal_name": decision.principal_name,
        "representative_personnummer": decision.representative_personnummer,
        "representative_name": decision.representative_name,
        "decision_reference": decision.decision_reference,
        "scopes": sorted(decision.scopes),
        "valid_from": decision.valid_from.isoformat(),
        "valid_until": decision.valid_until.isoformat(),
    }


def _decision_from_session(data: dict) -> services.LegalDecision:

    return services.LegalDecision(
        **{
            **data,
            "scopes": frozenset(data["scopes"]),
            "valid_from": date.fromisoformat(data["valid_from"]),
            "valid_until": date.fromisoformat(data["valid_until"]),
        }
    )


def _admin_page(form=None, refusal=None, status=None):
    form = form or LegalForm(formdata=None)
    record_read("legal_mandates", None, "administrator lists legal representatives")
    failed = bool(form.errors or refusal)
    return _page(
        "mandates/admin.html",
        status or (400 if failed else 200),
        form=form,
        refusal=refusal,
        mandates=services.legal_mandates(),
        button_form=FlaskForm(),
        me=g.actor.id,
        done=session.pop("legal_done", None),
    )


@bp.route("/mandates/admin", methods=["GET", "POST"])
@requires("admin")
def admin():
    """An administrator registers a god man or förvaltare from the överförmyndare's decision, after
    identifying again at the identity provider (step-up); a second administrator approves it."""
    form = LegalForm()
    refusal = None
    if form.validate_on_submit():
        decision = _decision(form)
        try:
            services.check_legal(decision)
        except services.MandateRefused as refused:
            refusal = REFUSAL[refused.reason]
        else:
            return stepup.start(REGISTER, _decision_to_session(decision), "mandates.admin_stepup")
    return _admin_page(form, refusal)


@bp.get("/mandates/admin/step-up")
@requires("admin")
def admin_stepup():
    """Back from the administrator's re-authentication: register, or approve, what was asked for."""
    purpose = stepup.pending_purpose()
    payload = (session.get(stepup.SESSION_KEY) or {}).get("payload") or {}
    try:
        purpose, payload, at = stepup.finish()
    except stepup.StepUpFailed as failed:
        log.warning("legal representative: step-up failed reason=%s", failed.reason)
        form = _typed_form(payload) if purpose == REGISTER else None
        return _admin_page(form, REFUSAL[STAFF_REFUSAL[failed.reason]], status=400)
    try:
        if purpose == REGISTER:
            mandate = services.register_legal(_decision_from_session(payload), _administrator(at))
        elif purpose == APPROVE:
            mandate = services.get(payload.get("mandate_id") or "")
            if mandate is None:
                abort(404)
            services.approve_legal(mandate, _administrator(at))
        else:
            abort(400)
    except services.MandateRefused as refused:
        reason = STAFF_REFUSAL.get(refused.reason, refused.reason)
        return _admin_page(_typed_form(payload) if purpose == REGISTER else None, REFUSAL[reason], status=409)
    session["legal_done"] = {"action": purpose, "reference": mandate.reference}
    return redirect(url_for("mandates.admin"))


def _typed_form(payload: dict) -> LegalForm | None:
    """The registration form again as the administrator typed it (nothing typed is lost)."""
    if not payload:
        return None
    decision = _decision_from_session(payload)
    return LegalForm(
        formdata=None, data={**payload, "valid_from": decision.valid_from, "valid_until": decision.valid_until}
    )


def _legal_mandate(mandate_id: str):
    mandate = services.get(mandate_id)
    if mandate is None or not mandate.is_legal:
        abort(404)
    return mandate


@bp.post("/mandates/admin/<mandate_id>/approve")
@requires("admin")
def admin_approve(mandate_id: str):
    """A second administrator approves: after identifying again, the registration takes effect."""
    mandate = _legal_mandate(mandate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        services.check_approver(mandate, g.actor.id)
    except services.MandateRefused as refused:
        return _admin_page(None, REFUSAL[refused.reason], status=409)
    return stepup.start(APPROVE, {"mandate_id": mandate.id}, "mandates.admin_stepup")


@bp.route("/mandates/admin/<mandate_id>/refuse", methods=["GET", "POST"])
@requires("admin")
def admin_refuse(mandate_id: str):
    """A second administrator refuses the registration, with a reason: it never takes effect."""
    mandate = _legal_mandate(mandate_id)
    form = RefuseForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.refuse_legal(mandate, _administrator(), held(form.reason.data))
        except services.MandateRefused as refused:
            refusal = REFUSAL[refused.reason]
        else:
            session["legal_done"] = {"action": "refuse", "reference": mandate.reference}
            return redirect(url_for("mandates.admin"))
    elif not form.is_submitted() and mandate.registered_by == g.actor.id:
        refusal = REFUSAL["same_administrator"]
    return _page(
        "mandates/refuse.html", 400 if (form.errors or refusal) else 200, form=form, mandate=mandate, refusal=refusal
    )


@bp.post("/mandates/admin/<mandate_id>/end")
@requires("admin")
def admin_end(mandate_id: str):
    mandate = _legal_mandate(mandate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with contextlib.suppress(services.MandateRefused):  # already ended: the list shows it
        services.end_legal(mandate)
    return redirect(url_for("mandates.admin"))
