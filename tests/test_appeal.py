"""The appeal (issue 17, point 2): written from the decision in the applicant's language, signed by step-up,
delivered as an event, a document version and a PDF (the API, the webhook); late appeals accepted and marked
late; the municipality reconsiders and forwards, in the inbox and over the API; who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.appeal import services as appeals
from portal.appeal.deadline import appeal_deadline
from portal.appeal.models import Appeal
from portal.application.models import ApplicationEvent
from portal.auth.access import within_mandate
from portal.auth.actor import CITIZEN, Actor
from portal.case.models import Decision
from portal.delgivning import services as delgivning
from portal.delivery.models import Delivery
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests import factories
from tests.support import at_idp, csrf_from, idp_login, page_checks, soup
from tests.test_api import UPPSALA_ADULT, _fresh_clients  # noqa: F401  (autouse fixture)
from tests.test_api_case import System
from tests.test_caseworker import caseworker
from tests.test_delgivning import mail  # noqa: F401  (fixture)
from tests.test_pdf import assert_accessible
from tests.test_webhook import receiver  # noqa: F401  (fixture)

STAFF = "staff-uppsala-1"  # Uppsala's caseworker
OTHER_STAFF = "staff-stockholm-1"
SOMEONE_ELSE = "199212252382"  # Amina, Södertälje


def decided_and_served(outcome="refused"):
    application = factories.received(factories.sent(UPPSALA_ADULT))
    decision = factories.decided(application, outcome)
    assert delgivning.serve_pending() == 1  # the sandbox's digital mailbox (Anders has one)
    db.session.expire_all()
    return application, db.session.get(Decision, decision.id)


def applicant_browser(app, lang="ar"):
    client = app.test_client()
    client.set_cookie("portal_lang", lang)
    idp_login(client, "/auth/login", {"subject": UPPSALA_ADULT})
    return client


def appeal_by_page(
    client,
    application,
    decision,
    change="Jag vill få bistånd till hyran.",
    reasons="Kommunen räknade inte med min hyra.",
    signer=UPPSALA_ADULT,
):
    path = f"/cases/{application.id}/decisions/{decision.id}/appeal"
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path, data={"csrf_token": csrf_from(page), "change": change, "reasons": reasons})
    assert response.status_code == 302 and response.location.startswith("http"), response.status_code
    return at_idp(client, response, {"subject": signer})


def shown_on_case_page(client, application):
    return page_checks(client.get(f"/cases/{application.id}"), lang="ar", direction="rtl")


def the_appeal(decision) -> Appeal:
    db.session.expire_all()
    return appeals.of_decision(decision.id)


@pytest.mark.usefixtures("mail")
def test_appeal_in_arabic_signed_by_step_up_then_reconsidered_and_forwarded_in_the_inbox(app):
    application, decision = decided_and_served()
    client = applicant_browser(app)
    case_page = page_checks(client.get(f"/cases/{application.id}"), lang="ar", direction="rtl")
    link = case_page.find(id="appeal-link")
    assert link["href"] == f"/cases/{application.id}/decisions/{decision.id}/appeal"
    deadline = appeal_deadline(decision.served_on)
    write = page_checks(client.get(link["href"]), lang="ar", direction="rtl")
    from flask_babel import force_locale

    from portal.i18n.services import day

    with app.test_request_context(), force_locale("ar"):
        shown = day(deadline)
    assert write.find(id="appeal-deadline").get_text(strip=True) == shown

    entries_before = len(case_page.find(class_="timeline").find_all("li"))
    back = appeal_by_page(client, application, decision, change="أريد أن تدفع البلدية الإيجار.")
    assert back.status_code == 302 and back.location.endswith(f"/cases/{application.id}#appeal")
    appeal = the_appeal(decision)
    assert appeal.status == "sent" and not appeal.late and appeal.deadline == deadline
    assert appeal.deadline_basis == "served" and appeal.language == "ar" and appeal.change.startswith("أريد")
    reader = assert_accessible(appeal.document, archived=True)  # tagged PDF/A-2a, fonts embedded
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Överklagande" in text and application.case_number in text
    frozen = db.session.scalar(
        select(FrozenDocument).where(
            FrozenDocument.application_id == application.id, FrozenDocument.version == appeal.document_version
        )
    )
    assert frozen.schema_version == "appeal-1.0.0" and '"late":false' in frozen.body and frozen.refers_to
    shown = page_checks(client.get(f"/cases/{application.id}"), lang="ar", direction="rtl")
    assert shown.find(id="appeal-link") is None and shown.find(id="appeal-status")

    worker = caseworker(app, STAFF)
    listed = soup(worker.get("/municipality/inbox?filter=appealed"))
    assert f"/municipality/inbox/{application.id}" in {a.get("href") for a in listed.find_all("a")}
    path = f"/municipality/inbox/{application.id}"
    page = worker.get(path)
    assert page_checks(page, lang="en").find(id="appeal-state").get_text(strip=True) == "To reconsider"
    pdf = worker.get(f"{path}/appeals/{appeal.id}.pdf")
    assert pdf.status_code == 200 and pdf.data == appeal.document
    empty = worker.post(f"{path}/appeals/{appeal.id}/reconsider", data={"csrf_token": csrf_from(page)})
    assert empty.status_code == 400
    assert (
        worker.post(
            f"{path}/appeals/{appeal.id}/reconsider",
            data={
                "csrf_token": csrf_from(page),
                "appeal_reconsider-outcome": "kept",
                "appeal_reconsider-note": "Hyran är över skälig nivå.",
            },
        ).status_code
        == 302
    )
    assert the_appeal(decision).status == "reconsidered"
    page = worker.get(path)
    future = (clock.today() + timedelta(days=1)).isoformat()
    typed = worker.post(
        f"{path}/appeals/{appeal.id}/forward",
        data={
            "csrf_token": csrf_from(page),
            "appeal_forward-opinion": "Kommunen vidhåller beslutet.",
            "appeal_forward-forwarded_on": future,
        },
    )
    assert typed.status_code == 400 and "Kommunen vidhåller beslutet." in typed.get_data(as_text=True)
    assert (
        worker.post(
            f"{path}/appeals/{appeal.id}/forward",
            data={"csrf_token": csrf_from(page), "appeal_forward-opinion": "Kommunen vidhåller beslutet."},
        ).status_code
        == 302
    )
    appeal = the_appeal(decision)
    assert appeal.status == "forwarded" and appeal.forwarded_on == clock.today()
    assert appeal.opinion == "Kommunen vidhåller beslutet." and appeal.reconsideration == "kept"
    listed = soup(worker.get("/municipality/inbox?filter=appealed"))
    assert f"/municipality/inbox/{application.id}" not in {a.get("href") for a in listed.find_all("a")}
    kinds = [
        e.kind
        for e in db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id)
        )
    ]
    assert kinds[-3:] == ["appealed", "appeal_reconsidered", "appeal_forwarded"]
    timeline = (
        page_checks(client.get(f"/cases/{application.id}"), lang="ar", direction="rtl")
        .find(class_="timeline")
        .find_all("li")
    )
    assert len(timeline) == entries_before + 3  # appealed, reconsidered, forwarded: the applicant follows it
    assert shown_on_case_page(client, application).find(id="appeal-status") is not None


@pytest.mark.usefixtures("mail")
def test_a_cancelled_signing_keeps_what_was_written_and_sends_nothing(app):
    application, decision = decided_and_served()
    client = applicant_browser(app, "en")
    path = f"/cases/{application.id}/decisions/{decision.id}/appeal"
    page = client.get(path)
    missing = client.post(path, data={"csrf_token": csrf_from(page), "change": "More money", "reasons": ""})
    assert missing.status_code == 400
    assert "More money" in missing.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_from(page), "change": "More money", "reasons": "Rent"})
    assert response.status_code == 302
    refused = at_idp(client, response, {"subject": SOMEONE_ELSE})  # someone else identifies
    assert refused.status_code == 400 and the_appeal(decision) is None
    again = soup(client.get(path))
    assert again.find("textarea", attrs={"name": "change"}).get_text() == "More money"


@pytest.mark.usefixtures("mail")
def test_a_late_appeal_is_accepted_and_marked_late(app):
    application, decision = decided_and_served()
    deadline = appeal_deadline(decision.served_on)
    clock.travel(
        datetime.combine(deadline + timedelta(days=1), datetime.min.time(), clock.SWEDEN) + timedelta(hours=10)
    )
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Mer pengar", "Hyran", person.id, "Anders", clock.now(), "sv")
    assert appeal.late and appeal.deadline == deadline
    (event,) = [e for e in application.events if e.kind == "appealed"]
    assert event.data["late"] is True
    with pytest.raises(appeals.AppealError) as refused:
        appeals.send(application, decision, "Igen", "Igen", person.id, "Anders", clock.now(), "sv")
    assert refused.value.reason == "already_appealed"


def test_the_last_day_itself_is_in_time():
    # A decision served on Friday 4 December 2026 has its last day on Friday 28 December... which is a Monday:
    # julafton, juldagen and annandag jul are not, so three weeks on (25 December) moves to Monday 28.
    from datetime import date

    assert appeal_deadline(date(2026, 12, 4)) == date(2026, 12, 28)


def test_an_appeal_before_the_decision_is_served_counts_from_the_decision_date(app):
    application = factories.received(factories.sent(UPPSALA_ADULT))
    decision = factories.decided(application, "refused")
    assert decision.served_on is None
    due = appeals.deadline_of(decision)
    assert due.basis == "decided" and due.start == decision.decided_at.astimezone(clock.SWEDEN).date()
    assert due.day == appeal_deadline(due.start)
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Bevilja", "Skäl", person.id, "Anders", clock.now(), "sv")
    assert appeal.deadline_basis == "decided" and not appeal.late


@pytest.mark.usefixtures("mail")
def test_only_the_applicant_or_a_proxy_with_the_submit_scope_may_appeal(app):
    application, decision = decided_and_served()
    path = f"/cases/{application.id}/decisions/{decision.id}/appeal"
    stranger = app.test_client()
    idp_login(stranger, "/auth/login", {"subject": SOMEONE_ELSE})
    assert stranger.get(path).status_code in (403, 404)
    assert stranger.post(path, data={"change": "x", "reasons": "y"}).status_code in (400, 403, 404)
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 302  # to the login
    principal = factories.person(UPPSALA_ADULT).id
    reader = Actor(kind=CITIZEN, id="proxy", role="proxy", acting_for=principal, scopes=frozenset({"view"}))
    sender = Actor(kind=CITIZEN, id="proxy", role="proxy", acting_for=principal, scopes=frozenset({"view", "submit"}))
    assert within_mandate(reader, "appeal", principal, "GET") and not within_mandate(
        reader, "appeal", principal, "POST"
    )
    assert within_mandate(sender, "appeal", principal, "POST")
    assert not within_mandate(reader, "sign", principal, "GET")  # the step-up's callback needs submit too
    other = caseworker(app, OTHER_STAFF)
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Mer", "Hyran", person.id, "Anders", clock.now(), "sv")
    inbox = f"/municipality/inbox/{application.id}/appeals/{appeal.id}"
    assert other.get(f"{inbox}.pdf").status_code == 404
    assert other.post(f"{inbox}/reconsider", data={}).status_code in (400, 404)
    assert the_appeal(decision).status == "sent"


@pytest.mark.usefixtures("mail")
def test_the_appeal_over_the_api_events_documents_reconsider_and_forward(app):
    application, decision = decided_and_served()
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Mer", "Hyran", person.id, "Anders", clock.now(), "ar")
    system = System(app.test_client())
    events = system.get(f"/applications/{application.id}/events").get_json()["events"]
    (appealed,) = [e for e in events if e["type"] == "appealed"]
    assert appealed["data"]["appealId"] == appeal.id and appealed["data"]["late"] is False
    assert appealed["data"]["documentVersion"] == appeal.document_version
    documents = system.get(f"/applications/{application.id}/documents").get_json()
    listed = documents["documents"] if isinstance(documents, dict) else documents
    assert any(d["version"] == appeal.document_version and d["documentType"] == "appeal" for d in listed)
    body = system.get(f"/applications/{application.id}/appeals").get_json()
    assert [a["id"] for a in body["appeals"]] == [appeal.id] and body["appeals"][0]["status"] == "sent"
    pdf = system.get(f"/applications/{application.id}/appeals/{appeal.id}/document")
    assert pdf.status_code == 200 and pdf.data == appeal.document and "Content-Digest" in pdf.headers
    early = system.post(f"/applications/{application.id}/appeals/{appeal.id}/forward", {"opinion": "Nej"})
    assert early.status_code == 409  # reconsider first
    bad = system.post(
        f"/applications/{application.id}/appeals/{appeal.id}/reconsider", {"outcome": "maybe", "note": "x"}
    )
    assert bad.status_code == 400
    done = system.post(
        f"/applications/{application.id}/appeals/{appeal.id}/reconsider",
        {"outcome": "changed", "note": "Hyran godtas."},
    )
    assert done.status_code == 200 and done.get_json()["reconsideration"] == "changed"
    forwarded = system.post(
        f"/applications/{application.id}/appeals/{appeal.id}/forward",
        {"opinion": "Delvis ändrat.", "forwardedOn": clock.today().isoformat()},
    )
    assert forwarded.status_code == 200 and forwarded.get_json()["status"] == "forwarded"
    types = [e["type"] for e in system.get(f"/applications/{application.id}/events").get_json()["events"]]
    assert types[-2:] == ["appealReconsidered", "appealForwarded"]
    other = System(app.test_client(), ("linkoping-system", "linkoping-demo-secret"))
    assert other.get(f"/applications/{application.id}/appeals").status_code == 404


def test_an_inbox_municipality_gets_no_push_the_appeal_is_in_the_inbox_and_the_api(app):
    from portal.routing.config import routing_config

    application = factories.received(factories.sent(UPPSALA_ADULT))
    decision = factories.decided(application, "refused")
    assert routing_config().inboxes[application.inbox_id].channel != "webhook"
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Mer", "Hyran", person.id, "Anders", clock.now(), "sv")
    assert (
        db.session.scalars(
            select(Delivery).where(Delivery.idempotency_key == f"{application.reference}/v{appeal.document_version}")
        ).all()
        == []
    )


def test_a_webhook_municipality_gets_the_appeal_pushed_as_its_own_delivery(app, request):
    sample = request.getfixturevalue("receiver")  # Västerås's webhook pointed at the sample receiver
    from portal.delivery import services as delivery
    from tests.test_webhook import FIRST, SECOND, apply, cases

    application = apply(app, FIRST, SECOND)
    assert delivery.run_once() == 1
    factories.received(application)
    decision = factories.decided(application, "refused")
    person = factories.person(FIRST)
    appeal = appeals.send(application, decision, "Bevilja", "Hyran", person.id, "Sara Holm", clock.now(), "sv")
    key = f"{application.reference}/v{appeal.document_version}"
    pushed = db.session.scalar(select(Delivery).where(Delivery.idempotency_key == key))
    assert (pushed.channel, pushed.inbox_id, pushed.status) == ("webhook", "vasteras", "pending")
    assert delivery.run_once() == 1
    frozen = db.session.scalar(
        select(FrozenDocument).where(
            FrozenDocument.application_id == application.id, FrozenDocument.version == appeal.document_version
        )
    )
    received = {case["idempotency_key"]: case for case in cases(sample)["cases"]}
    assert received[key]["sha256"] == frozen.sha256 and f"{application.reference}/v1" in received


@pytest.mark.usefixtures("mail")
def test_the_page_explaining_the_decision_leads_to_the_appeal_with_the_last_day(app):
    application, decision = decided_and_served()
    client = applicant_browser(app, "en")
    path = f"/cases/{application.id}/decisions/{decision.id}"
    explained = page_checks(client.get(path), lang="en")
    deadline = appeal_deadline(decision.served_on)
    from flask_babel import force_locale

    from portal.i18n.services import day

    with app.test_request_context(), force_locale("en"):
        shown = day(deadline)
    assert explained.find(id="appeal-last-day").get_text(" ", strip=True) == f"Last day to appeal: {shown}"
    assert explained.find(id="appeal-start")["href"] == f"{path}/appeal"
    appeal_by_page(client, application, decision)
    again = page_checks(client.get(path), lang="en")
    assert again.find(id="appeal-start") is None and again.find(id="appeal-sent") is not None


def test_the_archive_package_holds_the_appeal_and_what_the_municipality_did_with_it(app):
    import io
    import json
    import zipfile

    from portal.archive import description
    from portal.archive.package import build

    application = factories.received(factories.sent(UPPSALA_ADULT))
    decision = factories.decided(application, "refused")
    person = factories.person(UPPSALA_ADULT)
    appeal = appeals.send(application, decision, "Bevilja hyran", "Hyran", person.id, "Anders", clock.now(), "sv")
    appeals.reconsider(appeal, "kept", "Hyran är för hög.", "Per Handläggare")
    appeals.forward(appeal, "Kommunen vidhåller beslutet.", "Per Handläggare")
    package = build(application)
    by_path = {f.path: f for f in package.files}
    assert by_path["documents/appeal-1.pdf"].data == appeal.document
    assert by_path["documents/appeal-1.pdf"].kind == "appeal"
    assert any(p.startswith(f"exchange/document-v{appeal.document_version}-") for p in by_path)
    correspondence = json.loads(by_path["case/correspondence.json"].data)
    (kept,) = correspondence["appeals"]
    assert kept["reconsideration"] == "kept" and kept["opinion"] == "Kommunen vidhåller beslutet."
    assert description.validate(package.description) == []  # "appeal" is a record type of the schema
    zipped = zipfile.ZipFile(io.BytesIO(package.zip_bytes()))
    assert zipped.read("documents/appeal-1.pdf") == appeal.document
