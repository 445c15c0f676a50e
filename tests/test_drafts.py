from datetime import timedelta

from sqlalchemy import func, select, update

from portal.application.models import Application, ApplicationEvent, HouseholdMember
from portal.application.services import purge_stale_drafts
from portal.audit.models import AuditEvent
from portal.consent.models import Consent
from portal.db import utcnow
from portal.extensions import db
from tests.support import csrf_from, send_application
from tests.test_journey import start_application

SINGLE_ADULT = "199006022397"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def age(days):
    db.session.execute(update(Application).values(updated_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_drafts_older_than_30_days_are_deleted_with_everything_they_own(login, client):
    login(SINGLE_ADULT)
    start_application(client)
    age(31)
    assert count(Consent) == 1 and count(HouseholdMember) == 1
    assert purge_stale_drafts() == 1
    for model in (Application, HouseholdMember, Consent, ApplicationEvent):
        assert count(model) == 0, model
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete")).object_type == "application"


def test_recent_drafts_and_sent_applications_stay(login, client):
    login(SINGLE_ADULT)
    start_application(client)
    age(29)
    assert purge_stale_drafts() == 0
    path = start_application(client)
    send_application(client, path, SINGLE_ADULT)
    age(400)
    assert purge_stale_drafts() == 1
    assert count(Application) == 1 and db.session.scalar(select(Application)).status == "submitted"


def test_every_change_keeps_a_draft_alive(login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    age(31)
    page = client.get(f"{path}/consent")
    client.post(f"{path}/consent", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert db.session.scalar(select(Application)).updated_at > utcnow() - timedelta(minutes=1)
    assert purge_stale_drafts() == 0


def test_purge_command(app):
    from portal.cli import drafts_purge

    result = app.test_cli_runner().invoke(drafts_purge, [])
    assert result.exit_code == 0 and result.output.strip() == "purged=0"


def test_coming_back_continues_where_the_applicant_was(login, client):
    from tests.support import soup

    login(SINGLE_ADULT)
    path = start_application(client)
    client.get(f"{path}/costs")
    before = db.session.scalar(select(Application)).updated_at
    link = soup(client.get("/overview")).find("a", href=f"{path}/costs")
    assert link is not None
    db.session.expire_all()
    assert db.session.scalar(select(Application)).updated_at == before  # looking is not changing
