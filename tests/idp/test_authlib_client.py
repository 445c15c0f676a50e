"""The portal logs in with Authlib's Flask client: run that client against the IdP.

The relying party's back-channel HTTP (discovery, JWKS, token) is routed into the IdP's WSGI
app with a small ``requests`` adapter; the browser is two Flask test clients.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, jsonify
from requests.structures import CaseInsensitiveDict

PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"


class WSGIAdapter(requests.adapters.BaseAdapter):
    def __init__(self, app):
        super().__init__()
        self.client = app.test_client()

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        result = self.client.open(
            path,
            method=request.method,
            headers=dict(request.headers),
            data=request.body,
            base_url=f"{url.scheme}://{url.netloc}",
        )
        response = requests.Response()
        response.status_code = result.status_code
        response.headers = CaseInsensitiveDict(result.headers)
        response._content = result.get_data()
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


@pytest.fixture
def rp(app, idp_consts):
    """A minimal relying party configured like the portal."""
    adapter = WSGIAdapter(app)

    class Session(OAuth2Session):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.mount(idp_consts.ISSUER, adapter)

    class App(FlaskOAuth2App):
        client_cls = Session

    class RPOAuth(OAuth):
        oauth2_client_cls = App

    rp_app = Flask("rp")
    rp_app.config["SECRET_KEY"] = "rp-secret"
    oauth = RPOAuth(rp_app)
    oauth.register(
        "eid",
        client_id="portal",
        client_secret="portal-secret",
        server_metadata_url=f"{idp_consts.ISSUER}/.well-known/openid-configuration",
        # The OIDC Sweden profile: the personnummer under its own scope, no names asked for.
        client_kwargs={"scope": "openid https://id.oidc.se/scope/naturalPersonNumber", "code_challenge_method": "S256"},
    )

    @rp_app.get("/login")
    def login():
        return oauth.eid.authorize_redirect(idp_consts.CITIZEN_REDIRECT)

    @rp_app.get("/auth/callback")
    def callback():
        token = oauth.eid.authorize_access_token()
        return jsonify(userinfo=token["userinfo"], id_token=token["id_token"])

    return rp_app


def test_authlib_flask_client_logs_in(rp, client, idp_consts):
    browser_rp = rp.test_client()
    response = browser_rp.get("/login")
    assert response.status_code == 302
    authorize_url = response.headers["Location"]
    assert authorize_url.startswith(f"{idp_consts.ISSUER}/authorize?")
    assert "code_challenge_method=S256" in authorize_url and "nonce=" in authorize_url

    # the browser at the IdP
    path = authorize_url.removeprefix(idp_consts.ISSUER)
    page = client.get(path)
    assert page.status_code == 200
    token = idp_consts.csrf_token(page.get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, "action": "login", "subject": "199006022397"})
    assert response.status_code == 302
    callback = urlsplit(response.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == idp_consts.CITIZEN_REDIRECT

    # back at the relying party: Authlib validates state, PKCE, ID token signature and nonce
    result = browser_rp.get(f"{callback.path}?{callback.query}")
    assert result.status_code == 200, result.get_data(as_text=True)
    userinfo = result.get_json()["userinfo"]
    assert userinfo[PNR_CLAIM] == "199006022397"
    assert userinfo["iss"] == idp_consts.ISSUER
    assert userinfo["aud"] == "portal"
    assert userinfo["acr"] == "http://id.elegnamnden.se/loa/1.0/loa3"
    assert "given_name" not in userinfo and "name" not in userinfo  # naturalPersonInfo not asked for


def test_authlib_flask_client_sees_cancel_as_access_denied(rp, client, idp_consts):
    from authlib.integrations.base_client import OAuthError

    browser_rp = rp.test_client()
    authorize_url = browser_rp.get("/login").headers["Location"]
    path = authorize_url.removeprefix(idp_consts.ISSUER)
    token = idp_consts.csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, "action": "cancel"})
    callback = urlsplit(response.headers["Location"])
    rp.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(OAuthError) as excinfo:
        browser_rp.get(f"{callback.path}?{callback.query}")
    assert excinfo.value.error == "access_denied"
