"""The case through the municipality API (/api/v1): every operation and what the applicant then
sees, idempotency, the timeline polled incrementally, files through an audited route. Scoping,
scopes and bad input are in ``test_api_case_access.py``."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.application.models import Application, ApplicationEvent
from portal.audit.models import AuditEvent
from portal.case.models import Decision, Message, Payment, SupplementRequest
from portal.delivery import services as delivery
from portal.extensions import db
from tests import factories
from tests.support import csrf_from, page_checks
from tests.test_api import (
    LINKOPING,
    UPPSALA_ADULT,
    _fresh_clients,  # noqa: F401  (autouse fixture)
    answer_as_applicant,
    bearer,
    get_token,
    message_as_applicant,
    send_to_uppsala,
)
from tests.test_attachments_domain import make_pdf, make_png


def later(days=10) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


class System:
    """A municipality's case system: a token and short calls."""

    def __init__(self, api, credentials=None, **token_form):
        self.api = api
        self.token = get_token(api, credentials, **token_form) if credentials else get_token(api, **token_form)

    def get(self, path, **kwargs):
        return self.api.get(f"/api/v1{path}", headers=bearer(self.token), **kwargs)

    def post(self, path, body=None, key=None, **kwargs):
        headers = bearer(self.token)
        if key is not None:
            headers["Idempotency-Key"] = key
        if body is not None:
            kwargs["json"] = body
        return self.api.post(f"/api/v1{path}", headers=headers, **kwargs)

    def event(self, application_id, body, key=None, status=201):
        response = self.post(f"/applications/{application_id}/events", body, key=key)
        assert response.status_code == status, response.get_json()
        return response.get_json()


@pytest.fixture
def received(app):
    return send_to_uppsala()


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def system(api):
    return System(api)


@pytest.fixture
def applicant(login, client):
    """The applicant's own browser, logged in through the IdP, in English."""
    login(UPPSALA_ADULT)
    client.get("/language?lang=en&next=/")
    return client


def case_page(applicant, application):
    response = applicant.get(f"/cases/{application.id}")
    assert response.status_code == 200
    db.session.expire_all()
    return page_checks(response, lang="en")


def status_shown(doc) -> str:
    for row in doc.find("dl", id="case-summary").find_all("div", class_="summary__row"):
        if row.find("dt").get_text(strip=True) == "Status":
            return row.find("dd").get_text(" ", strip=True)
    raise AssertionError("no status on the case page")


def timeline_shown(doc) -> list[str]:
    return [li.get_text(" ", strip=True) for li in doc.find("ol", class_="timeline").find_all("li")]


def reads(what: str, object_id: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.actor_type == "api", AuditEvent.action == "read", AuditEvent.object_type == what)
    )
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return db.session.scalar(query)


# --- registration ---------------------------------------------------------------------------------


def test_acknowledge_registers_with_a_case_number_and_register_is_the_same(system, applicant, received):
    first = system.post(f"/applications/{received.id}/acknowledge")
    assert first.status_code == 200
    body = first.get_json()
    year = clock.today().year
    assert body["caseNumber"] == f"EB-{year}-000001" and body["status"] == "received"
    again = system.post(f"/applications/{received.id}/register")
    assert again.status_code == 200 and again.get_json() == body
    assert "Received by the municipality" in status_shown(case_page(applicant, received))
    assert body["caseNumber"] in status_shown(case_page(applicant, received))
    (item,) = system.get("/applications?status=all").get_json()["applications"]
    assert (item["status"], item["caseNumber"], item["inboxId"]) == ("received", body["caseNumber"], "kommun-0380")
    assert system.get("/applications").get_json()["applications"] == []  # "new" is before registration
    case = system.get(f"/applications/{received.id}/case").get_json()
    assert case["caseNumber"] == body["caseNumber"] and case["municipalityCode"] == "0380"
    assert reads("case", received.id) == 1


