from __future__ import annotations

import logging
from typing import cast
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from joserfc.errors import JoseError
from stdnum.se import personnummer as pnr

from portal.audit.services import record_and_commit
from portal.auth import oidc
from portal.auth.access import requires
from portal.auth.actor import CITIZEN, STAFF
from portal.auth.forms import EndSessionsForm
from portal.auth.models import Person
from portal.auth.services import LoginRefused, citizen_from_claims, end_all_sessions, safe_next, staff_from_claims
from portal.auth.session import rotate_session, seconds_left, start_session
from portal.auth.signing import finish_step_up
from portal.extensions import db, oauth
from portal.i18n.routes import remember_person_language

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, url_prefix="/auth")

CLIENTS = {"citizen": CITIZEN, "staff": STAFF}
HOME = {CITIZEN: "application.overview", STAFF: "municipality.home"}


def _client(kind: str):
    return oauth.create_client(kind)


def _redirect_uri(kind: str) -> str:
    config = current_app.config["PORTAL"]
    return config.base_url + url_for("auth.callback", kind=kind)


def _login(kind: str):
    session["after_login"] = safe_next(request.args.get("next"), "")
    return _client(kind).authorize_redirect(_redirect_uri(kind), ui_locales=str(get_locale()))


@bp.get("/login")
@requires("public")
def login():
    return _login("citizen")


@bp.get("/staff/login")
@requires("public")
def staff_login():
    return _login("staff")


@bp.get("/callback/<any(citizen, staff):kind>")
@requires("public")
def callback(kind: str):
    after_login = session.get("after_login") or ""
    try:
        if "error" in request.args:
            raise LoginRefused(request.args["error"][:40])
        claims, token = oidc.complete(kind)
        actor = citizen_from_claims(claims) if kind == "citizen" else staff_from_claims(claims)
    except (OAuthError, JoseError, LoginRefused, oidc.AcrTooLow, oidc.NoIdToken, ValueError, KeyError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "error", None) or type(exc).__name__
        log.warning("login refused kind=%s reason=%s", kind, reason)
        db.session.rollback()
        return render_template("auth/login_failed.html", kind=kind, reason=reason), 400
    choose_whom = False
    if kind == "citizen":
        # portal.application and portal.mandates sit above this layer (ignore_imports in pyproject.toml)
        from portal.application.services import link_memberships
        from portal.mandates import services as mandates

        person = db.session.get_one(Person, actor.id)
        link_memberships(person)
        mandates.link_person(person)
        # Someone who may act for others (or is asked to) chooses whose affairs to handle first.
        choose_whom = bool(mandates.in_force_for(person.id) or mandates.invitations(person.id))
    start_session(actor, id_token=token.get("id_token"))
    if kind == "citizen":
        assert actor.id is not None  # a citizen's actor always carries the person id
        remember_person_language(actor.id)
    g.actor = actor
    g.subject_id = actor.id if kind == "citizen" else None
    # The links above join this transaction too.
    record_and_commit("login", "session", None, "login", subject_id=g.subject_id)
    target = safe_next(after_login, url_for(HOME[actor.kind]))
    if choose_whom:
        return redirect(url_for("mandates.choose", next=target))
    return redirect(target)


@bp.get("/sign/callback")
@requires("sign")
def sign_callback():
    """Back from a step-up authentication: signing an application or an appeal, or granting a mandate."""
    # A step-up changes what the session may do: it goes on under a new id.
    rotate_session()
    return finish_step_up()


@bp.post("/logout")
@requires("authenticated")
def logout():
    kind = "staff" if g.actor.kind == STAFF else "citizen"
    record_and_commit("logout", "session", None, "logout", subject_id=g.subject_id)
    id_token = session.get("id_token")
    session.clear()  # the session is deleted on the server: its cookie opens nothing any more
    config = current_app.config["PORTAL"]
    client = _client(kind)
    metadata = client.load_server_metadata()
    params = {
        "client_id": client.client_id,
        "post_logout_redirect_uri": config.base_url + url_for("auth.logged_out"),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return redirect(f"{metadata['end_session_endpoint']}?{urlencode(params)}")


@bp.get("/jwks.json")
@requires("public")
def jwks():
    """The public keys of the portal's private_key_jwt clients (none when both use client secrets)."""
    return jsonify(oidc.public_jwks())


@bp.get("/logged-out")
@requires("public")
def logged_out():
    return render_template("auth/logged_out.html")


@bp.get("/session-expired")
@requires("public")
def session_expired():
    return render_template("auth/session_expired.html")


@bp.post("/keepalive")
@requires("authenticated")
def keepalive():
    """Activity from the timeout warning's "stay logged in" button."""
    if request.headers.get("HX-Request") or request.accept_mimetypes.best == "application/json":
        return jsonify(seconds_left=seconds_left())
    return redirect(safe_next(request.form.get("next"), url_for(HOME[g.actor.kind])))


@bp.get("/session-status")
@requires("authenticated")
def session_status():
    return jsonify(seconds_left=seconds_left())


@bp.route("/admin/sessions", methods=["GET", "POST"])
@requires("admin")
def end_sessions():
    """An administrator ends every session of a person at once (a lost phone, a caseworker who left)."""

    form = EndSessionsForm()
    ended = unknown = None
    if form.validate_on_submit():
        assert form.identity.data is not None  # DataRequired held
        compact = form.identity.data.replace("-", "").replace("+", "").strip()
        if compact.isdigit() and not (len(compact) == 12 and pnr.is_valid(compact)):
            cast(list, form.identity.errors).append(
                _("Enter a personnummer with 12 digits (ÅÅÅÅMMDDNNNN), or a staff identity.")
            )
        else:
            ended = end_all_sessions(form.identity.data)
            unknown = ended is None
    status = 400 if form.errors else 200
    return render_template("auth/end_sessions.html", form=form, ended=ended, unknown=unknown), status
