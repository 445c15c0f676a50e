"""The pull API for the municipalities' case systems: tokens, list, fetch, acknowledge, the
OpenAPI description, and a schemathesis run against the described operations."""

from __future__ import annotations

import base64
import contextvars
import hashlib
import io
import itertools
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.api import clients, tokens
from portal.api.routes import description
from portal.application.models import Application, ApplicationEvent
from portal.audit.models import AuditEvent
from portal.auth.access import authorize
from portal.auth.actor import Actor
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests import factories
from tests.support import csrf_from
from tests.test_attachments_domain import make_pdf, make_png

UPPSALA_ADULT = "199006022397"  # single adult, folkbokförd in Uppsala (0380)
UPPSALA = ("uppsala-system", "uppsala-demo-secret")
LINKOPING = ("linkoping-system", "linkoping-demo-secret")


@pytest.fixture(autouse=True)
def _fresh_clients():
    clients.clear_cache()
    yield
    clients.clear_cache()


@pytest.fixture
def received(app):
    return send_to_uppsala()


@pytest.fixture
def applicant(login, client):
    """The applicant's own browser, logged in through the IdP."""
    login(UPPSALA_ADULT)
    return client


def send_to_uppsala() -> Application:
    """An application sent by an Uppsala resident and delivered to Uppsala's inbox (built with
    tests/factories.py: the web journey is proved by tests/test_journey.py)."""
    application = factories.sent(UPPSALA_ADULT)
    assert application.status == "submitted" and application.inbox_id == "kommun-0380"
    return application


@pytest.fixture
def api(app):
    """A client of its own: the API never shares the citizen's cookie jar."""
    return app.test_client()


def get_token(api, credentials=UPPSALA, **form) -> str:
    response = api.post("/api/v1/token", data={"grant_type": "client_credentials", **form}, auth=credentials)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- tokens ---------------------------------------------------------------------------------------


def test_token_with_good_credentials_by_basic_or_form(api):
    response = api.post("/api/v1/token", data={"grant_type": "client_credentials"}, auth=UPPSALA)
    body = response.get_json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["scope"] == "applications:read applications:acknowledge case:write"
    assert response.headers["Cache-Control"] == "no-store"
    grant = tokens.verify(body["access_token"])
    assert (grant.client_id, grant.municipality_code) == ("uppsala-system", "0380")

    response = api.post(
        "/api/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": LINKOPING[0],
            "client_secret": LINKOPING[1],
            "scope": "applications:read",
        },
    )
    assert response.status_code == 200
    assert response.get_json()["scope"] == "applications:read"
    assert tokens.verify(response.get_json()["access_token"]).municipality_code == "0580"


