"""Delgivning (issue 17, point 1): a decision served by digital mail through the sandbox's infrastructure
over HTTP, else by paper through the municipality's print queue; faults retried, then paper, nothing lost.
The timeline and the API carry the channel and the date."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from portal import clock
from portal.api import representation as rep
from portal.case.models import Decision
from portal.delgivning import services as delgivning
from portal.delgivning.models import Delgivning
from portal.extensions import db
from tests import factories
from tests.test_journey import SINGLE_ADULT
from tests.test_pdf import assert_accessible

AMINA = "199212252382"  # Södertälje, no digital mailbox (devstack/sandbox/digitalmail.py WITHOUT_MAILBOX)
LEILA = "staff-sodertalje-1"  # Södertälje's caseworker


@pytest.fixture
def mail(live_services):
    """The sandbox infrastructure's control API: delivered messages and faults, cleared around a test."""
    control = httpx.Client(base_url=live_services["sandbox_url"], headers={"Authorization": "Bearer sandbox-token"})
    control.delete("/_control/digitalmail/faults")
    control.delete("/_control/digitalmail/messages")
    yield control
    control.delete("/_control/digitalmail/faults")
    control.close()


def decided(personnummer, outcome="granted"):
    application = factories.received(factories.sent(personnummer))
    decision = factories.decided(application, outcome)
    return application, decision


def record_of(decision):
    db.session.expire_all()
    return delgivning.of_decision(decision.id)


def test_the_decision_writes_a_service_record_and_the_worker_serves_it_digitally(app, mail):
    application, decision = decided(SINGLE_ADULT)
    assert record_of(decision).status == "pending" and decision.served_on is None
    assert delgivning.serve_pending() == 1
    entry = record_of(decision)
    decision = db.session.get(Decision, decision.id)
    assert entry.status == "served" and entry.receipt_id.startswith("MM-") and entry.mailbox
    assert decision.served_channel == "digital" and decision.served_on == clock.today()
    [sent] = mail.get("/_control/digitalmail/messages").json()["messages"]
    assert sent["person"] == "single-adult" and sent["receipt"] == entry.receipt_id
    assert sent["documents"][0]["sha256"] == decision.document_sha256
    served = [e for e in application.events if e.kind == "served"]
    assert served[0].data["channel"] == "digital" and served[0].data["served_on"] == clock.today().isoformat()
    api = rep.event(served[0])
    assert api["type"] == "served" and api["data"]["channel"] == "digital"
    assert api["data"]["servedOn"] == clock.today().isoformat() and api["data"]["receiptId"] == entry.receipt_id
    assert rep.decision(decision)["servedChannel"] == "digital"
    assert rep.decision(decision)["servedOn"] == clock.today().isoformat()
    assert delgivning.serve_pending() == 0  # served once


def test_without_a_mailbox_the_decision_goes_to_the_print_queue_then_served_by_post(app, mail):
    application, decision = decided(AMINA, "refused")
    assert delgivning.serve_pending() == 1
    entry = record_of(decision)
    assert entry.status == "printing" and entry.paper_reason == "no_mailbox"
    assert mail.get("/_control/digitalmail/messages").json()["messages"] == []
    code = application.municipality_code
    assert [e.id for e in delgivning.print_queue(code)] == [entry.id]
    pdf = delgivning.batch_pdf(code, [entry.id])
    reader = assert_accessible(pdf, archived=True)  # tagged PDF/A-2a, fonts embedded
    assert "Amina" in "".join(page.extract_text() for page in reader.pages)
    assert record_of(decision).status == "printing"  # printed is not yet sent
    assert delgivning.confirm_sent(code, [entry.id], "Per Handläggare") == 1
    decision = db.session.get(Decision, decision.id)
    assert decision.served_channel == "paper" and decision.served_on == clock.today()
    assert delgivning.print_queue(code) == []
    assert [e.data["channel"] for e in application.events if e.kind == "served"] == ["paper"]
    with pytest.raises(LookupError):  # confirmed twice: it is no longer in the queue
        delgivning.confirm_sent(code, [entry.id], "Per Handläggare")


def test_a_queue_confirms_only_its_own_municipality(app, mail):
    application, decision = decided(AMINA)
    delgivning.serve_pending()
    entry = record_of(decision)
    other = "0180" if application.municipality_code != "0180" else "0380"
    with pytest.raises(LookupError):
        delgivning.confirm_sent(other, [entry.id], "Someone")
    with pytest.raises(LookupError):
        delgivning.batch_pdf(other, [entry.id])


