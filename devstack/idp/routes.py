"""HTTP endpoints of the test identity provider."""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, current_app, jsonify, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from portal.i18n.lazy import _l

from .models import ACR_LOA3, SCOPES_SUPPORTED, EndUser, Identity
from .oauth import released_claims
from .persons import (
    PNR_CLAIM,
    UNKNOWN_FAMILY_NAME,
    UNKNOWN_GIVEN_NAME,
    Person,
    PersonnummerError,
    StaffMember,
    citizen_identity,
    load_persons,
    load_staff,
    municipality_names,
    normalize_personnummer,
    staff_identity,
)

if TYPE_CHECKING:
    from . import IdpState
    from .models import Client

log = logging.getLogger(__name__)

bp = Blueprint("idp", __name__)

ROLE_LABELS = {
    "caseworker": _l("Caseworker"),
    "administrator": _l("Administrator"),
}

PNR_ERRORS = {
    "checksum": _l("The personnummer has the wrong check digit (the last digit). Check the number and try again."),
    "date": _l("The personnummer does not contain a valid date of birth."),
    "format": _l("Enter the personnummer with 12 digits: year, month, day and four digits."),
}

CLAIMS_SUPPORTED = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "at_hash",
    "name", "given_name", "family_name", "birthdate", PNR_CLAIM,
    "role", "municipality_code", "unit",
]  # fmt: skip


def idp() -> IdpState:
    return current_app.extensions["test_idp"]


# -- discovery ---------------------------------------------------------------------------------


@bp.get("/.well-known/openid-configuration")
def openid_configuration():
    issuer = idp().issuer
    return jsonify(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/end_session",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "claims_supported": CLAIMS_SUPPORTED,
            "acr_values_supported": sorted({ACR_LOA3, *(c.acr for c in idp().clients.values())}),
            "prompt_values_supported": ["none", "login"],
            "ui_locales_supported": ["sv", "en", "ar"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
        }
    )


@bp.get("/jwks")
def jwks():
    key = idp().key
    return jsonify({"keys": [key.as_dict(private=False)]})


# -- authorization endpoint --------------------------------------------------------------------


@dataclass
class FormState:
    selected: str = ""
    typed_personnummer: str = ""
    errors: list[tuple[str, str]] | None = None  # (field id, message)


def _current_login(client: Client | None) -> EndUser | None:
    """The IdP session's user, if it may be reused silently (prompt=none)."""
    if client is None or "sid" not in session:
        return None
    end_user = idp().store.get_login(session["sid"])
    if end_user is None or end_user.identity.kind != client.kind:
        return None
    if "login" in request.args.get("prompt", "").split():
        return None
    max_age = request.args.get("max_age", "")
    if max_age.isdigit() and time.time() - end_user.auth_time > int(max_age):
        return None
    return end_user


def _start_login(end_user: EndUser) -> None:
    state = idp()
    old_sid = session.get("sid")
    if old_sid:
        state.store.delete_login(old_sid)
    sid = secrets.token_urlsafe(32)
    state.store.save_login(sid, end_user)
    session["sid"] = sid


def end_idp_session(end_session_request=None) -> None:
    """Forget the IdP's own login session (called by the end_session endpoint)."""
    sid = session.get("sid")
    if sid:
        idp().store.delete_login(sid)
    session.clear()
    claims = getattr(end_session_request, "id_token_claims", None) or {}
    log.info("IdP session ended sub=%s", claims.get("sub", "-"))


def _authorize_error_page(error: OAuth2Error | None):
    """A request that must not be redirected back: explain it on our own page."""
    state = idp()
    client = state.clients.get(request.values.get("client_id", ""))
    redirect_uri = request.values.get("redirect_uri")
    if client is None:
        message = _(
            "The service that sent you here is not registered with this test identity "
            "provider. Go back to the service and try again."
        )
    elif not redirect_uri or not client.check_redirect_uri(redirect_uri):
        message = _(
            "The return address in the login request is not registered for this service, "
            "so you were not sent back. Go back to the service and try again."
        )
    else:
        message = _("The login request from the service is not valid.")
    detail = f"{error.error}: {error.description}" if error is not None else None
    log.info(
        "Rejected authorization request client=%s error=%s",
        request.values.get("client_id", "-"),
        error.error if error is not None else "invalid_request",
    )
    return render_template("idp/error.html", message=message, detail=detail), 400


def _oauth_error(error: OAuth2Error):
    if error.redirect_uri:
        # authlib only sets redirect_uri after validating it against the client.
        return idp().server.handle_error_response(None, error)
    return _authorize_error_page(error)


def _persons_or_staff(client: Client) -> list[Person] | list[StaffMember]:
    state = idp()
    if client.kind == "citizen":
        return load_persons(state.persons_dir)
    return load_staff(state.staff_file)


def _staff_description(member: StaffMember) -> str:
    parts = [str(ROLE_LABELS.get(member.role, member.role))]
    if member.municipality_code:
        name = municipality_names().get(member.municipality_code)
        if name:
            parts.append(
                _(
                    "%(municipality)s (municipality code %(code)s)",
                    municipality=name,
                    code=member.municipality_code,
                )
            )
        else:
            parts.append(_("municipality code %(code)s", code=member.municipality_code))
    if member.unit:
        parts.append(_("unit %(unit)s", unit=member.unit))
    return ", ".join(parts)


USER_MESSAGE = "https://id.oidc.se/param/userMessage"


