"""Full OpenID Connect code flow with PKCE against the test identity provider."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def verify_id_token(client, id_token: str, *, issuer: str, audience: str, nonce: str) -> dict:
    jwks = client.get("/jwks").get_json()
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] == jwks["keys"][0]["kid"]
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        auth_time={"essential": True},
    )
    registry.validate(token.claims)
    return token.claims


def test_citizen_code_flow(flow, client, idp_consts):
    auth = flow.citizen()
    page = flow.open(auth).get_data(as_text=True)
    assert "Anders Testsson" in page and "19900602-2397" in page

    before = int(time.time())
    response = flow.submit(auth, {"subject": "199006022397"}, page)
    assert response.status_code == 302
    query = idp_consts.query_of(response.headers["Location"])
    assert query["state"] == auth.state
    code = query["code"]

    token_response = flow.token(auth, code)
    assert token_response.status_code == 200, token_response.get_data(as_text=True)
    assert token_response.headers["Cache-Control"] == "no-store"
    body = token_response.get_json()
    assert body["token_type"].lower() == "bearer"
    assert "refresh_token" not in body

    claims = verify_id_token(client, body["id_token"], issuer=idp_consts.ISSUER, audience="portal", nonce=auth.nonce)
    assert claims[PNR_CLAIM] == "199006022397"
    assert claims["given_name"] == "Anders"
    assert claims["family_name"] == "Testsson"
    assert claims["name"] == "Anders Testsson"
    assert claims["birthdate"] == "1990-06-02"
    assert claims["acr"] == LOA3
    assert claims["auth_time"] >= before
    assert "at_hash" in claims
    # sub is opaque and stable, never the personnummer
    assert "199006022397" not in claims["sub"] and "9006022397" not in claims["sub"]

    second = flow.citizen()
    code2 = flow.login(second, {"subject": "199006022397"})
    body2 = flow.token(second, code2).get_json()
    claims2 = verify_id_token(
        client, body2["id_token"], issuer=idp_consts.ISSUER, audience="portal", nonce=second.nonce
    )
    assert claims2["sub"] == claims["sub"]

    userinfo = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert userinfo.status_code == 200
    info = userinfo.get_json()
    assert info["sub"] == claims["sub"]
    assert info[PNR_CLAIM] == "199006022397"
    assert info["given_name"] == "Anders"


def test_client_secret_post_and_typed_personnummer(flow, client, idp_consts):
    auth = flow.citizen()
    # 10 digits with separator, valid, not in the list of test persons
    code = flow.login(auth, {"personnummer": "931217-2381"})
    response = flow.token(auth, code, post_auth=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    claims = verify_id_token(
        client,
        response.get_json()["id_token"],
        issuer=idp_consts.ISSUER,
        audience="portal",
        nonce=auth.nonce,
    )
    assert claims[PNR_CLAIM] == "199312172381"
    assert claims["birthdate"] == "1993-12-17"
    assert claims["given_name"] and claims["family_name"]


def test_typed_personnummer_matching_a_test_person_uses_its_name(flow, client, idp_consts):
    auth = flow.citizen()
    code = flow.login(auth, {"personnummer": "19961020-2385"})
    claims = verify_id_token(
        client,
        flow.token(auth, code).get_json()["id_token"],
        issuer=idp_consts.ISSUER,
        audience="portal",
        nonce=auth.nonce,
    )
    assert claims["name"] == "Bodil Provsson"


def test_staff_code_flow(flow, client, idp_consts):
    auth = flow.staff()
    page = flow.open(auth).get_data(as_text=True)
    assert "Karin Handläggare" in page
    assert "Caseworker" in page and "0180" in page and "Stockholm" in page
    assert 'name="personnummer"' not in page

    code = flow.login(auth, {"subject": "staff-stockholm-1"})
    body = flow.token(auth, code).get_json()
    claims = verify_id_token(
        client, body["id_token"], issuer=idp_consts.ISSUER, audience="portal-org", nonce=auth.nonce
    )
    assert claims["sub"] == "staff-stockholm-1"
    assert claims["role"] == "caseworker"
    assert claims["municipality_code"] == "0180"
    assert claims["unit"] == "Södermalm"
    assert claims["name"] == "Karin Handläggare"
    assert claims["acr"] == LOA3
    assert PNR_CLAIM not in claims

    info = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.get_json()["role"] == "caseworker"


def test_staff_administrator_has_no_municipality(flow, client, idp_consts):
    auth = flow.staff()
    code = flow.login(auth, {"subject": "staff-admin-1"})
    claims = verify_id_token(
        client,
        flow.token(auth, code).get_json()["id_token"],
        issuer=idp_consts.ISSUER,
        audience="portal-org",
        nonce=auth.nonce,
    )
    assert claims["role"] == "administrator"
    assert "municipality_code" not in claims and "unit" not in claims


def test_wrong_code_verifier_rejected(flow):
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    response = flow.token(auth, code, verifier="x" * 50)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_grant"
    assert "id_token" not in response.get_json()


def test_missing_code_verifier_rejected(flow):
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    response = flow.token(auth, code, verifier="")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_code_is_single_use_and_replay_revokes_tokens(flow, client):
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    first = flow.token(auth, code)
    assert first.status_code == 200
    access_token = first.get_json()["access_token"]

    replay = flow.token(auth, code)
    assert replay.status_code == 400
    assert replay.get_json()["error"] == "invalid_grant"

    info = client.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert info.status_code == 401


def test_code_expires(flow, monkeypatch):
    import devstack.idp.oauth as oauth

    monkeypatch.setattr(oauth, "CODE_LIFETIME_SECONDS", -1)
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    response = flow.token(auth, code)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_grant"


def test_code_bound_to_client_and_redirect_uri(flow):
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    other = flow.staff()
    other.code_verifier = auth.code_verifier
    assert flow.token(other, code).status_code == 400

    auth2 = flow.citizen()
    code2 = flow.login(auth2, {"subject": "199006022397"})
    auth2.redirect_uri = auth2.redirect_uri + "/other"
    assert flow.token(auth2, code2).get_json()["error"] == "invalid_grant"


def test_wrong_client_secret_rejected(flow):
    auth = flow.citizen()
    code = flow.login(auth, {"subject": "199006022397"})
    response = flow.token(auth, code, secret="wrong")
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_userinfo_requires_token(client):
    assert client.get("/userinfo").status_code == 401
    response = client.get("/userinfo", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


@pytest.mark.parametrize("locale_param", [None, "en"])
def test_prompt_none_reuses_idp_session(flow, idp_consts, locale_param):
    auth = flow.citizen(prompt="none", ui_locales=locale_param)
    response = flow.client.get(auth.url)
    assert response.status_code == 302
    assert idp_consts.query_of(response.headers["Location"])["error"] == "login_required"

    flow.login(flow.citizen(), {"subject": "199006022397"})
    silent = flow.citizen(prompt="none")
    response = flow.client.get(silent.url)
    assert response.status_code == 302
    query = idp_consts.query_of(response.headers["Location"])
    assert "code" in query and query["state"] == silent.state

    # a staff client never gets the citizen's session
    staff = flow.staff(prompt="none")
    response = flow.client.get(staff.url)
    assert idp_consts.query_of(response.headers["Location"])["error"] == "login_required"


def test_prompt_login_gives_fresh_auth_time(flow, client, idp_consts, monkeypatch):
    flow.login(flow.citizen(), {"subject": "199006022397"})
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    auth = flow.citizen(prompt="login", max_age="60")
    code = flow.login(auth, {"subject": "199006022397"})
    body = flow.token(auth, code).get_json()
    token = jwt.decode(body["id_token"], KeySet.import_key_set(client.get("/jwks").get_json()))
    assert token.claims["auth_time"] == int(later)
