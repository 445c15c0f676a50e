"""The OIDC Sweden profile in the portal (issue 12, points 1 and 2), against the test IdP speaking the
same profile: scopes, UserInfo, acr asked for and enforced, private_key_jwt, id_token_hint at
logout, and signing with prompt=login, max_age=0 and a user message the IdP shows."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc.jwk import RSAKey

from devstack.stack import Stack
from portal import create_app
from portal.auth import oidc
from portal.i18n.services import SUPPORTED
from tests import factories
from tests.conftest import PORTAL_BASE, IsolatedClient
from tests.support import at_idp, csrf_from, free_port, idp_login, soup, sv

APPLICANT = "199006022397"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"


def _query(response) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}


def _portal(config):
    app = create_app(config)
    app.config["TESTING"] = True
    app.test_client_class = IsolatedClient
    return app


# --- what the portal asks for ---------------------------------------------------------------------


def test_the_citizen_login_asks_for_the_swedish_scopes_and_loa3(client):
    query = _query(client.get("/auth/login"))
    assert query["scope"].split() == ["openid", oidc.NATURAL_PERSON_NUMBER, oidc.NATURAL_PERSON_INFO]
    assert query["acr_values"] == oidc.LOA3


def test_login_gets_the_personnummer_under_its_scope_and_the_names_under_theirs(client):
    from sqlalchemy import select

    from portal.auth.models import Person
    from portal.extensions import db

    assert idp_login(client, "/auth/login", {"subject": APPLICANT}).status_code == 302
    person = db.session.scalar(select(Person))
    assert person.personnummer == APPLICANT and person.given_name == "Anders"


def test_without_the_person_number_scope_the_login_is_refused(config, caplog):
    app = _portal(replace(config, citizen_scopes="openid"))
    with app.app_context():
        response = idp_login(app.test_client(), "/auth/login", {"subject": APPLICANT})
    assert response.status_code == 400
    assert "reason=invalid_personnummer" in caplog.text and APPLICANT not in caplog.text


def test_a_lower_acr_than_required_is_refused_and_logged_without_the_personnummer(config, caplog):
    caplog.set_level(logging.INFO)
    app = _portal(replace(config, citizen_acr=LOA4))  # the test IdP answers loa3
    with app.app_context():
        browser = app.test_client()
        assert _query(browser.get("/auth/login"))["acr_values"] == LOA4
        response = idp_login(browser, "/auth/login", {"subject": APPLICANT})
        assert response.status_code == 400
        assert browser.get("/overview").status_code == 302  # not logged in
    assert "reason=acr_too_low" in caplog.text
    assert APPLICANT not in caplog.text and "19900602" not in caplog.text


@pytest.mark.parametrize(
    ("returned", "required", "enough"),
    [
        (oidc.LOA3, oidc.LOA3, True),
        (LOA4, oidc.LOA3, True),
        (LOA2, oidc.LOA3, False),
        (None, oidc.LOA3, False),
        ("http://id.elegnamnden.se/loa/1.0/uncertified-loa3", oidc.LOA3, False),
        ("http://id.elegnamnden.se/loa/1.0/eidas-sub", oidc.LOA3, True),
        (None, "", True),
    ],
)
def test_assurance_levels_are_ranked(returned, required, enough):
    assert oidc.acr_sufficient(returned, required) is enough


def test_userinfo_is_merged_only_for_the_same_subject():
    id_claims = {"sub": "abc", "acr": oidc.LOA3, "given_name": "Signed"}
    same = oidc.merge_userinfo(id_claims, {"sub": "abc", "given_name": "Other", "family_name": "Extra"})
    assert same == {"sub": "abc", "acr": oidc.LOA3, "given_name": "Signed", "family_name": "Extra"}
    assert oidc.merge_userinfo(id_claims, {"sub": "someone-else", "family_name": "X"}) == id_claims
    assert oidc.merge_userinfo(id_claims, {"family_name": "X"}) == id_claims


def test_logout_sends_the_id_token_kept_on_the_server_and_the_idp_accepts_it(client, live_services):
    idp_login(client, "/auth/login", {"subject": APPLICANT})
    assert "id_token" not in (client.get_cookie("portal_session").value)
    response = client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/overview"))})
    query = _query(response)
    assert response.location.startswith(live_services["idp_url"])
    assert query["id_token_hint"].count(".") == 2  # a JWT: the ID token of this login
    at_idp = requests.get(response.location, allow_redirects=False, timeout=10)
    assert at_idp.status_code in (302, 303) and at_idp.headers["Location"].endswith("/auth/logged-out")


# --- signing ----------------------------------------------------------------------------------------


def test_signing_asks_for_a_fresh_login_with_a_user_message_the_idp_shows(client, app):
    from flask_babel import force_locale, format_date

    idp_login(client, "/auth/login", {"subject": APPLICANT})
    draft = factories.draft(APPLICANT)
    path = f"/applications/{draft.id}"
    check = client.get(f"{path}/check")
    notice = soup(check).find(id="signature-notice")
    assert notice is not None and sv("This is a signature.") in notice.get_text()
    response = client.post(f"{path}/submit", data={"csrf_token": csrf_from(check), "confirm": "y"})
    query = _query(response)
    assert query["prompt"] == "login" and query["max_age"] == "0" and query["acr_values"] == oidc.LOA3
    message = json.loads(query[oidc.USER_MESSAGE])
    with app.test_request_context(), force_locale("sv"):
        month = format_date(draft.period, "LLLL yyyy")
    expected = sv("I sign my application for ekonomiskt bistånd for %(month)s.", month=month)
    assert message["message"]["sv"] == expected and set(message["message"]) == set(SUPPORTED)
    assert expected.startswith("Jag skriver under")
    assert message["mime_type"] == "text/plain"
    assert expected in notice.get_text()  # the portal said beforehand what the IdP will show
    page = requests.get(response.location, timeout=10)
    assert soup(page.text).find(id="user-message") is not None and expected in page.text


def test_signing_is_refused_when_the_acr_is_too_low(config):
    from sqlalchemy import select

    from portal.application.models import Application
    from portal.extensions import db

    app = _portal(config)
    with app.app_context():
        browser = app.test_client()
        idp_login(browser, "/auth/login", {"subject": APPLICANT})
        path = f"/applications/{factories.draft(APPLICANT).id}"
        check = browser.get(f"{path}/check")
        response = browser.post(f"{path}/submit", data={"csrf_token": csrf_from(check), "confirm": "y"})
        # The requirement rises between login and signature: the loa3 answer is now too low.
        app.config["PORTAL"].citizen_acr = LOA4
        done = at_idp(browser, response, {"subject": APPLICANT})
        assert done.status_code == 400
        assert db.session.scalar(select(Application)).status == "draft"


# --- private_key_jwt ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_key(tmp_path_factory):
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    path = tmp_path_factory.mktemp("keys") / "citizen.pem"
    path.write_bytes(key.as_pem(private=True))
    return key, path


@pytest.fixture(scope="module")
def pkjwt_idp(portal_key):
    """A test IdP whose citizen client authenticates with private_key_jwt only (the portal's public key)."""
    from devstack.idp import create_idp_app

    key, _path = portal_key
    url = f"http://127.0.0.1:{free_port()}"
    clients = [
        {
            "client_id": "portal-pkjwt",
            "kind": "citizen",
            "token_endpoint_auth_method": "private_key_jwt",
            "client_secret": "not-accepted-for-this-client",
            "jwks": {"keys": [key.as_dict(private=False)]},
            "redirect_uris": [f"{PORTAL_BASE}/auth/callback/citizen", f"{PORTAL_BASE}/auth/sign/callback"],
            "post_logout_redirect_uris": [f"{PORTAL_BASE}/auth/logged-out"],
        }
    ]
    stack = Stack()
    stack.add(create_idp_app(issuer=url, clients=clients), "127.0.0.1", int(url.rsplit(":", 1)[1]))
    yield url
    stack.shutdown()


def test_private_key_jwt_login_and_the_published_jwks(config, pkjwt_idp, portal_key):
    key, path = portal_key
    app = _portal(
        replace(
            config,
            citizen_idp_url=pkjwt_idp,
            citizen_client_id="portal-pkjwt",
            citizen_client_auth="private_key_jwt",
            citizen_private_key_path=path,
        )
    )
    with app.app_context():
        browser = app.test_client()
        published = browser.get("/auth/jwks.json").get_json()
        assert [k["kid"] for k in published["keys"]] == [key.kid]
        assert all("d" not in k for k in published["keys"])  # public halves only
        assert idp_login(browser, "/auth/login", {"subject": APPLICANT}).status_code == 302
        assert browser.get("/overview").status_code == 200


def test_private_key_jwt_with_another_key_or_a_secret_is_refused(config, pkjwt_idp, tmp_path):
    other = tmp_path / "other.pem"
    other.write_bytes(RSAKey.generate_key(2048, private=True, auto_kid=True).as_pem(private=True))
    for settings in (
        {"citizen_client_auth": "private_key_jwt", "citizen_private_key_path": other},
        {"citizen_client_secret": "not-accepted-for-this-client"},
    ):
        app = _portal(replace(config, citizen_idp_url=pkjwt_idp, citizen_client_id="portal-pkjwt", **settings))
        with app.app_context():
            assert idp_login(app.test_client(), "/auth/login", {"subject": APPLICANT}).status_code == 400


def test_without_private_key_jwt_the_portal_publishes_no_keys(client):
    assert client.get("/auth/jwks.json").get_json() == {"keys": []}
