import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.audit.models import AuditEvent
from portal.audit.services import events_for_subject, record
from portal.extensions import db


def test_audit_records_actor_subject_action_object_and_time(app):
    with app.test_request_context():
        record("read", "application", "a1", "testing", subject_id="p1")
        db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert (event.actor_type, event.subject_id, event.action, event.object_type, event.object_id) == (
        "system",
        "p1",
        "read",
        "application",
        "a1",
    )
    assert event.at.tzinfo is not None
    assert [e.id for e in events_for_subject("p1")] == [event.id]


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(purpose="changed"),
        delete(AuditEvent),
    ],
)
def test_audit_log_is_append_only_in_the_database(app, statement):
    record("read", "application", "a1", "testing", subject_id="p1")
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(statement)
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent)).purpose == "testing"


def test_audit_log_cannot_be_truncated_on_postgresql(app, databases):
    if databases.dialect != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    record("read", "application", "a1", "testing")
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("TRUNCATE audit_event"))
    db.session.rollback()