def test_register_through_the_register_route_first(system, received):
    body = system.post(f"/applications/{received.id}/register").get_json()
    assert body["acknowledged"] is True and body["caseNumber"].startswith("EB-")
    db.session.expire_all()
    assert db.session.get(Application, received.id).case_number == body["caseNumber"]


# --- the whole case, event by event ---------------------------------------------------------------


def test_a_case_from_registration_to_closed_and_what_the_applicant_sees(system, applicant, received):
    app_id = received.id
    system.post(f"/applications/{app_id}/acknowledge")
    seen = system.get(f"/applications/{app_id}/events").get_json()
    assert [e["type"] for e in seen["events"]] == ["submitted", "received"]
    assert seen["events"][1]["data"]["caseNumber"].startswith("EB-") and seen["nextAfter"] is None
    cursor = seen["lastId"]

    handling = system.event(app_id, {"type": "underHandling"})
    assert handling["type"] == "underHandling" and handling["source"] == "municipality"
    assigned = system.event(app_id, {"type": "assigned", "caseworkerId": "per-1", "caseworkerName": "Per Handläggare"})
    doc = case_page(applicant, received)
    assert "Per Handläggare" not in doc.get_text()  # the applicant is told a caseworker handles it, not who
    assert assigned["data"] == {}

    interim = system.event(
        app_id, {"type": "interimReply", "text": "Vi behöver några dagar till.", "expectedBy": later(5)}
    )
    assert interim["data"] == {"text": "Vi behöver några dagar till.", "expectedBy": later(5)}
    assert "Vi behöver några dagar till." in " ".join(timeline_shown(case_page(applicant, received)))

    # Polling: only what is new since the last id seen.
    polled = system.get(f"/applications/{app_id}/events?after={cursor}").get_json()
    assert [e["type"] for e in polled["events"]] == ["underHandling", "assigned", "interimReply"]
    assert polled["lastId"] == interim["id"]
    assert system.get(f"/applications/{app_id}/events?after={polled['lastId']}").get_json() == {
        "events": [],
        "nextAfter": None,
        "lastId": interim["id"],
    }
    paged = system.get(f"/applications/{app_id}/events?after={cursor}&limit=2").get_json()
    assert len(paged["events"]) == 2 and paged["nextAfter"] == paged["events"][-1]["id"]

    # A supplement request; the applicant answers on their page with a file.
    asked = system.event(
        app_id,
        {
            "type": "supplementRequested",
            "what": "Hyreskontrakt",
            "why": "För att se din boendekostnad",
            "dueDate": later(),
        },
    )
    request_id = asked["data"]["requestId"]
    assert asked["data"]["dueDate"] == later()
    assert "Hyreskontrakt" in case_page(applicant, received).get_text()
    assert [a["id"] for a in system.get("/applications?status=waiting").get_json()["applications"]] == [app_id]
    contract = make_pdf(pages=2)
    answer_as_applicant(applicant, app_id, request_id, "Här är kontraktet.", [("kontrakt.pdf", contract)])
    after_answer = system.get(f"/applications/{app_id}/events?after={asked['id']}").get_json()["events"]
    assert [(e["type"], e["source"], e["data"]) for e in after_answer] == [
        ("supplementAnswered", "applicant", {"requestId": request_id})
    ]

    (request,) = system.get(f"/applications/{app_id}/supplement-requests").get_json()["requests"]
    assert request["open"] is False and request["requestedBy"] == "Uppsala kommun, verksamhetssystem (demo)"
    answer = request["answer"]
    assert answer["text"] == "Här är kontraktet." and answer["seenAt"] is None and answer["documentVersion"] == 2
    (file,) = answer["attachments"]
    assert file["name"] == "kontrakt.pdf" and file["sha256"] == hashlib.sha256(contract).hexdigest()
    download = system.get(f"/applications/{app_id}/attachments/{file['id']}")
    assert download.status_code == 200 and download.data == contract and download.mimetype == "application/pdf"
    digest = base64.b64encode(hashlib.sha256(contract).digest()).decode()
    assert download.headers["Content-Digest"] == f"sha-256=:{digest}:"
    assert download.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in download.headers["Cache-Control"]
    assert reads("attachment", file["id"]) == 1

    # The answer is a new document version referring to the first.
    documents = system.get(f"/applications/{app_id}/documents").get_json()["documents"]
    assert [(d["version"], d["documentType"], d["refersTo"]) for d in documents] == [
        (1, "application", None),
        (2, "supplement", 1),
    ]
    version2 = system.get(f"/applications/{app_id}/documents/2")
    assert hashlib.sha256(version2.data).hexdigest() == documents[1]["sha256"] == version2.headers["ETag"].strip('"')
    assert json.loads(version2.data)["answer"]["attachments"][0]["sha256"] == file["sha256"]
    assert system.get(f"/applications/{app_id}/documents/1").data == system.get(f"/applications/{app_id}").data
    assert system.get(f"/applications/{app_id}/documents/3").status_code == 404

    # Supplemented until someone marks the answer seen.
    assert [a["id"] for a in system.get("/applications?status=supplemented").get_json()["applications"]] == [app_id]
    seen_answer = system.post(f"/applications/{app_id}/supplement-requests/{request_id}/seen")
    assert seen_answer.status_code == 200 and seen_answer.get_json()["answer"]["seenAt"] is not None
    assert system.get("/applications?status=supplemented").get_json()["applications"] == []
    assert (
        system.post(f"/applications/{app_id}/supplement-requests/{request_id}/seen").get_json()
        == seen_answer.get_json()
    )  # a repeat changes nothing

    # The decision, with the system's own PDF.
    own = make_pdf(pages=3)
    decided = system.event(
        app_id,
        {
            "type": "decision",
            "outcome": "partlyGranted",
            "amount": 7450,
            "periodStart": "2026-12-01",
            "periodEnd": "2026-12-31",
            "reasoning": "Hyran är högre än skälig nivå.",
            "decidedBy": "Per Handläggare",
            "document": base64.b64encode(own).decode(),
        },
    )
    assert decided["data"]["outcome"] == "partlyGranted"
    doc = case_page(applicant, received)
    assert status_shown(doc).startswith("Decided") and "Partly granted" in doc.find("main").get_text()
    link = doc.find("a", href=f"/cases/{app_id}/decisions/{decided['data']['decisionId']}.pdf")
    assert applicant.get(link["href"]).data == own  # the applicant gets the document as sent
    (decision,) = system.get(f"/applications/{app_id}/decisions").get_json()["decisions"]
    assert decision == {
        "id": decided["data"]["decisionId"],
        "outcome": "partlyGranted",
        "amount": 7450,
        "periodStart": "2026-12-01",
        "periodEnd": "2026-12-31",
        "reasoning": "Hyran är högre än skälig nivå.",
        "decidedBy": "Per Handläggare",
        "decidedAt": decision["decidedAt"],
        "documentSha256": hashlib.sha256(own).hexdigest(),
        "documentSize": len(own),
        "servedOn": None,
        "servedChannel": None,  # served later
        "calculationLines": decision["calculationLines"],
    }
    # No line was judged: the decision carries each as proposed (tests/test_calculation_api.py judges them).
    assert decision["calculationLines"] and {line["status"] for line in decision["calculationLines"]} == {"proposed"}
    pdf = system.get(f"/applications/{app_id}/decisions/{decision['id']}/document")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data == own
    assert reads("decision", decision["id"]) == 1
    assert [a["id"] for a in system.get("/applications?status=decided").get_json()["applications"]] == [app_id]
    second = system.post(
        f"/applications/{app_id}/events",
        {"type": "decision", "outcome": "refused", "reasoning": "Nej.", "decidedBy": "Per"},
    )
    assert second.status_code == 409 and second.get_json()["reason"] == "wrong_state"

    # Payments: planned, then paid, by the municipality's reference.
    planned = system.event(
        app_id, {"type": "payment", "externalRef": "UTB-1", "amount": 7450, "dueDate": "2026-12-03", "state": "planned"}
    )
    repeat = system.post(
        f"/applications/{app_id}/events",
        {"type": "payment", "externalRef": "UTB-1", "amount": 7450, "dueDate": "2026-12-03", "state": "planned"},
    )
    assert repeat.status_code == 200 and repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.get_json() == planned  # unchanged: the same event, no second entry
    paid = system.event(
        app_id, {"type": "payment", "externalRef": "UTB-1", "amount": 7450, "dueDate": "2026-12-03", "state": "paid"}
    )
    assert paid["id"] > planned["id"] and paid["data"]["state"] == "paid"
    (payment,) = system.get(f"/applications/{app_id}/payments").get_json()["payments"]
    assert (payment["externalRef"], payment["state"], payment["amount"]) == ("UTB-1", "paid", 7450)
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    payments = case_page(applicant, received).find(id="payments").find_next("table").get_text(" ", strip=True)
    assert "Paid" in payments

    closed = system.event(app_id, {"type": "closed"})
    assert closed["type"] == "closed"
    assert status_shown(case_page(applicant, received)).startswith("Closed")
    case = system.get(f"/applications/{app_id}/case").get_json()
    assert case["status"] == "closed" and case["closedAt"] is not None and case["openRequests"] == 0
    everything = [e["type"] for e in system.get(f"/applications/{app_id}/events").get_json()["events"]]
    assert everything == [
        "submitted",
        "received",
        "underHandling",
        "assigned",
        "interimReply",
        "supplementRequested",
        "supplementAnswered",
        "decision",
        "payment",
        "payment",
        "closed",
    ]
    # Every change is audited with the system as the actor.
    changes = db.session.scalars(
        select(AuditEvent.purpose).where(
            AuditEvent.actor_type == "api", AuditEvent.actor_id == "uppsala-system", AuditEvent.action != "read"
        )
    ).all()
    assert {
        "arrival registration",
        "handling started",
        "assigned to a caseworker",
        "interim reply",
        "supplement requested",
        "decision: partly_granted",
        "payment planned",
        "payment paid",
        "case closed",
    } <= set(changes)