def _user_message() -> str | None:
    """The OIDC Sweden profile's ``userMessage`` request parameter: what the person is about to
    sign, shown before they identify (in their language if given, else the first one)."""
    raw = request.args.get(USER_MESSAGE)
    if not raw:
        return None
    try:
        messages = json.loads(raw).get("message") or {}
    except (ValueError, AttributeError):
        return None
    if not isinstance(messages, dict) or not messages:
        return None
    language = str(get_locale() or "sv")[:2]
    text = messages.get(language) or next(iter(messages.values()))
    return str(text)[:1000] if text else None


def _render_picker(client: Client, form: FormState, status: int = 200):
    entries = _persons_or_staff(client)
    choices = []
    for index, entry in enumerate(entries, start=1):
        if isinstance(entry, Person):
            value, description = entry.personnummer, entry.formatted_personnummer
        else:
            value, description = entry.sub, _staff_description(entry)
        choices.append(
            {
                "id": f"subject-{index}",
                "value": value,
                "label": entry.name,
                "description": description,
                "checked": value == form.selected,
            }
        )
    errors = form.errors or []
    error_fields = {field for field, _message in errors}
    return (
        render_template(
            "idp/authorize.html",
            kind=client.kind,
            choices=choices,
            form=form,
            errors=errors,
            error_fields=error_fields,
            action=request.script_root + request.full_path,
            user_message=_user_message(),
            csrf_token=generate_csrf(),
        ),
        status,
    )


def _resolve_identity(client: Client, form: FormState) -> Identity | None:
    """Read the posted choice; on problems fill ``form.errors`` and return None."""
    state = idp()
    errors: list[tuple[str, str]] = []
    form.errors = errors
    entries = _persons_or_staff(client)
    first_choice = "subject-1" if entries else "personnummer"

    if client.kind == "staff":
        member = next((m for m in entries if m.sub == form.selected), None)
        if form.typed_personnummer or member is None:
            errors.append((first_choice if entries else "submit", _("Choose a staff member in the list.")))
            return None
        return staff_identity(member)

    if form.selected and form.typed_personnummer:
        errors.append(
            (
                "personnummer",
                _("Either choose a test person in the list or enter a personnummer, not both."),
            )
        )
        return None
    if form.typed_personnummer:
        try:
            pnr = normalize_personnummer(form.typed_personnummer)
        except PersonnummerError as exc:
            errors.append(("personnummer", str(PNR_ERRORS[exc.reason])))
            return None
        person = next((p for p in entries if p.personnummer == pnr), None)
        if person is None:
            person = Person(pnr, UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
        return citizen_identity(state.issuer, person)
    if form.selected:
        person = next((p for p in entries if p.personnummer == form.selected), None)
        if person is None:
            # The file may have gone since the page was shown; a valid number still works.
            try:
                pnr = normalize_personnummer(form.selected)
            except PersonnummerError:
                errors.append((first_choice, _("That test person is not available. Choose again.")))
                return None
            person = Person(pnr, UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
        return citizen_identity(state.issuer, person)
    errors.append((first_choice, _("Choose a test person or enter a personnummer.")))
    return None


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    state = idp()
    server = state.server
    requested_client = state.clients.get(request.values.get("client_id", ""))
    end_user = _current_login(requested_client) if request.method == "GET" else None
    try:
        grant = server.get_consent_grant(end_user=end_user)
    except OAuth2Error as error:
        return _oauth_error(error)
    except ValueError:  # e.g. characters authlib refuses to put in an error description
        return _authorize_error_page(None)
    client: Client = grant.client

    if request.method == "GET":
        if end_user is not None and "none" in request.args.get("prompt", "").split():
            log.info(
                "Silent login (prompt=none) client=%s sub=%s",
                client.client_id,
                end_user.identity.sub,
            )
            return server.create_authorization_response(grant=grant, grant_user=end_user)
        return _render_picker(client, FormState())

    form = FormState(
        selected=request.form.get("subject", "").strip(),
        typed_personnummer=request.form.get("personnummer", "").strip()[:40],
    )
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        form.errors = [("submit", _("The page had expired, so nothing was sent. Please try again."))]
        return _render_picker(client, form, 400)

    if request.form.get("action") == "cancel":
        log.info("Login cancelled client=%s", client.client_id)
        return server.create_authorization_response(grant=grant, grant_user=None)

    identity = _resolve_identity(client, form)
    if identity is None:
        return _render_picker(client, form, 400)

    end_user = EndUser(identity=identity, auth_time=int(time.time()))
    _start_login(end_user)
    log.info("Test login client=%s kind=%s sub=%s", client.client_id, identity.kind, identity.sub)
    return server.create_authorization_response(grant=grant, grant_user=end_user)


# -- token, userinfo, logout -------------------------------------------------------------------


@bp.post("/token")
def token():
    server = idp().server
    try:
        return server.create_token_response()
    except OAuth2Error as error:  # e.g. insecure_transport, raised before authlib's own handling
        return server.handle_error_response(None, error)


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo():
    with idp().resource_protector.acquire("openid") as access_token:
        return jsonify(released_claims(access_token.end_user.identity.claims, access_token.scope))


@bp.route("/end_session", methods=["GET", "POST"])
def end_session():
    server = idp().server
    try:
        end_session_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        # Never redirect after an invalid logout request; log out locally anyway.
        log.info("Invalid end_session request: %s", error.error)
        end_idp_session()
        return render_template("idp/logged_out.html")
    response = server.create_endpoint_response("end_session", end_session_request)
    return response or render_template("idp/logged_out.html")


__all__ = ["bp", "end_idp_session"]