@pytest.mark.parametrize(
    "kwargs,status,error",
    [
        ({"auth": ("uppsala-system", "wrong")}, 401, "invalid_client"),
        ({"auth": ("no-such-system", "uppsala-demo-secret")}, 401, "invalid_client"),
        ({"auth": ("linkoping-system", "uppsala-demo-secret")}, 401, "invalid_client"),
        ({}, 401, "invalid_client"),
        (
            {"data": {"grant_type": "client_credentials", "client_id": "uppsala-system", "client_secret": "nope"}},
            401,
            "invalid_client",
        ),
        ({"auth": UPPSALA, "data": {"grant_type": "password"}}, 400, "unsupported_grant_type"),
        ({"auth": UPPSALA, "data": {"grant_type": "authorization_code"}}, 400, "unsupported_grant_type"),
        ({"auth": UPPSALA, "data": {"grant_type": ""}}, 400, "invalid_request"),
        (
            {"auth": UPPSALA, "data": {"grant_type": "client_credentials", "client_secret": UPPSALA[1]}},
            400,
            "invalid_request",
        ),  # two authentication methods at once
        (
            {"auth": UPPSALA, "data": {"grant_type": "client_credentials", "scope": "applications:delete"}},
            400,
            "invalid_scope",
        ),
    ],
)
def test_token_errors_follow_rfc_6749(api, kwargs, status, error):
    data = kwargs.pop("data", {"grant_type": "client_credentials"})
    response = api.post("/api/v1/token", data=data, **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == error
    assert "access_token" not in response.get_json()
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_repeated_parameters_are_refused(api):
    response = api.post("/api/v1/token", data={"grant_type": ["client_credentials", "password"]}, auth=UPPSALA)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"


# --- list, fetch, acknowledge ---------------------------------------------------------------------


def test_list_fetch_and_acknowledge(api, received):
    token = get_token(api)
    listed = api.get("/api/v1/applications", headers=bearer(token))
    assert listed.status_code == 200
    (item,) = listed.get_json()["applications"]
    assert listed.get_json()["nextAfter"] is None
    assert (item["id"], item["reference"]) == (received.id, received.reference)
    assert item["acknowledged"] is False and item["acknowledgedAt"] is None
    assert item["schemaVersion"] == db.session.scalar(
        select(FrozenDocument.schema_version).where(FrozenDocument.application_id == received.id)
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["receivedAt"])

    fetched = api.get(f"/api/v1/applications/{received.id}", headers=bearer(token))
    assert fetched.status_code == 200
    assert fetched.headers["Content-Type"] == "application/json"
    frozen = db.session.scalar(select(FrozenDocument))
    assert fetched.data == frozen.body.encode("utf-8")  # exactly the stored bytes
    sha = hashlib.sha256(fetched.data).hexdigest()
    assert sha == item["digest"] == frozen.sha256
    assert fetched.headers["ETag"] == f'"{sha}"'
    b64 = base64.b64encode(hashlib.sha256(fetched.data).digest()).decode()
    assert fetched.headers["Content-Digest"] == f"sha-256=:{b64}:"
    assert fetched.headers["Digest"] == f"sha-256={b64}"
    assert json.loads(fetched.data)["reference"] == received.reference
    assert "no-store" in fetched.headers["Cache-Control"]
    again = api.get(f"/api/v1/applications/{received.id}", headers={**bearer(token), "If-None-Match": f'"{sha}"'})
    assert again.status_code == 304 and again.data == b""
    db.session.expire_all()
    assert db.session.get(Application, received.id).status == "submitted"  # fetching is not acknowledging

    # POSTed without a CSRF token: the API blueprint is exempt (bearer header, no cookies).
    first = api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=bearer(token))
    assert first.status_code == 200
    assert first.get_json()["acknowledged"] is True and first.get_json()["id"] == received.id
    db.session.expire_all()
    application = db.session.get(Application, received.id)
    assert application.status == "received" and application.received_at is not None
    time.sleep(1.1)  # a second registration would show in acknowledgedAt
    repeat = api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=bearer(token))
    assert repeat.status_code == 200 and repeat.get_json() == first.get_json()
    received_events = db.session.scalar(
        select(func.count())
        .select_from(ApplicationEvent)
        .where(ApplicationEvent.application_id == received.id, ApplicationEvent.kind == "received")
    )
    assert received_events == 1

    assert api.get("/api/v1/applications", headers=bearer(token)).get_json()["applications"] == []
    (item,) = api.get("/api/v1/applications?status=all", headers=bearer(token)).get_json()["applications"]
    assert item["acknowledged"] is True and item["acknowledgedAt"] == first.get_json()["acknowledgedAt"]

    # Every read and change is audited with the API client as the actor.
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.object_type, AuditEvent.subject_id).where(
            AuditEvent.actor_type == "api",
            AuditEvent.actor_id == "uppsala-system",
            AuditEvent.actor_role == "municipality_system",
        )
    ).all()
    assert ("read", "inbox", None) in events
    assert ("read", "exchange_document", received.applicant_id) in events
    assert ("register", "application", received.applicant_id) in events
    assert ("acknowledge", "application", received.applicant_id) in events


def test_the_applicant_sees_received_after_acknowledgement(api, applicant, received):
    api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=bearer(get_token(api)))
    page = applicant.get(f"/applications/{received.id}")
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(Application, received.id).status == "received"


def test_another_municipality_sees_nothing(api, received):
    token = get_token(api, LINKOPING)
    assert api.get("/api/v1/applications?status=all", headers=bearer(token)).get_json()["applications"] == []
    for response in (
        api.get(f"/api/v1/applications/{received.id}", headers=bearer(token)),
        api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=bearer(token)),
    ):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert response.get_json() == {"type": "about:blank", "title": "Not Found", "status": 404, "error": "not_found"}
    db.session.expire_all()
    assert db.session.get(Application, received.id).status == "submitted"