def test_a_refusal_without_a_document_gets_one_rendered(system, applicant, received):
    system.post(f"/applications/{received.id}/acknowledge")
    decided = system.event(
        received.id,
        {"type": "decision", "outcome": "refused", "decidedBy": "Per", "reasoning": "Inkomsten täcker behovet."},
    )
    (decision,) = system.get(f"/applications/{received.id}/decisions").get_json()["decisions"]
    assert decision["outcome"] == "refused" and decision["amount"] is None and decision["periodStart"] is None
    pdf = system.get(f"/applications/{received.id}/decisions/{decided['data']['decisionId']}/document")
    assert pdf.data.startswith(b"%PDF-") and hashlib.sha256(pdf.data).hexdigest() == decision["documentSha256"]
    assert "Refused" in case_page(applicant, received).find("main").get_text()


def test_not_handled_with_the_reason(system, applicant, received):
    system.post(f"/applications/{received.id}/acknowledge")
    system.event(received.id, {"type": "notHandled", "reason": "Du har redan en ansökan för samma månad."})
    doc = case_page(applicant, received)
    assert status_shown(doc).startswith("Will not be handled")
    assert "Du har redan en ansökan för samma månad." in doc.find("main").get_text(" ", strip=True)
    refused = system.post(f"/applications/{received.id}/events", {"type": "closed"})
    assert refused.status_code == 409 and refused.get_json()["reason"] == "wrong_state"


