from datetime import timedelta

from sqlalchemy import func, select, update

from portal import clock
from portal.application.models import Application, ApplicationEvent, HouseholdMember
from portal.application.services import month_choices, purge_stale_drafts
from portal.audit.models import AuditEvent
from portal.consent.models import Consent
from portal.db import utcnow
from portal.extensions import db
from tests import factories
from tests.support import csrf_from, page_checks, send_application, soup
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
    path = start_application(client)  # the same month: the same draft (one application per month)
    assert count(Application) == 1
    send_application(client, path.split("?")[0], SINGLE_ADULT)
    factories.draft(SINGLE_ADULT, _next_month())
    age(400)
    assert purge_stale_drafts() == 1
    assert count(Application) == 1 and db.session.scalar(select(Application)).status == "submitted"


# --- one application per person and month (issue 15, point 4) -----------------------------------------


def _next_month():
    return month_choices(clock.today())[1]


def _start(client, period):
    form = client.get("/applications/new")
    return client.post(
        "/applications/new", data={"csrf_token": csrf_from(form), "period": period.isoformat(), "folkbokforing": "y"}
    )


def test_starting_again_for_a_month_with_a_draft_continues_that_draft(login, client):
    login(SINGLE_ADULT)
    first = factories.draft(SINGLE_ADULT)
    response = _start(client, first.period)
    assert response.status_code == 302
    assert response.location == f"/applications/{first.id}?again=1"
    assert count(Application) == 1
    page = soup(client.get(response.location))
    assert "fortsätter här" in page.find("p", class_="notice").get_text()
    # the other month offered is still a new application
    other = _start(client, _next_month())
    assert other.status_code == 302 and first.id not in other.location and count(Application) == 2


def test_starting_again_for_a_sent_month_shows_that_application_and_the_emergency_way(login, client):
    login(SINGLE_ADULT)
    first = factories.submitted(factories.draft(SINGLE_ADULT))
    response = _start(client, first.period)
    assert response.status_code == 200 and count(Application) == 1
    page = page_checks(response)
    links = {a["href"] for a in page.find("main").find_all("a")}
    assert f"/applications/{first.id}/case" in links or any(first.id in link for link in links)
    assert f"/applications/new/emergency?period={first.period.isoformat()}" in links


def test_an_emergency_application_is_explicit_has_a_reason_and_is_marked(login, client):
    login(SINGLE_ADULT)
    first = factories.submitted(factories.draft(SINGLE_ADULT))
    path = f"/applications/new/emergency?period={first.period.isoformat()}"
    form = client.get(path)
    assert form.status_code == 200
    assert soup(form).find("input", attrs={"name": "period", "checked": True})["value"] == first.period.isoformat()
    # no reason: a clear error, nothing made, the choices kept
    refused = client.post(
        path,
        data={"csrf_token": csrf_from(form), "period": first.period.isoformat(), "folkbokforing": "y", "reason": "  "},
    )
    assert refused.status_code == 400 and count(Application) == 1
    assert soup(refused).find("p", class_="field-error")
    long = "x" * 1001
    refused = client.post(
        path,
        data={"csrf_token": csrf_from(form), "period": first.period.isoformat(), "folkbokforing": "y", "reason": long},
    )
    assert refused.status_code == 400 and long in soup(refused).find("textarea").get_text()
    made = client.post(
        path,
        data={
            "csrf_token": csrf_from(form),
            "period": first.period.isoformat(),
            "folkbokforing": "y",
            "reason": "Min plånbok blev stulen.",
        },
    )
    assert made.status_code == 302 and count(Application) == 2
    second = db.session.scalar(select(Application).where(Application.id != first.id))
    assert second.emergency and second.emergency_reason == "Min plånbok blev stulen."
    assert second.period == first.period and not db.session.get(Application, first.id).emergency
    assert "akut ansökan" in soup(client.get(made.location)).find("p", class_="notice--warning").get_text()
    # starting again now leads to the emergency draft being written, not a third application
    again = _start(client, first.period)
    assert again.location == f"/applications/{second.id}?again=1" and count(Application) == 2


def test_the_emergency_way_needs_a_sent_application(login, client):
    login(SINGLE_ADULT)
    response = client.get("/applications/new/emergency")
    assert response.status_code == 302 and response.location == "/applications/new"


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