def test_unknown_or_malformed_ids_are_not_found(api, received):
    token = get_token(api)
    for path in (
        "/api/v1/applications/00000000-0000-4000-8000-000000000000",
        "/api/v1/applications/%00x",
        f"/api/v1/applications/{received.id.upper()}",
    ):
        response = api.get(path, headers=bearer(token))
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_a_read_only_token_cannot_acknowledge(api, received):
    token = get_token(api, scope="applications:read")
    response = api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert api.get(f"/api/v1/applications/{received.id}", headers=bearer(token)).status_code == 200


def test_paging_and_parameter_errors(api, received):
    token = get_token(api)
    page = api.get("/api/v1/applications?status=all&limit=1", headers=bearer(token)).get_json()
    assert len(page["applications"]) == 1 and page["nextAfter"] is None
    for query in ("status=old", "limit=0", "limit=501", "limit=x", "after=-1"):
        response = api.get(f"/api/v1/applications?{query}", headers=bearer(token))
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_request", query


# --- refusals are 401 JSON, never a login redirect -----------------------------------------------


def _expired(app) -> str:
    client = clients.get("uppsala-system")
    token, lifetime = tokens.issue(client, client.scopes, now=time.time() - tokens.LIFETIME_SECONDS - 1)
    return token


def _foreign(app) -> str:
    from itsdangerous import URLSafeSerializer

    payload = {"cid": "uppsala-system", "mun": "0380", "scp": ["applications:read"], "iat": 0, "exp": 2**40}
    return URLSafeSerializer("another portal's key", salt="portal.api.access-token.v1").dumps(payload)


def _other_salt(app) -> str:
    from itsdangerous import URLSafeSerializer

    payload = {"cid": "uppsala-system", "mun": "0380", "scp": ["applications:read"], "iat": 0, "exp": 2**40}
    return URLSafeSerializer(app.config["SECRET_KEY"], salt="another-purpose").dumps(payload)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer garbage",
        "Bearer a.b.c",
        "Basic dXBwc2FsYS1zeXN0ZW06dXBwc2FsYS1kZW1vLXNlY3JldA==",
        "expired",
        "foreign",
        "other_salt",
    ],
)
def test_missing_expired_or_garbage_tokens_get_401_json(app, api, received, authorization):
    makers = {"expired": _expired, "foreign": _foreign, "other_salt": _other_salt}
    if authorization in makers:
        authorization = f"Bearer {makers[authorization](app)}"
    headers = {"Authorization": authorization} if authorization else {}
    for response in (
        api.get("/api/v1/applications", headers=headers),
        api.get(f"/api/v1/applications/{received.id}", headers=headers),
        api.post(f"/api/v1/applications/{received.id}/acknowledge", headers=headers),
    ):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"  # RFC 9457
        assert response.get_json()["error"] == "invalid_token" and response.get_json()["status"] == 401
        assert "Location" not in response.headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    db.session.expire_all()
    assert db.session.get(Application, received.id).status == "submitted"


def test_a_citizen_session_does_not_open_the_api(applicant, received):
    """The logged-in applicant's cookie is no API credential."""
    response = applicant.get("/api/v1/applications")
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"


def test_a_removed_client_loses_its_tokens(api, received, tmp_path, monkeypatch):
    token = get_token(api)
    data = json.loads(clients.DEFAULT_PATH.read_text(encoding="utf-8"))
    data["clients"] = [c for c in data["clients"] if c["client_id"] != "uppsala-system"]
    path = tmp_path / "clients.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv(clients.ENV, str(path))
    clients.clear_cache()
    assert api.get("/api/v1/applications", headers=bearer(token)).status_code == 401
    response = api.post("/api/v1/token", data={"grant_type": "client_credentials"}, auth=UPPSALA)
    assert response.status_code == 401


def test_the_access_rule_for_api_clients():
    system = Actor(kind="api", id="uppsala-system", role="municipality_system", municipality_code="0380")
    caseworker = Actor(kind="staff", id="s1", role="caseworker", municipality_code="0380")
    assert authorize(system, "api", None, Application(municipality_code="0380"))
    assert not authorize(system, "api", None, Application(municipality_code="0580"))
    assert not authorize(caseworker, "api", None, None)
    assert not authorize(Actor(kind="api", id="x"), "api", None, None)  # no municipality: nothing
    assert not authorize(system, "inbox", None, None) and not authorize(system, "application", None, None)