def test_forwarding_moves_the_case_to_the_other_municipality(api, system, applicant, received):
    system.post(f"/applications/{received.id}/acknowledge")
    linkoping = System(api, LINKOPING)
    forwarded = system.event(
        received.id,
        {
            "type": "forwarded",
            "municipalityCode": "0580",
            "reason": "Du är folkbokförd i Linköping sedan förra månaden.",
        },
    )
    assert forwarded["data"]["toMunicipality"] == "0580" and forwarded["data"]["fromMunicipality"] == "0380"
    # Uppsala loses access at once, on every route.
    assert system.get("/applications?status=all").get_json()["applications"] == []
    for path in ("", "/case", "/events", "/messages", "/documents"):
        assert system.get(f"/applications/{received.id}{path}").status_code == 404
    assert system.post(f"/applications/{received.id}/events", {"type": "underHandling"}).status_code == 404
    # Linköping has it once delivered, as new, and registers it in its own series.
    assert linkoping.get("/applications").get_json()["applications"] == []
    assert delivery.run_once() == 1
    (item,) = linkoping.get("/applications").get_json()["applications"]
    assert item["id"] == received.id and item["acknowledged"] is False and item["caseNumber"] is None
    number = linkoping.post(f"/applications/{received.id}/acknowledge").get_json()["caseNumber"]
    assert number == f"EB-{clock.today().year}-000001"  # Linköping's own series (the Swedish year)
    types = [e["type"] for e in linkoping.get(f"/applications/{received.id}/events").get_json()["events"]]
    assert types[-2:] == ["forwarded", "received"]
    doc = case_page(applicant, received)
    assert "Du är folkbokförd i Linköping" in doc.get_text() and number in status_shown(doc)
    assert system.get("/applications?status=all").get_json()["applications"] == []


