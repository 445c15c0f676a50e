"""Authorization request validation, the picker page, logout, discovery, i18n, logging."""

from __future__ import annotations

import logging
import re
from collections import Counter
from urllib.parse import urlencode

import pytest
from joserfc.jwk import KeySet

from devstack.idp import create_idp_app

PNR = "199006022397"


# -- discovery ---------------------------------------------------------------------------------


def test_discovery_document(client, idp_consts):
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    doc = response.get_json()
    issuer = idp_consts.ISSUER
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/authorize"
    assert doc["token_endpoint"] == f"{issuer}/token"
    assert doc["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert doc["jwks_uri"] == f"{issuer}/jwks"
    assert doc["end_session_endpoint"] == f"{issuer}/end_session"
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "openid" in doc["scopes_supported"]
    assert "https://id.oidc.se/claim/personalIdentityNumber" in doc["claims_supported"]
    assert {"role", "municipality_code", "nonce", "acr"} <= set(doc["claims_supported"])
    assert doc["acr_values_supported"] == ["http://id.elegnamnden.se/loa/1.0/loa3"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    }
    assert {"https://id.oidc.se/scope/naturalPersonNumber", "https://id.oidc.se/scope/naturalPersonInfo"} <= set(
        doc["scopes_supported"]
    )


def test_jwks_publishes_public_key_with_kid(client):
    jwks = client.get("/jwks").get_json()
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    KeySet.import_key_set(jwks)


def test_generated_key_when_none_given(persons_dir, staff_file, idp_consts):
    app = create_idp_app("http://localhost/", idp_consts.CLIENTS, persons_dir, staff_file)
    client = app.test_client()
    assert client.get("/.well-known/openid-configuration").get_json()["issuer"] == ("http://localhost")
    assert client.get("/jwks").get_json()["keys"][0]["kid"]


# -- invalid authorization requests ------------------------------------------------------------


def test_unregistered_redirect_uri_is_not_redirected_to(flow):
    auth = flow.citizen()
    auth.redirect_uri = "https://evil.example/callback"
    response = flow.client.get(auth.url)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "return address" in response.get_data(as_text=True)
    # the POST is validated as well
    response = flow.client.post(auth.url, data={"action": "login", "subject": PNR})
    assert response.status_code == 400 and "Location" not in response.headers


def test_missing_redirect_uri_is_an_error_page(flow):
    auth = flow.citizen()
    params = auth.params()
    del params["redirect_uri"]
    response = flow.client.get("/authorize?" + urlencode(params))
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_unknown_client_is_an_error_page(flow):
    auth = flow.citizen()
    auth.client_id = "nobody"
    response = flow.client.get(auth.url)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "not registered" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"nonce": None}, "invalid_request"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_invalid_request_with_registered_redirect_goes_back_with_error(flow, idp_consts, override, error):
    auth = flow.citizen(**override)
    response = flow.client.get(auth.url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(idp_consts.CITIZEN_REDIRECT + "?")
    query = idp_consts.query_of(location)
    assert query["error"] == error
    assert query["state"] == auth.state
    assert "code" not in query


# -- the picker form ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("199006022398", "wrong check digit"),
        ("199013022397", "valid date of birth"),
        ("12345", "12 digits"),
    ],
)
def test_bad_personnummer_shows_error_and_keeps_value(flow, value, message):
    auth = flow.citizen()
    response = flow.submit(auth, {"personnummer": value})
    assert response.status_code == 400
    assert "Location" not in response.headers
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{value}"' in html
    assert 'aria-invalid="true"' in html
    # the error summary comes before the form and links to the field
    assert html.index('href="#personnummer"') < html.index("<form")
    assert "Error:" in re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_no_choice_is_an_error(flow):
    response = flow.submit(flow.citizen(), {})
    assert response.status_code == 400
    assert "Choose a test person or enter a personnummer." in response.get_data(as_text=True)


def test_choice_and_typed_number_together_is_an_error(flow):
    response = flow.submit(flow.citizen(), {"subject": PNR, "personnummer": "199610202385"})
    assert response.status_code == 400


def test_staff_client_cannot_log_in_a_citizen(flow):
    auth = flow.staff()
    for form in ({"subject": PNR}, {"personnummer": PNR}, {"subject": "nobody"}):
        response = flow.submit(auth, form)
        assert response.status_code == 400, form
        assert "Location" not in response.headers
        assert "Choose a staff member in the list." in response.get_data(as_text=True)


def test_chosen_person_whose_file_is_gone_still_logs_in_with_a_valid_number(flow):
    auth = flow.citizen()
    page = flow.open(auth).get_data(as_text=True)
    response = flow.submit(auth, {"subject": "195005050512"}, page)  # not in the list
    assert response.status_code == 302


