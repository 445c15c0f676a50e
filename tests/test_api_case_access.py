"""Who may do what through the case API, and what it refuses: another municipality sees nothing
(404 on every route), a read-only client writes nothing (403), bad input is 400 with a pointer
to the field, a body that is not JSON is 415, and every read is audited."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.api.inputs import BadInput, Fields
from portal.application.models import ApplicationEvent
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.extensions import db
from tests import factories
from tests.test_api import (
    LINKOPING,
    UPPSALA,
    UPPSALA_ADULT,
    _fresh_clients,  # noqa: F401  (autouse fixture)
    answer_as_applicant,
    bearer,
    get_token,
    message_as_applicant,
    send_to_uppsala,
)
from tests.test_api_case import System, later
from tests.test_attachments_domain import make_pdf, make_png

READER = ("uppsala-reader", "uppsala-reader-demo-secret")


@pytest.fixture
def received(app):
    return send_to_uppsala()


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def full(api, login, client, received):
    """A case with something behind every route: a request answered with a file, a message with
    a file, a decision, a payment. Returns the ids the routes need."""
    login(UPPSALA_ADULT)  # the applicant answers and writes from their own browser
    system = System(api)
    system.post(f"/applications/{received.id}/acknowledge")
    asked = system.event(
        received.id, {"type": "supplementRequested", "what": "Hyreskontrakt", "why": "Hyra", "dueDate": later()}
    )
    request_id = asked["data"]["requestId"]
    answer_as_applicant(client, received.id, request_id, "Här.", [("kontrakt.pdf", make_pdf())])
    message_as_applicant(client, received.id, "Hej", [("bild.png", make_png())])
    decided = system.event(
        received.id,
        {
            "type": "decision",
            "outcome": "granted",
            "amount": 5000,
            "periodStart": "2026-12-01",
            "periodEnd": "2026-12-31",
            "reasoning": "Beviljas.",
            "decidedBy": "Per",
        },
    )
    system.event(
        received.id,
        {"type": "payment", "externalRef": "U-1", "amount": 5000, "dueDate": "2026-12-05", "state": "planned"},
    )
    (request,) = system.get(f"/applications/{received.id}/supplement-requests").get_json()["requests"]
    return {
        "application": received,
        "request_id": request_id,
        "decision_id": decided["data"]["decisionId"],
        "attachment_id": request["answer"]["attachments"][0]["id"],
    }


def read_routes(ids) -> list[str]:
    a = f"/applications/{ids['application'].id}"
    return [
        a,
        f"{a}/case",
        f"{a}/events",
        f"{a}/supplement-requests",
        f"{a}/messages",
        f"{a}/documents",
        f"{a}/documents/1",
        f"{a}/documents/2",
        f"{a}/attachments/{ids['attachment_id']}",
        f"{a}/decisions",
        f"{a}/decisions/{ids['decision_id']}/document",
        f"{a}/payments",
    ]


def write_routes(ids) -> list[tuple[str, dict | None]]:
    a = f"/applications/{ids['application'].id}"
    return [
        (f"{a}/acknowledge", None),
        (f"{a}/register", None),
        (f"{a}/events", {"type": "closed"}),
        (f"{a}/messages", {"body": "Hej", "authorName": "Per"}),
        (f"{a}/messages/read", None),
        (f"{a}/supplement-requests/{ids['request_id']}/seen", None),
    ]


def event_count(application_id: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
    )


# --- scoping across municipalities ----------------------------------------------------------------


def test_another_municipality_gets_404_on_every_route(api, full):
    linkoping = System(api, LINKOPING)
    before = event_count(full["application"].id)
    for path in read_routes(full):
        response = linkoping.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json" and response.get_json()["error"] == "not_found"
    for path, body in write_routes(full):
        assert linkoping.post(path, body).status_code == 404, path
    assert event_count(full["application"].id) == before
    assert linkoping.get("/applications?status=all").get_json()["applications"] == []
    uppsala = System(api)
    for path in read_routes(full):
        assert uppsala.get(path).status_code == 200, path


def test_items_of_another_application_are_not_found(api, full):
    """A request, decision or file id of one application is not found under another."""
    other = send_to_uppsala()
    system = System(api)
    a = f"/applications/{other.id}"
    for path in (
        f"{a}/attachments/{full['attachment_id']}",
        f"{a}/decisions/{full['decision_id']}/document",
        f"{a}/documents/2",
    ):
        assert system.get(path).status_code == 404, path
    assert system.post(f"{a}/supplement-requests/{full['request_id']}/seen").status_code == 404


# --- scopes ---------------------------------------------------------------------------------------


def test_a_read_only_client_reads_and_cannot_write(api, full):
    reader = System(api, READER)
    assert (
        reader.api.post(
            "/api/v1/token", data={"grant_type": "client_credentials", "scope": "case:write"}, auth=READER
        ).status_code
        == 400
    )  # it cannot even ask for it
    for path in read_routes(full):
        assert reader.get(path).status_code == 200, path
    before = event_count(full["application"].id)
    for path, body in write_routes(full):
        response = reader.post(path, body)
        assert response.status_code == 403, path
        assert response.get_json()["error"] == "insufficient_scope"
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert event_count(full["application"].id) == before


def test_a_token_narrowed_to_reading_and_acknowledging_cannot_handle_the_case(api, received):
    narrowed = System(api, UPPSALA, scope="applications:read applications:acknowledge")
    assert narrowed.post(f"/applications/{received.id}/acknowledge").status_code == 200
    response = narrowed.post(f"/applications/{received.id}/events", {"type": "underHandling"})
    assert response.status_code == 403 and "case:write" in response.get_json()["detail"]
    writer = System(api, UPPSALA, scope="case:write")
    assert writer.get(f"/applications/{received.id}/events").status_code == 403
    assert writer.post(f"/applications/{received.id}/register").status_code == 403
    assert writer.event(received.id, {"type": "underHandling"})["type"] == "underHandling"


# --- bad input ------------------------------------------------------------------------------------

PDF_B64 = base64.b64encode(make_pdf()).decode()
GRANT = {
    "type": "decision",
    "outcome": "granted",
    "amount": 100,
    "periodStart": "2026-12-01",
    "periodEnd": "2026-12-31",
    "reasoning": "Ja.",
    "decidedBy": "Per",
}


@pytest.mark.parametrize(
    "body,pointer",
    [
        ({}, "/type"),
        ({"type": "approved"}, "/type"),
        ({"type": "underHandling", "note": "x"}, "/note"),
        ({"type": "notHandled"}, "/reason"),
        ({"type": "notHandled", "reason": "   "}, "/reason"),
        ({"type": "notHandled", "reason": None}, "/reason"),
        ({"type": "notHandled", "reason": 7}, "/reason"),
        ({"type": "notHandled", "reason": "a\x00b"}, "/reason"),
        ({"type": "notHandled", "reason": "x" * 1001}, "/reason"),
        ({"type": "assigned", "caseworkerId": "p1"}, "/caseworkerName"),
        ({"type": "forwarded", "municipalityCode": "580", "reason": "x"}, "/municipalityCode"),
        ({"type": "forwarded", "municipalityCode": "0580", "inboxId": "../etc", "reason": "x"}, "/inboxId"),
        ({"type": "supplementRequested", "what": "x", "why": "y", "dueDate": "2026-02-30"}, "/dueDate"),
        ({"type": "supplementRequested", "what": "x", "why": "y", "dueDate": "30/12/2026"}, "/dueDate"),
        ({"type": "supplementRequested", "what": "x", "why": "y", "dueDate": "2099-01-01", "itemId": "3"}, "/itemId"),
        ({"type": "supplementRequested", "what": "x", "why": "y", "dueDate": "2099-01-01", "itemId": 0}, "/itemId"),
        ({"type": "interimReply", "text": "x", "expectedBy": "2001-01-01"}, "/expectedBy"),
        ({**GRANT, "amount": "100"}, "/amount"),
        ({**GRANT, "amount": True}, "/amount"),
        ({**GRANT, "amount": 100.5}, "/amount"),
        ({**GRANT, "amount": 0}, "/amount"),
        ({k: v for k, v in GRANT.items() if k != "amount"}, "/amount"),
        ({**GRANT, "periodEnd": "2026-11-30"}, "/periodEnd"),
        ({**GRANT, "outcome": "partly_granted"}, "/outcome"),
        ({**GRANT, "outcome": "refused"}, "/amount"),
        ({**GRANT, "document": "not base64!"}, "/document"),
        ({**GRANT, "document": base64.b64encode(b"<html>").decode()}, "/document"),
        ({**GRANT, "document": PDF_B64[:-1]}, "/document"),
        ({"type": "payment", "externalRef": "U-1", "amount": 10, "dueDate": "2026-12-01", "state": "sent"}, "/state"),
        ({"type": "payment", "amount": 10, "dueDate": "2026-12-01", "state": "paid"}, "/externalRef"),
    ],
)
def test_bad_events_are_400_with_a_pointer_and_change_nothing(api, received, body, pointer):
    system = System(api)
    system.post(f"/applications/{received.id}/acknowledge")
    before = event_count(received.id)
    response = system.post(f"/applications/{received.id}/events", body)
    assert response.status_code == 400, response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["status"] == 400 and problem["error"] == "invalid_request" and problem["title"] == "Bad Request"
    assert problem["errors"][0]["pointer"] == pointer and pointer in problem["detail"]
    assert event_count(received.id) == before


@pytest.mark.parametrize(
    "body,reason",
    [
        (
            {
                "type": "supplementRequested",
                "what": "x",
                "why": "y",
                "dueDate": (clock.today() - timedelta(days=1)).isoformat(),
            },
            "due_date_past",
        ),
        (
            {"type": "supplementRequested", "what": "x", "why": "y", "dueDate": "2099-01-01", "itemId": 2**31 - 1},
            "unknown_item",
        ),
    ],
)
def test_rules_of_the_case_operations_are_400_with_the_reason(api, received, body, reason):
    system = System(api)
    system.post(f"/applications/{received.id}/acknowledge")
    response = system.post(f"/applications/{received.id}/events", body)
    assert response.status_code == 400 and response.get_json()["reason"] == reason


@pytest.mark.parametrize(
    "raw,content_type,status",
    [
        (b'{"type": "underHandling"}', "text/plain", 415),
        (b"type=underHandling", "application/x-www-form-urlencoded", 415),
        (b'{"type": "underHandling"', "application/json", 400),
        (b'["underHandling"]', "application/json", 400),
        (b'{"type": "underHandling", "type": "closed"}', "application/json", 400),
        (
            b'{"type": "payment", "externalRef": "U", "amount": NaN, "dueDate": "2026-12-01", "state": "paid"}',
            "application/json",
            400,
        ),
        (b"\xff\xfe{}", "application/json", 400),
        (b"", "application/json", 400),
    ],
)
def test_bodies_that_are_not_one_json_object(api, received, raw, content_type, status):
    token = get_token(api)
    response = api.post(
        f"/api/v1/applications/{received.id}/events", data=raw, headers={**bearer(token), "Content-Type": content_type}
    )
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_bad_idempotency_keys_and_query_parameters(api, received):
    system = System(api)
    for key in ("", "a b", "x" * 101, "ä"):
        response = system.api.post(
            f"/api/v1/applications/{received.id}/events",
            json={"type": "underHandling"},
            headers={**bearer(system.token), "Idempotency-Key": key},
        )
        assert response.status_code == 400, key
    for query in (
        "status=mine",
        "status=old",
        "inbox=stockholm-farsta",
        "inbox=Kommun_0380",
        "reference=x",
        "limit=0",
        "after=-1",
        "colour=red",
    ):
        response = system.get(f"/applications?{query}")
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_request", query
    for query in ("after=x", "limit=501", "since=1"):
        assert system.get(f"/applications/{received.id}/events?{query}").status_code == 400, query
    assert system.get(f"/applications/{received.id}/messages?x=1").status_code == 400
    found = system.get(f"/applications?status=all&inbox=kommun-0380&reference={received.reference}")
    assert [a["id"] for a in found.get_json()["applications"]] == [received.id]
    assert system.get("/applications?status=all&reference=EU-0000-0000").get_json()["applications"] == []


def test_messages_refuse_bad_input(api, received):
    system = System(api)
    system.post(f"/applications/{received.id}/acknowledge")
    for body, pointer in (
        ({"body": "Hej"}, "/authorName"),
        ({"body": "", "authorName": "Per"}, "/body"),
        ({"body": "Hej", "authorName": "Per", "replyRequested": "yes"}, "/replyRequested"),
        ({"body": "Hej", "authorName": "Per", "inReplyTo": "x"}, "/inReplyTo"),
        ({"body": "Hej", "authorName": "Per", "attachments": [{}]}, "/attachments/0/name"),
        ({"body": "Hej", "authorName": "Per", "files": []}, "/files"),
    ):
        response = system.post(f"/applications/{received.id}/messages", body)
        assert response.status_code == 400 and response.get_json()["errors"][0]["pointer"] == pointer, body


# --- state ----------------------------------------------------------------------------------------


def test_operations_that_do_not_fit_the_state_are_409(api, received):
    system = System(api)
    for body in (
        {"type": "underHandling"},
        {"type": "closed"},
        GRANT,
        {"type": "payment", "externalRef": "U", "amount": 1, "dueDate": "2026-12-01", "state": "paid"},
    ):
        response = system.post(f"/applications/{received.id}/events", body)  # not registered yet
        assert response.status_code == 409 and response.get_json()["reason"] == "wrong_state", body
        assert response.get_json()["error"] == "conflict"
    system.post(f"/applications/{received.id}/acknowledge")
    asked = system.event(received.id, {"type": "supplementRequested", "what": "x", "why": "y", "dueDate": later()})
    seen = system.post(f"/applications/{received.id}/supplement-requests/{asked['data']['requestId']}/seen")
    assert seen.status_code == 409 and seen.get_json()["reason"] == "not_answered"


def test_a_withdrawn_application_is_read_but_not_handled(api, received):
    system = System(api)
    case.withdraw(received, "Jag fick jobb.")
    assert system.get("/applications").get_json()["applications"] == []  # not new any more
    (item,) = system.get("/applications?status=all").get_json()["applications"]
    assert item["status"] == "withdrawn" and item["acknowledged"] is False
    refused = system.post(f"/applications/{received.id}/acknowledge")
    assert refused.status_code == 409 and refused.get_json()["reason"] == "wrong_state"
    message = system.post(f"/applications/{received.id}/messages", {"body": "Hej", "authorName": "Per"})
    assert message.status_code == 409
    (withdrawn,) = [
        e for e in system.get(f"/applications/{received.id}/events").get_json()["events"] if e["type"] == "withdrawn"
    ]
    assert withdrawn["source"] == "applicant" and withdrawn["data"] == {"reason": "Jag fick jobb."}


# --- files sent with the application --------------------------------------------------------------


def test_files_sent_with_the_application_are_served(app, api):
    application = factories.draft(UPPSALA_ADULT)
    pdf = make_pdf(pages=2)
    factories.attached(application, pdf, "Hyresavi.pdf")
    factories.delivered(factories.submitted(application))
    system = System(api)
    listed = system.get(f"/applications/{application.id}").get_json()["attachments"]
    (entry,) = listed
    response = system.get(f"/applications/{application.id}/attachments/{entry['id']}")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Disposition"].startswith("attachment")


# --- audit ----------------------------------------------------------------------------------------


def test_every_read_is_audited_with_the_client_and_the_applicant(api, full):
    system = System(api)
    applicant = full["application"].applicant_id
    for path in read_routes(full):
        before = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "read"))
        assert system.get(path).status_code == 200
        rows = db.session.execute(
            select(AuditEvent.actor_type, AuditEvent.actor_id, AuditEvent.subject_id)
            .where(AuditEvent.action == "read")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).all()
        after = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "read"))
        assert after == before + 1, path
        assert rows == [("api", "uppsala-system", applicant)], path


def test_a_body_over_the_limit_is_413(api, received):
    from portal.api.inputs import MAX_BODY_BYTES

    token = get_token(api)
    response = api.post(
        f"/api/v1/applications/{received.id}/events",
        data=b" " * (MAX_BODY_BYTES + 1),
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.get_json()["error"] == "request_too_large"


@pytest.mark.unit
def test_an_integer_field_takes_what_json_schema_calls_an_integer():
    """JSON Schema counts 2311556.0 as an integer (found by schemathesis against the description): it is taken
    as the integer it is; a fraction, a string or a boolean is still refused."""
    taken = Fields({"amountOre": 2311556.0}).integer("amountOre", 0)
    assert taken == 2311556 and isinstance(taken, int)
    for wrong in (2311556.5, "2311556", True):
        with pytest.raises(BadInput):
            Fields({"amountOre": wrong}).integer("amountOre", 0)