def test_forwarding_refusals(system, received):
    system.post(f"/applications/{received.id}/acknowledge")
    unknown = system.post(
        f"/applications/{received.id}/events", {"type": "forwarded", "municipalityCode": "9999", "reason": "x"}
    )
    assert unknown.status_code == 400 and unknown.get_json()["errors"][0]["pointer"] == "/municipalityCode"
    kiruna = system.post(
        f"/applications/{received.id}/events", {"type": "forwarded", "municipalityCode": "2584", "reason": "moved"}
    )
    assert kiruna.status_code == 409 and kiruna.get_json()["reason"] == "not_receiving"
    unit = system.post(
        f"/applications/{received.id}/events",
        {"type": "forwarded", "municipalityCode": "0180", "inboxId": "goteborg-centrum", "reason": "wrong unit"},
    )
    assert unit.status_code == 400 and unit.get_json()["reason"] == "unknown_inbox"
    same = system.post(
        f"/applications/{received.id}/events", {"type": "forwarded", "municipalityCode": "0380", "reason": "same"}
    )
    assert same.status_code == 409 and same.get_json()["reason"] == "same_inbox"
    db.session.expire_all()
    assert db.session.get(Application, received.id).municipality_code == "0380"


# --- messages -------------------------------------------------------------------------------------


def sent_message_read_at(message_id):
    from portal.case.models import Message
    from portal.extensions import db

    db.session.expire_all()
    return db.session.get(Message, message_id).read_at