# --- client configuration -------------------------------------------------------------------------


def test_the_clients_file_holds_salted_hashes_never_secrets():
    text = clients.DEFAULT_PATH.read_text(encoding="utf-8")
    data = json.loads(text)
    hashes = [c["secret_hash"] for c in data["clients"]]
    assert len({h.split("$")[4] for h in hashes}) == len(hashes)  # a salt each
    for entry in data["clients"]:
        assert entry["client_id"] + '"' not in entry["secret_hash"]
        assert "demo-secret" not in json.dumps(entry)
    assert {c.municipality_code for c in clients.clients().values()} == {"0580", "0380"}
    assert clients.authenticate(*UPPSALA) and not clients.authenticate("uppsala-system", "")
    assert clients.verify_secret("s", clients.hash_secret("s")) and not clients.verify_secret("s", "garbage")


def test_a_broken_clients_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "clients.json"
    path.write_text(
        json.dumps(
            {
                "clients": [
                    {
                        "client_id": "x-system",
                        "municipality_code": "580",
                        "scopes": ["applications:delete"],
                        "secret": "plain",
                        "secret_hash": "plain",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv(clients.ENV, str(path))
    with pytest.raises(clients.ApiClientsError) as refused:
        clients.clients()
    assert len(refused.value.problems) == 4


def test_production_refuses_the_demo_clients(config):
    from dataclasses import replace

    from portal import create_app
    from portal.config import ConfigError

    production = replace(
        config,
        env="production",
        secret_key="x" * 40,
        base_url="https://portal.example",
        secure_cookies=True,
        citizen_client_secret="c" * 32,
        staff_client_secret="s" * 32,
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
        smtp_host="smtp.portal.example",
        smtp_from="Egna utrymmet <no-reply@portal.example>",
    )
    with pytest.raises(ConfigError, match="demo API clients"):
        create_app(production)


# --- the description ------------------------------------------------------------------------------


def test_the_openapi_description_is_valid_and_served(api):
    from openapi_spec_validator import validate

    spec = description()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/token"
    assert set(flow["scopes"]) == set(clients.SCOPES)
    served = api.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    assert served.get_json() == spec


def test_every_api_route_is_described(app):
    described = {(path, method.upper()) for path, item in description()["paths"].items() for method in item}
    routes = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes, "the api blueprint has routes"
    assert routes - described == set(), "routes missing from portal/api/openapi.json"
    assert described - routes == set(), "described operations without a route"


def answer_as_applicant(client, application_id: str, request_id: str, text: str, files=()) -> object:
    """The applicant answers a supplement request on their case page, with files."""
    path = f"/cases/{application_id}/requests/{request_id}"
    form = {
        "csrf_token": csrf_from(client.get(path)),
        "text": text,
        "files": [(io.BytesIO(data), name) for name, data in files],
    }
    response = client.post(path, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return response


def message_as_applicant(client, application_id: str, body: str, files=()) -> object:
    path = f"/cases/{application_id}/messages"
    form = {
        "csrf_token": csrf_from(client.get(path)),
        "body": body,
        "files": [(io.BytesIO(data), name) for name, data in files],
    }
    response = client.post(path, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return response


def test_schemathesis_against_the_description(app, api, applicant, received):
    """Generated requests for every operation, with a token of every scope: no 5xx, and every
    answer as described (status, headers, content type, body schema); invalid requests refused.
    Positive cases are sent half the time to the real application, whose case is first filled
    with an answered request (with a file), messages both ways, so the reads answer real data."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(get_token(api))

    def call(case, **kwargs):
        # A context of its own per request, as in production (see IsolatedClient in conftest).
        return contextvars.Context().run(case.call_and_validate, headers=headers, **kwargs)

    # The real application, through the described operations first.
    fetch = schema["/api/v1/applications/{application_id}"]["GET"]
    assert call(fetch.Case(path_parameters={"application_id": received.id})).status_code == 200
    acknowledge = schema["/api/v1/applications/{application_id}/acknowledge"]["POST"]
    assert call(acknowledge.Case(path_parameters={"application_id": received.id})).status_code == 200
    listing = schema["/api/v1/applications"]["GET"]
    assert call(listing.Case(query={"status": "all"})).json()["applications"][0]["acknowledged"] is True
    post_event = schema["/api/v1/applications/{application_id}/events"]["POST"]
    asked = call(
        post_event.Case(
            path_parameters={"application_id": received.id},
            media_type="application/json",
            body={
                "type": "supplementRequested",
                "what": "Hyreskontrakt",
                "why": "Boendekostnad",
                "dueDate": (clock.today() + timedelta(days=10)).isoformat(),
            },
        )
    )
    assert asked.status_code == 201
    request_id = asked.json()["data"]["requestId"]
    answer_as_applicant(applicant, received.id, request_id, "Här är kontraktet.", [("kontrakt.pdf", make_pdf())])
    message_as_applicant(applicant, received.id, "Jag har skickat kontraktet.", [("bild.png", make_png())])
    send = schema["/api/v1/applications/{application_id}/messages"]["POST"]
    assert (
        call(
            send.Case(
                path_parameters={"application_id": received.id},
                media_type="application/json",
                body={"body": "Tack!", "authorName": "Per"},
            )
        ).status_code
        == 201
    )
    requests = schema["/api/v1/applications/{application_id}/supplement-requests"]["GET"]
    (answered,) = call(requests.Case(path_parameters={"application_id": received.id})).json()["requests"]
    attachment = schema["/api/v1/applications/{application_id}/attachments/{attachment_id}"]["GET"]
    assert (
        call(
            attachment.Case(
                path_parameters={
                    "application_id": received.id,
                    "attachment_id": answered["answer"]["attachments"][0]["id"],
                }
            )
        ).status_code
        == 200
    )
    document = schema["/api/v1/applications/{application_id}/documents/{version}"]["GET"]
    assert call(document.Case(path_parameters={"application_id": received.id, "version": 2})).status_code == 200

    operations = [result.ok() for result in schema.get_all_operations()]
    # (schemathesis leaves out the operation that serves the description itself)
    described = {op.label for op in operations}
    assert described >= {
        "POST /api/v1/token",
        "GET /api/v1/applications",
        "GET /api/v1/applications/{application_id}",
        "POST /api/v1/applications/{application_id}/acknowledge",
        "POST /api/v1/applications/{application_id}/events",
        "GET /api/v1/applications/{application_id}/events",
        "POST /api/v1/applications/{application_id}/messages",
    }
    # Reads first, while the case is as prepared; then the writes, which move it along.
    operations.sort(key=lambda op: (op.method.upper() != "GET", op.label.endswith("/events")))
    # Rules a schema cannot state (a due date in the past, an inbox the municipality does not
    # have, a reply to an unknown message) answer 400 to requests the schema allows.
    semantic = {
        "GET /api/v1/applications",
        "POST /api/v1/applications/{application_id}/events",
        "POST /api/v1/applications/{application_id}/messages",
    }
    known = {
        "application_id": received.id,
        "request_id": request_id,
        "version": 2,
        "attachment_id": answered["answer"]["attachments"][0]["id"],
    }

    def fuzz(operation, mode):
        real = mode == GenerationMode.POSITIVE and "{application_id}" in operation.path
        excluded = [positive_data_acceptance] if operation.label in semantic else []
        examples = 20 if operation.label in semantic and operation.method.upper() == "POST" else 10

        @given(case=operation.as_strategy(generation_mode=mode), ours=st.booleans() if real else st.just(False))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case, ours):
            if ours:
                case.path_parameters.update({k: v for k, v in known.items() if k in case.path_parameters})
            call(case, excluded_checks=excluded)

        run()

    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):
        fuzz(operation, mode)

    events = schema["/api/v1/applications/{application_id}/events"]["GET"]
    db.session.expire_all()
    if db.session.get(Application, received.id).municipality_code == "0380":  # unless a generated event forwarded it
        timeline = call(events.Case(path_parameters={"application_id": received.id})).json()["events"]
        assert [e["type"] for e in timeline][:4] == [
            "submitted",
            "received",
            "supplementRequested",
            "supplementAnswered",
        ]


def test_unknown_api_paths_answer_json_not_html(client):
    for response in (client.get("/api/v1/no-such-thing"), client.delete("/api/v1/token")):
        assert response.status_code in (404, 405)
        assert response.mimetype == "application/problem+json" and response.json["status"] == response.status_code
        assert "error" in response.json
    assert "POST" in client.delete("/api/v1/token").headers["Allow"]