def test_a_failing_lookup_is_retried_then_the_decision_goes_to_paper_and_nothing_is_lost(app, mail):
    answer = mail.post(
        "/_control/digitalmail/faults",
        json={
            "rules": [
                {
                    "provider": "digitalmail",
                    "set": "reachable",
                    "person": "single-adult",
                    "kind": "status",
                    "status": 503,
                }
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    application, decision = decided(SINGLE_ADULT)
    statuses = []
    for _ in range(delgivning.MAX_ATTEMPTS):
        delgivning.serve_pending()
        statuses.append(record_of(decision).status)
        clock.travel(clock.now() + timedelta(minutes=31))
    assert statuses == ["pending"] * (delgivning.MAX_ATTEMPTS - 1) + ["printing"]
    entry = record_of(decision)
    assert entry.attempts == delgivning.MAX_ATTEMPTS and entry.paper_reason == "lookup_failed"
    assert entry.last_error == "reachable_503"
    assert [e.id for e in delgivning.print_queue(application.municipality_code)] == [entry.id]


def test_a_lookup_failing_twice_is_retried_and_then_served_digitally(app, mail):
    mail.post(
        "/_control/digitalmail/faults",
        json={"rules": [{"provider": "digitalmail", "set": "reachable", "kind": "timeout", "seconds": 0, "first": 2}]},
    )
    _, decision = decided(SINGLE_ADULT)
    for _ in range(3):
        delgivning.serve_pending()
        clock.travel(clock.now() + timedelta(minutes=31))
    entry = record_of(decision)
    assert entry.status == "served" and entry.attempts == 3
    assert len(mail.get("/_control/digitalmail/messages").json()["messages"]) == 1


def test_a_worker_dying_after_sending_does_not_send_twice(app, mail):
    _, decision = decided(SINGLE_ADULT)
    entry = record_of(decision)
    # The first try sent and then died before its commit: the infrastructure has it under the record's key.
    service = delgivning.mail_service()
    first = service.send(
        SINGLE_ADULT, "Beslut", "Uppsala", "beslut.pdf", decision.document, key=f"delgivning/{entry.id}"
    )
    delgivning.serve_pending()
    assert record_of(decision).receipt_id == first["id"]
    assert len(mail.get("/_control/digitalmail/messages").json()["messages"]) == 1


def test_without_a_configured_service_every_decision_goes_to_paper(app, mail):
    app.config["PORTAL"].digital_mail_url = ""
    _, decision = decided(SINGLE_ADULT)
    delgivning.serve_pending()
    entry = record_of(decision)
    assert entry.status == "printing" and entry.paper_reason == "not_configured"


def test_the_applicant_and_caseworker_timelines_show_the_served_date(app, client, login, mail):
    application, decision = decided(SINGLE_ADULT)
    delgivning.serve_pending()
    login(SINGLE_ADULT)
    page = client.get(f"/cases/{application.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "delivered to your digital mailbox on" in page


def test_records_are_kept_one_per_decision(app, mail):
    _, decision = decided(SINGLE_ADULT)
    assert len(list(db.session.scalars(select(Delgivning).where(Delgivning.decision_id == decision.id)))) == 1


def caseworker(app, sub=LEILA, language="en"):
    from tests.support import idp_login

    client = app.test_client()
    client.set_cookie("portal_lang", language)
    idp_login(client, "/auth/staff/login", {"subject": sub})
    return client


def csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_print_queue_page_prints_a_batch_and_confirms_it_sent(app, mail):
    application, decision = decided(AMINA, "refused")
    delgivning.serve_pending()
    entry = record_of(decision)
    client = caseworker(app)
    page = client.get("/municipality/print-queue/").get_data(as_text=True)
    assert application.case_number in page and "Amina" in page and "No digital mailbox" in page
    token = csrf(page)
    # Nothing chosen: a clear error, the page again, nothing changed.
    missing = client.post("/municipality/print-queue/", data={"csrf_token": token, "action": "confirm"})
    assert missing.status_code == 400 and "Choose at least one decision" in missing.get_data(as_text=True)
    # A date in the future: refused, the choice kept.
    future = (clock.today() + timedelta(days=2)).isoformat()
    wrong = client.post(
        "/municipality/print-queue/",
        data={"csrf_token": token, "action": "confirm", "letters": entry.id, "sent_on": future},
    )
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "cannot be in the future" in body and f'value="{entry.id}" checked' in body
    assert record_of(decision).status == "printing"
    batch = client.post(
        "/municipality/print-queue/", data={"csrf_token": token, "action": "batch", "letters": entry.id}
    )
    assert batch.status_code == 200 and batch.mimetype == "application/pdf"
    assert_accessible(batch.data, archived=True)
    done = client.post(
        "/municipality/print-queue/",
        data={"csrf_token": token, "action": "confirm", "letters": entry.id},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "marked as served by post" in done.get_data(as_text=True)
    db.session.expire_all()
    decision = db.session.get(Decision, decision.id)
    assert decision.served_channel == "paper" and decision.served_on == clock.today()
    assert record_of(decision).confirmed_by == "Leila Handläggare"


def test_another_municipality_does_not_see_the_queue(app, mail):
    application, decision = decided(AMINA)
    delgivning.serve_pending()
    assert record_of(decision).status == "printing"
    client = caseworker(app, "staff-uppsala-1")
    page = client.get("/municipality/print-queue/").get_data(as_text=True)
    assert application.case_number not in page
    assert record_of(decision).status == "printing"


def test_the_api_shows_the_served_date_and_channel_in_decisions_and_events(app, mail):
    """The municipality's system (the pull API) reads the served date and channel, additively: the decision
    gains ``servedOn``/``servedChannel`` and the timeline a ``served`` event."""
    from tests.test_api import UPPSALA, bearer, get_token

    application, decision = decided(SINGLE_ADULT)
    api = app.test_client()
    token = get_token(api)
    before = api.get(f"/api/v1/applications/{application.id}/decisions", headers=bearer(token)).get_json()
    assert before["decisions"][0]["servedOn"] is None and before["decisions"][0]["servedChannel"] is None
    delgivning.serve_pending()
    after = api.get(f"/api/v1/applications/{application.id}/decisions", headers=bearer(token)).get_json()
    assert after["decisions"][0]["servedOn"] == clock.today().isoformat()
    assert after["decisions"][0]["servedChannel"] == "digital"
    events = api.get(f"/api/v1/applications/{application.id}/events", headers=bearer(token)).get_json()["events"]
    [served] = [e for e in events if e["type"] == "served"]
    assert served["source"] == "system" and served["data"]["channel"] == "digital"
    assert served["data"]["servedOn"] == clock.today().isoformat() and served["data"]["decisionId"] == decision.id
    assert UPPSALA  # the Uppsala system's credentials (the case is Uppsala's)


def test_the_caseworker_timeline_shows_the_decision_served(app, mail):
    from tests.test_caseworker import caseworker as uppsala_caseworker

    application, _ = decided(SINGLE_ADULT)
    delgivning.serve_pending()
    page = uppsala_caseworker(app, "staff-uppsala-1").get(f"/municipality/inbox/{application.id}")
    assert page.status_code == 200 and "Decision served" in page.get_data(as_text=True)


def test_production_without_a_digital_mail_service_says_at_start_it_serves_on_paper(config, caplog):
    from portal import create_app

    config.digital_mail_url = ""
    with caplog.at_level("WARNING", logger="portal.delgivning"):
        create_app(config)
    assert any("PORTAL_DIGITAL_MAIL_URL is not set" in r.getMessage() for r in caplog.records)


def test_the_demo_derives_the_digital_mail_url_from_the_sandbox_and_production_does_not():
    from portal.config import Config

    assert Config(sandbox_url="http://localhost:5002").digital_mail_url == "http://localhost:5002/digitalmail"
    assert Config(env="production", sandbox_url="http://localhost:5002").digital_mail_url == ""


def test_portal_worker_once_serves_the_decisions_that_are_due(app, mail):
    from click.testing import CliRunner

    from portal.cli import main
    from tests.test_ops import _script_info

    _application, digital = decided(SINGLE_ADULT)
    _other, paper = decided(AMINA, "refused")
    result = CliRunner().invoke(main, ["worker", "--once"], obj=_script_info(app))
    assert result.exit_code == 0 and "served=2" in result.output, result.output
    assert record_of(digital).status == "served" and record_of(paper).status == "printing"
    again = CliRunner().invoke(main, ["worker", "--once"], obj=_script_info(app))
    assert again.exit_code == 0 and "served=0" in again.output, again.output