def test_messages_both_ways_with_read_state_and_files(system, applicant, received):
    app_id = received.id
    system.post(f"/applications/{app_id}/acknowledge")
    sent = system.post(
        f"/applications/{app_id}/messages", {"body": "Kan du ringa oss?", "authorName": "Per", "replyRequested": True}
    )
    assert sent.status_code == 201
    ours = sent.get_json()
    assert ours["sender"] == "municipality" and ours["replyRequested"] is True and ours["readAt"] is None
    page = applicant.get(f"/cases/{app_id}/messages")
    assert "Kan du ringa oss?" in page.get_data(as_text=True)
    assert sent_message_read_at(ours["id"]) is None  # opening the page marks nothing
    applicant.post(f"/cases/{app_id}/messages/read", data={"csrf_token": csrf_from(page)})
    picture = make_png()
    message_as_applicant(applicant, app_id, "Ja, i morgon.", [("bild.png", picture)])

    listed = system.get(f"/applications/{app_id}/messages").get_json()
    assert listed["unread"] == 1
    mine, theirs = listed["messages"]
    assert mine["id"] == ours["id"] and mine["readAt"] is not None  # the applicant marked it read
    assert theirs["sender"] == "applicant" and theirs["body"] == "Ja, i morgon." and theirs["readAt"] is None
    (file,) = theirs["attachments"]
    assert system.get(f"/applications/{app_id}/attachments/{file['id']}").data == picture
    # Reading is not marking read: a second read still shows it unread.
    assert system.get(f"/applications/{app_id}/messages").get_json()["unread"] == 1
    assert reads("case_messages", app_id) == 2
    marked = system.post(f"/applications/{app_id}/messages/read")
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1, "unread": 0}
    assert system.get(f"/applications/{app_id}/messages").get_json()["messages"][1]["readAt"] is not None
    assert system.post(f"/applications/{app_id}/messages/read").get_json() == {"marked": 0, "unread": 0}
    reply = system.post(
        f"/applications/{app_id}/messages", {"body": "Tack.", "authorName": "Per", "inReplyTo": theirs["id"]}
    )
    assert reply.status_code == 201 and reply.get_json()["inReplyTo"] == theirs["id"]
    unknown = system.post(
        f"/applications/{app_id}/messages",
        {"body": "?", "authorName": "Per", "inReplyTo": "00000000-0000-4000-8000-000000000000"},
    )
    assert unknown.status_code == 400 and unknown.get_json()["reason"] == "unknown_message"
    types = [e["type"] for e in system.get(f"/applications/{app_id}/events").get_json()["events"]]
    assert types.count("message") == 3


# --- idempotency ----------------------------------------------------------------------------------


def test_an_idempotency_key_makes_a_repeat_answer_the_first_result(system, received):
    system.post(f"/applications/{received.id}/acknowledge")
    body = {"type": "supplementRequested", "what": "Kontoutdrag", "why": "Inkomster", "dueDate": later()}
    first = system.post(f"/applications/{received.id}/events", body, key="req-7f3a")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = system.post(f"/applications/{received.id}/events", body, key="req-7f3a")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and first.get_json()["idempotencyKey"] == "req-7f3a"
    assert db.session.scalar(select(func.count()).select_from(SupplementRequest)) == 1
    other = system.post(f"/applications/{received.id}/events", {**body, "what": "Annat"}, key="req-7f3a")
    assert other.status_code == 422 and other.get_json()["error"] == "idempotency_key_reused"
    assert system.post(f"/applications/{received.id}/events", body, key="req-2").status_code == 201  # a new key
    assert db.session.scalar(select(func.count()).select_from(SupplementRequest)) == 2
    # The key is the system's: the applicant's view of the event carries none of it.
    stored = db.session.scalars(select(ApplicationEvent.data).where(ApplicationEvent.kind == "supplement_requested"))
    assert all(set(d) == {"request_id", "due_date", "_api_idempotency"} for d in stored)


