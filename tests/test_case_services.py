"""The case operations (portal/case/services.py), shared by the built-in inbox, the API and the
applicant: state rules, the timeline, later documents, and the notification outbox."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.case import services as case
from portal.case.models import ContactDetails, Notification
from portal.delivery.models import Delivery
from portal.delivery.services import run_once
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests import factories
from tests.test_journey import SINGLE_ADULT


@pytest.fixture
def sent(app):
    """Anders Testsson's application, sent and delivered to Uppsala's inbox."""
    application = factories.sent(SINGLE_ADULT)
    assert application.status == "submitted" and application.inbox_id == "kommun-0380"
    return application


def kinds(application):
    db.session.refresh(application)
    return [e.kind for e in application.events]


def later(days=7):
    return clock.today() + timedelta(days=days)


def test_register_gives_the_next_number_of_the_municipality_series(sent):
    number = case.register(sent)
    year = clock.today().year
    assert number == f"EB-{year}-000001"
    assert sent.status == "received" and sent.received_at is not None
    assert case.register(sent) == number  # a repeat changes nothing
    assert kinds(sent).count("received") == 1
    assert case.next_case_number(sent.municipality_code, year) == f"EB-{year}-000002"
    assert case.next_case_number("0180", year) == f"EB-{year}-000001"  # each municipality its own series


def test_a_rolled_back_registration_gives_its_number_back(sent):
    year = clock.today().year
    assert case.next_case_number("0380", year).endswith("000001")
    db.session.rollback()
    assert case.register(sent).endswith("000001")


def test_full_handling_to_closed(sent):
    case.register(sent)
    case.assign(sent, "staff-uppsala-1", "Per Handläggare")
    assert sent.status == "under_handling" and sent.assigned_to == "staff-uppsala-1"
    case.interim_reply(sent, "We need a few more days.", later(5))
    request = case.request_supplement(sent, "Rent contract", "To see your housing cost", later(), "Per Handläggare")
    assert case.open_requests(sent) == [request]
    decision = case.decide(
        sent,
        "partly_granted",
        "Rent is above the reasonable level.",
        "Per Handläggare",
        amount=7450,
        period_start=date(2026, 12, 1),
        period_end=date(2026, 12, 31),
    )
    assert sent.status == "decided" and decision.document.startswith(b"%PDF-")
    assert len(decision.document_sha256) == 64
    payment = case.report_payment(sent, 7450, date(2026, 12, 3), "planned", external_ref="P-1")
    again = case.report_payment(sent, 7450, date(2026, 12, 3), "paid", external_ref="P-1")
    assert again.id == payment.id and [p.state for p in case.payments(sent)] == ["paid"]
    case.close(sent)
    assert sent.status == "closed" and sent.closed_at is not None
    assert kinds(sent)[-8:] == [
        "received",
        "assigned",
        "interim_reply",
        "supplement_requested",
        "decision",
        "payment",
        "payment",
        "closed",
    ]


@pytest.mark.parametrize("outcome", ["granted", "partly_granted"])
def test_a_grant_needs_an_amount_and_a_period(sent, outcome):
    case.register(sent)
    with pytest.raises(case.CaseError) as missing:
        case.decide(sent, outcome, "ok", "Per")
    assert missing.value.reason == "amount_missing"
    with pytest.raises(case.CaseError) as backwards:
        case.decide(
            sent, outcome, "ok", "Per", amount=100, period_start=date(2026, 12, 31), period_end=date(2026, 12, 1)
        )
    assert backwards.value.reason == "period_missing"


def test_a_refusal_keeps_no_amount_and_a_given_document_must_be_a_pdf(sent):
    case.register(sent)
    with pytest.raises(case.CaseError) as bad:
        case.decide(sent, "refused", "no", "Per", document=b"<html>")
    assert bad.value.reason == "not_a_pdf"
    decision = case.decide(sent, "refused", "Income above the norm.", "Per", amount=500, document=b"%PDF-1.7 own")
    assert decision.amount is None and decision.document == b"%PDF-1.7 own"


def test_operations_that_do_not_fit_the_state_are_refused(sent):
    with pytest.raises(case.CaseError):
        case.decide(sent, "refused", "no", "Per")  # not registered yet
    with pytest.raises(case.CaseError):
        case.close(sent)
    with pytest.raises(case.CaseError):
        case.report_payment(sent, 100, later(), "planned")
    case.register(sent)
    with pytest.raises(case.CaseError) as past:
        case.request_supplement(sent, "x", "y", clock.today() - timedelta(days=1), "Per")
    assert past.value.reason == "due_date_past"
    case.decide(sent, "refused", "no", "Per")
    with pytest.raises(case.CaseError):
        case.withdraw(sent)


def test_answering_a_request_freezes_a_new_document_referring_to_the_first(sent):
    case.register(sent)
    request = case.request_supplement(sent, "Rent contract", "Housing cost", later(), "Per")
    with pytest.raises(case.CaseError) as empty:
        case.answer_request(request, "   ")
    assert empty.value.reason == "answer_empty"
    frozen = case.answer_request(request, "The contract is on its way by post.")
    first = db.session.scalar(
        select(FrozenDocument).where(FrozenDocument.application_id == sent.id, FrozenDocument.version == 1)
    )
    assert frozen.version == 2 and frozen.refers_to == first.id
    body = json.loads(frozen.body)
    assert body["documentType"] == "supplement" and body["refersTo"]["sha256"] == first.sha256
    assert body["answer"]["text"] == "The contract is on its way by post."
    assert request.answered_at is not None and request.document_id == frozen.id
    from portal.submission.services import frozen_document

    assert frozen_document(sent).id == first.id  # the application's own document stays the first
    with pytest.raises(case.CaseError):
        case.answer_request(request, "again")
    assert kinds(sent)[-1] == "supplement_answered"


def test_forwarding_to_another_unit_and_to_another_municipality(sent):
    case.register(sent)
    with pytest.raises(case.CaseError) as no_reason:
        case.forward(sent, "0180", None, " ")
    assert no_reason.value.reason == "reason_missing"
    with pytest.raises(case.CaseError) as same:
        case.forward(sent, sent.municipality_code, sent.inbox_id, "same place")
    assert same.value.reason == "same_inbox"
    with pytest.raises(case.CaseError) as kiruna:
        case.forward(sent, "2584", None, "moved")
    assert kiruna.value.reason == "not_receiving"
    with pytest.raises(case.CaseError) as unknown:
        case.forward(sent, "0180", "goteborg-centrum", "wrong unit")
    assert unknown.value.reason == "unknown_inbox"

    case.forward(sent, "0180", "stockholm-farsta", "The applicant has moved to Farsta.")
    assert sent.municipality_code == "0180" and sent.inbox_id == "stockholm-farsta"
    assert sent.status == "submitted" and sent.case_number is None  # Stockholm registers in its own series
    delivery = db.session.scalar(
        select(Delivery).where(Delivery.application_id == sent.id, Delivery.municipality_code == "0180")
    )
    assert delivery.idempotency_key.endswith("/forward-1")
    assert run_once() == 1
    from portal.delivery.queries import in_inbox

    assert in_inbox(sent, "0180")
    forwarded = [e for e in sent.events if e.kind == "forwarded"][-1]
    assert forwarded.data["reason"] == "The applicant has moved to Farsta."
    assert forwarded.data["from_municipality"] == "0380"
    assert case.register(sent).startswith(f"EB-{clock.today().year}-")


def test_messages_both_ways_with_read_state(sent):
    case.register(sent)
    asks = case.send_message(sent, case.MUNICIPALITY, "Per", "Can you call us?", reply_requested=True)
    case.send_message(sent, case.APPLICANT, "Anders", "Yes, tomorrow.", in_reply_to=asks.id, reply_requested=True)
    listed = case.messages(sent)
    assert [m.sender for m in listed] == ["municipality", "applicant"]
    assert listed[0].reply_requested and not listed[1].reply_requested  # only the municipality asks
    assert case.unread(sent, case.APPLICANT) == 1 and case.unread(sent, case.MUNICIPALITY) == 1
    assert case.mark_read(sent, case.APPLICANT) == 1
    assert case.unread(sent, case.APPLICANT) == 0 and case.unread(sent, case.MUNICIPALITY) == 1
    with pytest.raises(case.CaseError):
        case.send_message(sent, case.APPLICANT, "Anders", "  ")


def test_withdraw_before_a_decision_and_not_handled_need_their_states(sent):
    case.withdraw(sent, "I got a job.")
    assert sent.status == "withdrawn"
    assert [e for e in sent.events if e.kind == "withdrawn"][0].data == {"reason": "I got a job."}
    with pytest.raises(case.CaseError):
        case.not_handled(sent, "duplicate")
    with pytest.raises(case.CaseError):
        case.send_message(sent, case.APPLICANT, "Anders", "hello?")


def test_events_that_need_the_applicant_queue_notifications_on_their_channels(sent):
    case.register(sent)
    assert db.session.scalars(select(Notification)).all() == []  # no contact details: nothing queued
    db.session.add(
        ContactDetails(
            person_id=sent.applicant_id,
            email="anders@example.org",
            phone="+46701234567",
            notify_email=True,
            notify_sms=True,
        )
    )
    db.session.commit()
    case.request_supplement(sent, "Rent contract", "Housing cost", later(), "Per")
    case.send_message(sent, case.APPLICANT, "Anders", "From me: no notice to myself")
    queued = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.channel, n.reason) for n in queued] == [
        ("email", "supplement_requested"),
        ("sms", "supplement_requested"),
    ]


def test_the_case_page_counts_what_needs_the_applicant_as_the_overview_does(app, sent):
    """The case page works out its attention from the requests and messages it reads (issue 15, point 5); the
    overview counts them in grouped queries. Both say the same, as the case moves on."""
    from portal.case.overview import attention_for, case_page, replies_wanted

    def both():
        db.session.expire_all()
        with app.test_request_context("/"):
            page = case_page(sent)
            grouped = attention_for([sent.id])[sent.id]
            return (page["attention"], [m.id for m in page["replies_wanted"]]), (
                grouped,
                [m.id for m in replies_wanted(sent)],
            )

    case.register(sent)
    first = case.request_supplement(sent, "Hyresavi", "Vi behöver den", later(), "Per")
    case.request_supplement(sent, "Lönespec", "Vi behöver den", later(), "Per")
    asks = case.send_message(sent, case.MUNICIPALITY, "Per", "Kan du ringa oss?", reply_requested=True)
    case.send_message(sent, case.MUNICIPALITY, "Per", "Bara information.")
    later_ask = case.send_message(sent, case.MUNICIPALITY, "Per", "Och adressen?", reply_requested=True)
    page, grouped = both()
    assert page == grouped and page[0].open_requests == 2 and page[0].unread_messages == 3
    assert page[1] == [asks.id, later_ask.id]
    case.send_message(sent, case.APPLICANT, "Anders", "Ja, i morgon.", in_reply_to=asks.id)
    case.answer_request(first, "Här är den")
    case.mark_read(sent, case.APPLICANT)
    page, grouped = both()
    assert page == grouped and page[0].open_requests == 1 and page[0].unread_messages == 0
    assert page[1] == [later_ask.id]
    case.withdraw(sent)
    page, grouped = both()
    assert page == grouped and not page[0].any and page[1] == []