def test_citizen_client_cannot_log_in_staff(flow):
    response = flow.submit(flow.citizen(), {"subject": "staff-stockholm-1"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_post_without_csrf_token_is_refused(flow):
    auth = flow.citizen()
    flow.open(auth)
    response = flow.client.post(auth.url, data={"action": "login", "subject": PNR})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "expired" in response.get_data(as_text=True)


def test_cancel_returns_access_denied_with_state(flow, idp_consts):
    auth = flow.citizen()
    response = flow.submit(auth, {"action": "cancel"})
    assert response.status_code == 302
    query = idp_consts.query_of(response.headers["Location"])
    assert response.headers["Location"].startswith(idp_consts.CITIZEN_REDIRECT + "?")
    assert query["error"] == "access_denied"
    assert query["state"] == auth.state
    assert "code" not in query


def test_empty_or_missing_persons_dir(tmp_path, staff_file, idp_consts, signing_key_pem, make_flow):
    broken = tmp_path / "persons"
    broken.mkdir()
    (broken / "broken.json").write_text("{not json", encoding="utf-8")
    (broken / "no-person.json").write_text('{"slug": "x"}', encoding="utf-8")
    (broken / "bad-number.json").write_text(
        '{"person": {"personnummer": "199006022398", "given_name": "A", "family_name": "B"}}',
        encoding="utf-8",
    )
    for directory in (broken, tmp_path / "does-not-exist"):
        app = create_idp_app(
            idp_consts.ISSUER,
            idp_consts.CLIENTS,
            directory,
            staff_file,
            signing_key_pem=signing_key_pem,
        )
        flow = make_flow(app)
        html = flow.open(flow.citizen()).get_data(as_text=True)
        assert 'type="radio"' not in html
        assert 'id="personnummer"' in html
        assert flow.login(flow.citizen(), {"personnummer": PNR})


# -- logout ------------------------------------------------------------------------------------


def _login_and_get_id_token(flow, auth, subject=PNR):
    code = flow.login(auth, {"subject": subject})
    return flow.token(auth, code).get_json()["id_token"]


def _session_cookie(client):
    return client.get_cookie("test_idp_session")


def test_end_session_redirects_to_registered_uri_with_state(flow, idp_consts):
    id_token = _login_and_get_id_token(flow, flow.citizen())
    assert _session_cookie(flow.client) is not None
    response = flow.client.get(
        "/end_session?"
        + urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT,
                "state": "bye",
            }
        )
    )
    assert response.status_code == 302
    assert response.headers["Location"] == idp_consts.CITIZEN_LOGOUT + "?state=bye"
    assert _session_cookie(flow.client) is None
    # the IdP session is gone: prompt=none needs a new login
    silent = flow.client.get(flow.citizen(prompt="none").url)
    assert idp_consts.query_of(silent.headers["Location"])["error"] == "login_required"


