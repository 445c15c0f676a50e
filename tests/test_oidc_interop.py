"""Interop (issue 12, point 2): login, signing and logout against an independent, OpenID Certified OP
(panva's oidc-provider from the npm registry, interop/server.mjs) configured like a Swedish eID
broker under the OIDC Sweden profile, in four configurations: claims only under their scopes, claims
only from UserInfo, private_key_jwt required, and a lower acr (refused). Through the Flask client;
a plain HTTP session plays the browser at the OP. Skipped only where node is not installed."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from dataclasses import replace
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask_babel import force_locale, format_date
from joserfc.jwk import RSAKey
from sqlalchemy import select

from portal import create_app
from portal.config import REPO_ROOT
from portal.extensions import db
from tests import factories
from tests.conftest import PORTAL_BASE, IsolatedClient
from tests.support import csrf_from, free_port, soup, sv

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("node") is None,
        reason="node is not installed: the interop OP (interop/, oidc-provider) runs on Node.js",
    ),
]

APPLICANT = "199006022397"
INTEROP = REPO_ROOT / "interop"
CLIENT_ID, CLIENT_SECRET = "portal-interop", "interop-client-secret-only-for-tests"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
READY_DEADLINE_SECONDS = 60


@pytest.fixture(scope="module")
def client_key(tmp_path_factory):
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    path = tmp_path_factory.mktemp("interop-key") / "citizen.pem"
    path.write_bytes(key.as_pem(private=True))
    return key, path


@pytest.fixture(scope="module")
def ops(client_key):
    """One OP process per variant, started once for the module."""
    if not (INTEROP / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("interop/node_modules is missing: run `npm ci` in interop/ (bin/test all does)")
    key, _path = client_key
    started, urls = [], {}
    for variant in ("standard", "userinfo", "pkjwt", "lowacr"):
        port = free_port()
        client = {
            "client_id": CLIENT_ID,
            "redirect_uris": [f"{PORTAL_BASE}/auth/callback/citizen", f"{PORTAL_BASE}/auth/sign/callback"],
            "post_logout_redirect_uris": [f"{PORTAL_BASE}/auth/logged-out"],
        }
        if variant == "pkjwt":
            client["jwks"] = {"keys": [key.as_dict(private=False)]}
        else:
            client["client_secret"] = CLIENT_SECRET
        env = {
            **os.environ,
            "INTEROP_PORT": str(port),
            "INTEROP_VARIANT": variant,
            "INTEROP_CLIENT": json.dumps(client),
            "NODE_NO_WARNINGS": "1",
        }
        started.append(
            subprocess.Popen(
                ["node", str(INTEROP / "server.mjs")],
                env=env,
                cwd=INTEROP,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        )
        urls[variant] = f"http://127.0.0.1:{port}"
    try:
        for variant, url in urls.items():
            deadline = time.monotonic() + READY_DEADLINE_SECONDS
            while True:
                try:
                    if requests.get(f"{url}/.well-known/openid-configuration", timeout=5).ok:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the interop OP ({variant}) did not start")
                time.sleep(0.1)
        yield urls
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=10)


def _portal(config, url, **settings):
    values = {
        "citizen_idp_url": url,
        "citizen_client_id": CLIENT_ID,
        "citizen_client_secret": CLIENT_SECRET,
        **settings,
    }
    app = create_app(replace(config, **values))
    app.config["TESTING"] = True
    app.test_client_class = IsolatedClient
    return app


def at_op(client, response, personnummer=APPLICANT):
    """Play the browser at the OP: its login page, the personnummer, and back to the portal.
    Returns the portal's answer and the login page's HTML."""
    assert response.status_code == 302, response.status_code
    browser = requests.Session()
    page = browser.get(response.location, timeout=10)
    assert page.status_code == 200, page.text[:300]
    form = soup(page.text).find("form")
    answer = browser.post(
        urljoin(page.url, form["action"]), data={"personnummer": personnummer}, allow_redirects=False, timeout=10
    )
    while answer.status_code in (302, 303) and not answer.headers["Location"].startswith(PORTAL_BASE + "/"):
        answer = browser.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}"), page.text


def _login(app):
    browser = app.test_client()
    response, _page = at_op(browser, browser.get("/auth/login"))
    return browser, response


def _logout_at_op(browser, url):
    response = browser.post("/auth/logout", data={"csrf_token": csrf_from(browser.get("/overview"))})
    assert response.location.startswith(url)
    assert "id_token_hint" in parse_qs(urlsplit(response.location).query)
    op = requests.Session()
    confirm = op.get(response.location, timeout=10)
    assert confirm.status_code == 200, confirm.text[:300]
    form = soup(confirm.text).find("form")
    data = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    data["logout"] = "yes"
    done = op.post(urljoin(confirm.url, form["action"]), data=data, allow_redirects=False, timeout=10)
    assert done.status_code in (302, 303) and done.headers["Location"].startswith(f"{PORTAL_BASE}/auth/logged-out")
    return response


def _sign(app, browser):
    """Signing: a fresh login (prompt=login, max_age=0) with the sign message shown by the OP; the
    application is sent with the acr answered."""
    from portal.application.models import Application

    draft = factories.draft(APPLICANT)
    path = f"/applications/{draft.id}"
    check = browser.get(f"{path}/check")
    start = browser.post(f"{path}/submit", data={"csrf_token": csrf_from(check), "confirm": "y"})
    query = parse_qs(urlsplit(start.location).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    done, page = at_op(browser, start)
    with app.test_request_context(), force_locale("sv"):
        month = format_date(draft.period, "LLLL yyyy")
    shown = soup(page).find(id="user-message")
    assert shown is not None
    assert sv("I sign my application for ekonomiskt bistånd for %(month)s.", month=month) in shown.get_text()
    assert done.status_code == 302 and done.location == path
    db.session.expire_all()  # the draft built above is in this session's identity map
    application = db.session.get(Application, draft.id)
    assert application.status == "submitted" and application.signature_acr == LOA3


def test_login_signing_and_logout_with_claims_under_their_scopes(config, ops):
    from portal.auth.models import Person

    app = _portal(config, ops["standard"])
    with app.app_context():
        browser, response = _login(app)
        assert response.status_code == 302 and response.location == "/overview"
        person = db.session.scalar(select(Person))
        assert person.personnummer == APPLICANT and person.given_name == "Anders"
        _sign(app, browser)
        _logout_at_op(browser, ops["standard"])
        assert browser.get("/overview").status_code == 302


def test_login_signing_and_logout_with_the_claims_from_userinfo_only(config, ops):
    from portal.auth.models import Person

    app = _portal(config, ops["userinfo"])
    with app.app_context():
        browser, response = _login(app)
        assert response.status_code == 302 and response.location == "/overview"
        assert db.session.scalar(select(Person)).personnummer == APPLICANT
        _sign(app, browser)
        _logout_at_op(browser, ops["userinfo"])


def test_login_signing_and_logout_with_private_key_jwt(config, ops, client_key):
    _key, path = client_key
    app = _portal(config, ops["pkjwt"], citizen_client_auth="private_key_jwt", citizen_private_key_path=path)
    with app.app_context():
        browser, response = _login(app)
        assert response.status_code == 302 and response.location == "/overview"
        assert browser.get("/overview").status_code == 200
        _sign(app, browser)
        _logout_at_op(browser, ops["pkjwt"])
    # The same OP refuses the client secret: private_key_jwt is required.
    refused = _portal(config, ops["pkjwt"])
    with refused.app_context():
        assert _login(refused)[1].status_code == 400


def test_a_lower_acr_is_refused(config, ops, caplog):
    caplog.set_level(logging.INFO)
    app = _portal(config, ops["lowacr"])
    with app.app_context():
        browser, response = _login(app)
        assert response.status_code == 400
        assert browser.get("/overview").status_code == 302
    assert "reason=acr_too_low" in caplog.text and APPLICANT not in caplog.text
