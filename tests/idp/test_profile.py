"""The test IdP speaks the OIDC Sweden profile (issue 12, point 2): claims released only under their
scopes, in the ID token and from UserInfo alike, and the user message of a signature shown."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

PNR = "https://id.oidc.se/claim/personalIdentityNumber"
NUMBER = "https://id.oidc.se/scope/naturalPersonNumber"
INFO = "https://id.oidc.se/scope/naturalPersonInfo"


def _claims(client, flow, scope):
    auth = replace(flow.citizen(), scope=scope)
    body = flow.token(auth, flow.login(auth, {"subject": "199006022397"})).get_json()
    keys = KeySet.import_key_set(client.get("/jwks").get_json())
    id_token = jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims
    userinfo = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).get_json()
    return id_token, userinfo


@pytest.mark.parametrize(
    ("scope", "released", "withheld"),
    [
        ("openid", set(), {PNR, "given_name", "name", "birthdate"}),
        (f"openid {NUMBER}", {PNR}, {"given_name", "name", "birthdate"}),
        (f"openid {INFO}", {"given_name", "family_name", "name", "birthdate"}, {PNR}),
        (f"openid {NUMBER} {INFO}", {PNR, "given_name", "family_name", "name", "birthdate"}, set()),
    ],
)
def test_claims_only_under_their_scope(client, flow, scope, released, withheld):
    id_token, userinfo = _claims(client, flow, scope)
    for claims in (id_token, userinfo):
        assert released <= set(claims) and not (withheld & set(claims))
    assert userinfo["sub"] == id_token["sub"]
    assert id_token["acr"] == "http://id.elegnamnden.se/loa/1.0/loa3"


def test_the_user_message_is_shown_in_the_person_s_language(flow):
    message = {
        "message": {
            "sv": "Jag skriver under min ansökan om ekonomiskt bistånd för december 2026.",
            "en": "I sign my application for ekonomiskt bistånd for December 2026.",
        },
        "mime_type": "text/plain",
    }
    auth = flow.citizen(
        **{"https://id.oidc.se/param/userMessage": json.dumps(message), "prompt": "login", "ui_locales": "en"}
    )
    page = flow.open(auth).get_data(as_text=True)
    assert 'id="user-message"' in page and message["message"]["en"] in page
    plain = flow.open(flow.citizen()).get_data(as_text=True)
    assert 'id="user-message"' not in plain  # an ordinary login shows none