def test_a_document_sent_later_is_a_message_naming_its_requirement(system, applicant, app):
    """Anders said the dentist's estimate would come later; sent from his case page, a system sees which of
    the document's expectedDocuments the message's file is."""
    from portal.situation import documents
    from tests.test_situation_exchange import answer

    draft = factories.draft(UPPSALA_ADULT)
    answer(draft, "needs", {"needs": ["dental"], "dental_amount": 350_000})
    dentist = next(r for r in documents.expected(draft) if r.kind == "dental_estimate")
    documents.respond(draft, dentist, documents.LATER)
    application = factories.delivered(factories.submitted(draft))
    path = f"/cases/{application.id}/documents/{dentist.key}"
    page = applicant.get(path)
    sent = applicant.post(
        path,
        data={"csrf_token": csrf_from(page), "files": (io.BytesIO(make_pdf()), "tandlakare.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    (message,) = system.get(f"/applications/{application.id}/messages").get_json()["messages"]
    assert message["sender"] == "applicant" and message["documentRequirement"] == dentist.key
    assert [f["name"] for f in message["attachments"]] == ["tandlakare.pdf"]
    frozen = system.get(f"/applications/{application.id}").get_json()
    requirements = {d["requirement"]: d["status"] for d in frozen["expectedDocuments"]}
    assert requirements[dentist.key] == "later"


def test_a_message_repeated_with_its_key_is_sent_once(system, received):
    system.post(f"/applications/{received.id}/acknowledge")
    body = {"body": "Välkommen på besök.", "authorName": "Per"}
    first = system.post(f"/applications/{received.id}/messages", body, key="msg-1")
    again = system.post(f"/applications/{received.id}/messages", body, key="msg-1")
    assert (first.status_code, again.status_code) == (201, 200) and again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert (
        system.post(f"/applications/{received.id}/messages", {**body, "replyRequested": True}, key="msg-1").status_code
        == 422
    )


def test_without_a_key_a_state_change_cannot_happen_twice(system, received):
    system.post(f"/applications/{received.id}/acknowledge")
    system.event(received.id, {"type": "underHandling"})
    repeat = system.post(f"/applications/{received.id}/events", {"type": "underHandling"})
    assert repeat.status_code == 409 and repeat.get_json()["reason"] == "wrong_state"
    assert repeat.mimetype == "application/problem+json" and repeat.get_json()["status"] == 409
    grant = {
        "type": "decision",
        "outcome": "granted",
        "amount": 100,
        "periodStart": "2026-12-01",
        "periodEnd": "2026-12-31",
        "reasoning": "Ja.",
        "decidedBy": "Per",
    }
    system.event(received.id, grant)
    assert system.post(f"/applications/{received.id}/events", grant).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1


# --- files ----------------------------------------------------------------------------------------


def test_only_files_the_applicant_has_sent_are_served(app, system, received):
    from portal.attachments import services as attachments
    from portal.attachments.storage import current_storage

    system.post(f"/applications/{received.id}/acknowledge")
    system.event(
        received.id, {"type": "supplementRequested", "what": "Lönespecifikation", "why": "Inkomst", "dueDate": later()}
    )
    # Uploaded for an answer, not sent yet: the applicant's own.
    draft = attachments.add(received.id, received.applicant_id, make_pdf(), "utkast.pdf", current_storage())
    db.session.commit()
    assert system.get(f"/applications/{received.id}/attachments/{draft.id}").status_code == 404
    assert system.get(f"/applications/{received.id}/attachments/not-an-id").status_code == 404
    assert reads("attachment") == 0


def test_the_same_event_posted_at_once_by_several_workers_is_applied_once(app, databases, system, received):
    """A system that retries in parallel (several workers, one key): the application's row lock
    queues them, the first applies the event, the others answer its result."""
    import threading

    if databases.dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite has one writer at a time anyway)")
    system.post(f"/applications/{received.id}/acknowledge")
    body = {"type": "supplementRequested", "what": "Kontoutdrag", "why": "Inkomster", "dueDate": later()}
    start = threading.Barrier(6)
    answers = []

    def post():
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/applications/{received.id}/events",
            json=body,
            headers={**bearer(system.token), "Idempotency-Key": "parallel-1"},
        )
        answers.append((response.status_code, response.get_json()["id"]))

    workers = [threading.Thread(target=post) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(status for status, _ in answers) == [200] * 5 + [201]
    assert len({event_id for _, event_id in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(SupplementRequest)) == 1
