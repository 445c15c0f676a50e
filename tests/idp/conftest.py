"""Fixtures for the test identity provider (devstack/idp)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.idp import create_idp_app

ISSUER = "http://localhost"
CITIZEN_REDIRECT = "http://localhost:5000/auth/callback"
STAFF_REDIRECT = "http://localhost:5000/org/auth/callback"
CITIZEN_LOGOUT = "http://localhost:5000/logged-out"
STAFF_LOGOUT = "http://localhost:5000/org/logged-out"

CLIENTS = [
    {
        "client_id": "portal",
        "client_secret": "portal-secret",
        "kind": "citizen",
        "redirect_uris": [CITIZEN_REDIRECT],
        "post_logout_redirect_uris": [CITIZEN_LOGOUT],
    },
    {
        "client_id": "portal-org",
        "client_secret": "org-secret",
        "kind": "staff",
        "redirect_uris": [STAFF_REDIRECT],
        "post_logout_redirect_uris": [STAFF_LOGOUT],
    },
]

# From Skatteverket's test series (devstack/testdata/testpersonnummer.txt).
PERSONS = {
    "single-adult": ("199006022397", "Anders", "Testsson"),
    "young-adult": ("199610202385", "Bodil", "Provsson"),
}

STAFF = [
    {"sub": "staff-stockholm-1", "given_name": "Karin", "family_name": "Handläggare",
     "role": "caseworker", "municipality_code": "0180", "unit": "Södermalm"},
    {"sub": "staff-admin-1", "given_name": "Sara", "family_name": "Förvaltare",
     "role": "administrator", "municipality_code": None, "unit": None},
]  # fmt: skip


@pytest.fixture(scope="session")
def signing_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture
def persons_dir(tmp_path):
    directory = tmp_path / "persons"
    directory.mkdir()
    for slug, (pnr, given, family) in PERSONS.items():
        (directory / f"{slug}.json").write_text(
            json.dumps(
                {
                    "slug": slug,
                    "description": "fixture",
                    "person": {"personnummer": pnr, "given_name": given, "family_name": family},
                    "providers": {},
                }
            ),
            encoding="utf-8",
        )
    return directory


@pytest.fixture
def staff_file(tmp_path):
    path = tmp_path / "staff.json"
    path.write_text(json.dumps(STAFF), encoding="utf-8")
    return path


@pytest.fixture
def app(persons_dir, staff_file, signing_key_pem):
    return create_idp_app(
        ISSUER,
        CLIENTS,
        persons_dir=persons_dir,
        staff_file=staff_file,
        secret_key="test-secret",
        signing_key_pem=signing_key_pem,
    )


@pytest.fixture
def client(app):
    # The assertions read English texts; tests of other languages set their own header.
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@dataclass
class AuthRequest:
    client_id: str
    redirect_uri: str
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    code_verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    scope: str = "openid https://id.oidc.se/scope/naturalPersonNumber https://id.oidc.se/scope/naturalPersonInfo"
    extra: dict = field(default_factory=dict)

    @property
    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def params(self) -> dict:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        params.update(self.extra)
        return {k: v for k, v in params.items() if v is not None}

    @property
    def url(self) -> str:
        return "/authorize?" + urlencode(self.params())


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Flow:
    """Drives the authorization code flow through the Flask test client."""

    def __init__(self, client):
        self.client = client

    def citizen(self, **extra) -> AuthRequest:
        return AuthRequest("portal", CITIZEN_REDIRECT, extra=extra)

    def staff(self, **extra) -> AuthRequest:
        return AuthRequest("portal-org", STAFF_REDIRECT, scope="openid profile", extra=extra)

    def open(self, auth: AuthRequest, **kwargs):
        response = self.client.get(auth.url, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    def submit(self, auth: AuthRequest, form: dict, page_html: str | None = None):
        if page_html is None:
            page_html = self.open(auth).get_data(as_text=True)
        data = {"csrf_token": csrf_token(page_html), "action": "login", **form}
        return self.client.post(auth.url, data=data)

    def login(self, auth: AuthRequest, form: dict) -> str:
        """Log in and return the authorization code."""
        response = self.submit(auth, form)
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        assert location.startswith(auth.redirect_uri + "?")
        query = query_of(location)
        assert query["state"] == auth.state
        return query["code"]

    def token(
        self,
        auth: AuthRequest,
        code: str,
        *,
        verifier: str | None = None,
        secret: str | None = None,
        post_auth: bool = False,
    ):
        secret = secret or {"portal": "portal-secret", "portal-org": "org-secret"}[auth.client_id]
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": auth.redirect_uri,
            "code_verifier": verifier if verifier is not None else auth.code_verifier,
        }
        headers = {}
        if post_auth:
            data.update(client_id=auth.client_id, client_secret=secret)
        else:
            basic = base64.b64encode(f"{auth.client_id}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        return self.client.post("/token", data=data, headers=headers)


@pytest.fixture
def flow(client):
    return Flow(client)


@pytest.fixture
def make_flow():
    """Flow for another app instance: ``make_flow(app)``."""
    return lambda app: Flow(app.test_client())


@pytest.fixture
def idp_consts():
    """Constants of these fixtures, for the test modules (they do not import conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        ISSUER=ISSUER,
        CITIZEN_REDIRECT=CITIZEN_REDIRECT,
        STAFF_REDIRECT=STAFF_REDIRECT,
        CITIZEN_LOGOUT=CITIZEN_LOGOUT,
        STAFF_LOGOUT=STAFF_LOGOUT,
        CLIENTS=CLIENTS,
        PERSONS=PERSONS,
        STAFF=STAFF,
        csrf_token=csrf_token,
        query_of=query_of,
    )