def test_end_session_by_post(flow, idp_consts):
    id_token = _login_and_get_id_token(flow, flow.citizen())
    response = flow.client.post(
        "/end_session",
        data={"id_token_hint": id_token, "post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == idp_consts.CITIZEN_LOGOUT


@pytest.mark.parametrize(
    "redirect",
    ["https://evil.example/", "http://localhost:5000/org/logged-out", None],
)
def test_end_session_never_redirects_to_unregistered_uri(flow, redirect):
    # the org client's URI is registered, but not for the client the hint was issued to
    id_token = _login_and_get_id_token(flow, flow.citizen())
    params = {"id_token_hint": id_token, "state": "s"}
    if redirect:
        params["post_logout_redirect_uri"] = redirect
    response = flow.client.get("/end_session?" + urlencode(params))
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert "You are logged out" in response.get_data(as_text=True)
    assert _session_cookie(flow.client) is None


def test_end_session_without_or_with_bad_hint_does_not_redirect(flow, idp_consts):
    for hint in (None, "not-a-jwt"):
        params = {"post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT}
        if hint:
            params["id_token_hint"] = hint
        response = flow.client.get("/end_session?" + urlencode(params))
        assert response.status_code == 200
        assert "Location" not in response.headers


def test_end_session_with_client_id_instead_of_hint(flow, idp_consts):
    """The portal does not keep the ID token: client_id plus a URI registered for it."""
    flow.login(flow.citizen(), {"subject": PNR})
    response = flow.client.get(
        "/end_session?" + urlencode({"client_id": "portal", "post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT})
    )
    assert response.status_code == 302
    assert response.headers["Location"] == idp_consts.CITIZEN_LOGOUT
    assert _session_cookie(flow.client) is None
    # a URI registered only for another client, or an unknown client: no redirect
    for params in (
        {"client_id": "portal", "post_logout_redirect_uri": idp_consts.STAFF_LOGOUT},
        {"client_id": "nobody", "post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT},
    ):
        response = flow.client.get("/end_session?" + urlencode(params))
        assert response.status_code == 200 and "Location" not in response.headers


def test_end_session_client_id_must_match_hint(flow, idp_consts):
    id_token = _login_and_get_id_token(flow, flow.citizen())
    response = flow.client.get(
        "/end_session?"
        + urlencode(
            {
                "id_token_hint": id_token,
                "client_id": "portal-org",
                "post_logout_redirect_uri": idp_consts.STAFF_LOGOUT,
            }
        )
    )
    assert "Location" not in response.headers


def test_end_session_rejects_hint_from_another_issuer(
    flow, idp_consts, persons_dir, staff_file, signing_key_pem, make_flow
):
    # same key, different issuer: the signature verifies but the issuer does not match
    other = create_idp_app(
        "http://other.localhost",
        idp_consts.CLIENTS,
        persons_dir,
        staff_file,
        signing_key_pem=signing_key_pem,
    )
    id_token = _login_and_get_id_token(make_flow(other), flow.citizen())
    response = flow.client.get(
        "/end_session?" + urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": idp_consts.CITIZEN_LOGOUT})
    )
    assert "Location" not in response.headers


# -- i18n, accessibility basics, security headers ----------------------------------------------


def _html_root(html):
    return re.search(r"<html lang=\"([a-z]+)\" dir=\"(ltr|rtl)\">", html).groups()


def test_locale_from_ui_locales_then_accept_language(flow):
    no_preference = {"Accept-Language": ""}
    assert _html_root(flow.open(flow.citizen(), headers=no_preference).get_data(as_text=True)) == (
        "sv",
        "ltr",
    )
    assert _html_root(flow.open(flow.citizen(ui_locales="ar")).get_data(as_text=True)) == (
        "ar",
        "rtl",
    )
    assert _html_root(flow.open(flow.citizen(ui_locales="de en-GB")).get_data(as_text=True)) == (
        "en",
        "ltr",
    )
    page = flow.open(flow.citizen(), headers={"Accept-Language": "en-US,en;q=0.8"})
    assert _html_root(page.get_data(as_text=True)) == ("en", "ltr")
    # ui_locales wins over Accept-Language, and survives the POST (it is in the form action)
    auth = flow.citizen(ui_locales="ar")
    response = flow.submit(auth, {"personnummer": "1"})
    assert _html_root(response.get_data(as_text=True)) == ("ar", "rtl")


def _check_page(response):
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert html.count("<h1") == 1
    assert html.count("<main") == 1
    assert re.search(r"<title>[^<]*Test[^<]*</title>", html)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    # every visible input has a label
    for input_id in re.findall(r'<input(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html):
        assert f'<label for="{input_id}"' in html, input_id
    assert "<fieldset" not in html or "<legend>" in html
    return html


def test_pages_meet_basic_accessibility_and_csp(flow, idp_consts):
    _check_page(flow.open(flow.citizen()))
    _check_page(flow.open(flow.staff()))
    _check_page(flow.submit(flow.citizen(), {"personnummer": "199006022398"}))
    _check_page(flow.submit(flow.staff(), {}))
    bad = flow.citizen()
    bad.redirect_uri = "https://evil.example/"
    _check_page(flow.client.get(bad.url))
    _check_page(flow.client.get("/end_session"))
    assert flow.client.get("/static/idp/idp.css").status_code == 200


def test_personnummer_never_logged(flow, caplog):
    caplog.set_level(logging.DEBUG)
    auth = flow.citizen()
    code = flow.login(auth, {"subject": PNR})
    id_token = flow.token(auth, code).get_json()["id_token"]
    auth2 = flow.citizen()
    flow.token(auth2, flow.login(auth2, {"personnummer": "19961020-2385"}))
    flow.submit(flow.citizen(), {"personnummer": "199006022398"})
    flow.client.get("/end_session?" + urlencode({"id_token_hint": id_token}))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Test login" in text  # something was logged
    assert "portal-secret" not in text
    for fragment in ("9006022397", "19900602", "9610202385", "9006022398", id_token[:30]):
        assert fragment not in text


def test_access_log_filter_redacts_id_token_hint():
    from devstack.idp import _RedactTokensInAccessLog

    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /end_session?id_token_hint=eyJabc.def.ghi&state=x HTTP/1.1", "302"),
        None,
    )
    _RedactTokensInAccessLog().filter(record)
    assert "eyJ" not in record.getMessage()
    assert "state=x" in record.getMessage()
