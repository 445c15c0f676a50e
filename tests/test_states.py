"""The status enums: stored values unchanged (no migration), groups that cover every status, moves by table."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.application.states import (
    FINISHED,
    OPEN_CASE,
    SENT,
    TRANSITIONS,
    UNSENT,
    ApplicationStatus,
    WrongState,
    move,
)


def test_application_status_values_are_the_stored_ones():
    assert [s.value for s in ApplicationStatus] == [
        "draft",
        "awaiting_cosign",
        "submitted",
        "received",
        "under_handling",
        "decided",
        "closed",
        "not_handled",
        "withdrawn",
    ]
    assert ApplicationStatus.SUBMITTED == "submitted"
    assert "submitted" in OPEN_CASE


def test_every_status_is_unsent_or_sent_and_has_a_row_in_the_table():
    assert sorted(UNSENT + SENT) == sorted(ApplicationStatus)
    assert set(TRANSITIONS) == set(ApplicationStatus)
    assert all(not TRANSITIONS[s] for s in FINISHED)
    assert TRANSITIONS[ApplicationStatus.DECIDED] == {ApplicationStatus.CLOSED}


def test_move_follows_the_table():
    application = SimpleNamespace(status="draft")  # as read from the database: a plain string
    move(application, ApplicationStatus.AWAITING_COSIGNATURE)
    assert application.status == "awaiting_cosign"
    with pytest.raises(WrongState):
        move(application, ApplicationStatus.DECIDED)
    assert application.status == "awaiting_cosign"
    closed = SimpleNamespace(status="closed")
    with pytest.raises(WrongState):
        move(closed, ApplicationStatus.SUBMITTED)


def test_every_status_outcome_and_payment_state_is_worded_for_every_reader(app):
    from flask_babel import force_locale

    from portal.application import labels
    from portal.case import labels as case_labels
    from portal.case.states import DecisionOutcome, PaymentState

    readers = (labels.APPLICANT, labels.CO_APPLICANT, labels.MEMBER, labels.CASEWORKER)
    with app.test_request_context(), force_locale("en"):
        for status in ApplicationStatus:
            for reader in readers:
                assert labels.status_text(status, reader, "Anna") not in ("", status.value), (status, reader)
        assert labels.status_text("submitted", labels.CASEWORKER) == "New – not registered"
        assert labels.status_text("submitted", labels.APPLICANT) == "Sent – waiting for the municipality"
        for outcome in DecisionOutcome:
            assert case_labels.outcome_text(outcome) != outcome.value
            assert case_labels.outcome_text(outcome, labels.CASEWORKER) != outcome.value
        assert case_labels.outcome_text("dismissed") == "Dismissed (not tried)"
        assert case_labels.outcome_text("dismissed", labels.CASEWORKER) == "Dismissed"
        assert set(case_labels.PAYMENT_STATE) == set(PaymentState)
