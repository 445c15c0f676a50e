"""Apply again for the next month, through the Flask client against the sandbox."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal import clock
from portal.application import nextmonth
from portal.application.models import Application
from portal.case import services as case
from portal.extensions import db
from portal.information.models import FetchCall, InformationItem
from portal.supplements import services as supplements
from portal.supplements.models import Cost, FreeText, Income
from tests import factories
from tests.support import csrf_from, page_checks, soup
from tests.test_journey import SINGLE_ADULT


def sv(msgid: str, **values) -> str:
    """The page's words in Swedish (the default locale), whether or not translated yet."""
    with force_locale("sv"):
        return gettext(msgid, **values)


def last_month():
    """Anders's application with consents, fetched items, stated rent and salary, sent and decided."""
    application = factories.with_consents(factories.draft(SINGLE_ADULT))  # every basic unit
    assert db.session.scalar(select(InformationItem.id).where(InformationItem.application_id == application.id))
    supplements.add(
        application,
        "costs",
        {"category": "rent", "description": "Storgatan 1", "amount_ore": 650000, "month": application.period},
    )
    earlier = supplements.months(application)[0]
    supplements.add(
        application, "costs", {"category": "electricity", "description": None, "amount_ore": 40000, "month": earlier}
    )  # a month before: not copied
    supplements.add(
        application,
        "incomes",
        {
            "kind": "salary",
            "description": "Extra work",
            "amount_ore": 300000,
            "month": application.period,
            "member_id": application.members[0].id,
        },
    )
    supplements.save_text(application, "My message to the municipality")
    factories.received(factories.delivered(factories.submitted(application)))
    case.decide(
        application,
        "granted",
        "According to the norm.",
        "Per Handläggare",
        amount=5000,
        period_start=application.period,
        period_end=application.period.replace(day=28),
    )
    return application


def start_next(client, previous, agree=True):
    page = client.get(f"/applications/{previous.id}/next-month/start")
    data = {"csrf_token": csrf_from(page)}
    if agree:
        data["folkbokforing"] = "y"
    return client.post(f"/applications/{previous.id}/next-month/start", data=data)


def test_next_month_from_a_decided_application(app, client, login, sandbox):
    login(SINGLE_ADULT)
    previous = last_month()
    overview = client.get("/overview")
    page_checks(overview)
    offer = soup(overview).find("a", href=f"/applications/{previous.id}/next-month/start")
    assert offer is not None
    start_page = client.get(offer["href"])
    page_checks(start_page)

    refused = start_next(client, previous, agree=False)
    assert refused.status_code == 400
    assert soup(refused).find(class_="error-summary").find("a")["href"] == "#folkbokforing"

    calls_before = sandbox.get("/_control/calls").json()["calls"]
    response = start_next(client, previous)
    assert response.status_code == 302
    draft = db.session.scalars(select(Application).where(Application.previous_id == previous.id)).one()
    assert response.location == f"/applications/{draft.id}/next-month"
    assert draft.is_draft and draft.period == nextmonth.month_after(previous.period)
    assert draft.folkbokforing_fetched_at is not None and draft.municipality_code == previous.municipality_code
    calls_after = sandbox.get("/_control/calls").json()["calls"]
    assert (
        sum(c["calls"] for c in calls_after if c["set"] == "folkbokforing")
        == sum(c["calls"] for c in calls_before if c["set"] == "folkbokforing") + 1
    )  # fetched afresh
    # Consents are per application: nothing fetched from providers yet.
    assert db.session.scalar(select(InformationItem.id).where(InformationItem.application_id == draft.id)) is None

    costs = db.session.scalars(select(Cost).where(Cost.application_id == draft.id)).all()
    assert [(c.category, c.amount_ore, c.month) for c in costs] == [("rent", 650000, draft.period)]
    incomes = db.session.scalars(select(Income).where(Income.application_id == draft.id)).all()
    assert [(i.kind, i.amount_ore, i.month, i.member_id) for i in incomes] == [
        ("salary", 300000, draft.period, draft.members[0].id)
    ]
    assert db.session.scalar(select(FreeText).where(FreeText.application_id == draft.id)) is None

    review = client.get(response.location)
    doc = page_checks(review)
    rows = doc.find(id="copied").find_all_next("tr")
    copied_rows = [r for r in rows if r.find(class_="tag")]
    assert len(copied_rows) == 2
    assert all(sv("Copied from last month") in r.get_text() for r in copied_rows)
    assert doc.find("a", href=f"/applications/{draft.id}/costs/{costs[0].id}")
    remove = doc.find("form", action=f"/applications/{draft.id}/costs/{costs[0].id}/remove")
    assert remove is not None
    client.post(remove["action"], data={"csrf_token": csrf_from(review)})
    assert db.session.scalars(select(Cost).where(Cost.application_id == draft.id)).all() == []
    assert nextmonth.copied_entries(draft)["costs"] == []

    again = client.get(f"/applications/{previous.id}/next-month/start")
    assert again.status_code == 409
    page_checks(again)
    assert soup(again).find("a", href=f"/applications/{draft.id}")
    assert start_next(client, previous).status_code == 409
    assert db.session.scalars(select(Application).where(Application.previous_id == previous.id)).all() == [draft]
    assert soup(client.get("/overview")).find("a", href=f"/applications/{previous.id}/next-month/start") is None


def test_what_changed_since_last_month(app, client, login, sandbox):
    login(SINGLE_ADULT)
    previous = last_month()
    start_next(client, previous)
    draft = db.session.scalars(select(Application).where(Application.previous_id == previous.id)).one()
    path = f"/applications/{draft.id}/changes"

    before_consent = client.get(path)
    doc = page_checks(before_consent)
    assert sv("Nothing has been fetched for this application yet.") in doc.find(class_="notice").get_text()

    factories.with_consents(draft)  # every basic unit
    assert db.session.scalar(
        select(FetchCall.id).where(FetchCall.application_id == draft.id, FetchCall.status == "done")
    )
    result = nextmonth.what_changed(draft)
    assert result.changes and not result.fetch_pending
    # Make the world move on: one kind stops, one amount changes.
    items = db.session.scalars(
        select(InformationItem)
        .where(InformationItem.application_id == draft.id, InformationItem.amount_ore.is_not(None))
        .order_by(InformationItem.period_start.desc())
    ).all()
    kinds = []
    for item in items:
        if item.kind not in kinds:
            kinds.append(item.kind)
    assert len(kinds) >= 2, kinds
    changed_kind, ended_kind = kinds[0], kinds[1]
    latest = max(i.period_start for i in items if i.kind == changed_kind)
    for item in items:
        if item.kind == changed_kind and item.period_start == latest:
            old = item.amount_ore
            item.amount_ore = old + 12300
        if item.kind == ended_kind:
            db.session.delete(item)
    db.session.commit()

    result = nextmonth.what_changed(draft)
    statuses = {c.kind: c.status for c in result.changes}
    assert statuses[ended_kind] == "ended"
    assert statuses[changed_kind] == "changed"
    changed = next(c for c in result.changes if c.kind == changed_kind)
    assert changed.new_amount - changed.old_amount == 12300 * len(changed.after)

    page = client.get(path)
    doc = page_checks(page)
    changed_rows = doc.find(id="changed").find_next("table").find_all("tr", class_="change--changed")
    assert len(changed_rows) == len(result.of("changed"))
    ended_rows = doc.find(id="ended").find_next("table").find_all("tr", class_="change--ended")
    assert len(ended_rows) == len(result.of("ended"))
    cells = [
        td.get_text(" ", strip=True)
        for td in changed_rows[[c.kind for c in result.of("changed")].index(changed_kind)].find_all("td")
    ]
    assert cells[2] and cells[3] and cells[2] != cells[3]  # old and new amounts, both shown
    assert doc.find(id="unchanged")


def test_only_sent_applications_and_only_the_owner(app, client, login):
    login(SINGLE_ADULT)
    draft = factories.draft(SINGLE_ADULT)
    response = client.get(f"/applications/{draft.id}/next-month/start")
    assert response.status_code == 409
    from portal.i18n.services import month

    with force_locale("sv"):
        expected = gettext(
            "Your application for %(month)s has not been sent yet. Send it first, then you can apply "
            "for the next month from it.",
            month=month(draft.period),
        )
    assert expected in soup(response).find("main").get_text()
    assert soup(client.get("/overview")).find("a", href=f"/applications/{draft.id}/next-month/start") is None

    other = app.test_client()
    from tests.support import idp_login

    idp_login(other, "/auth/login", {"subject": "199107172380"})  # Emma
    assert other.get(f"/applications/{draft.id}/next-month/start").status_code == 404
    assert other.get(f"/applications/{draft.id}/changes").status_code == 404


def test_months_too_far_ahead_or_past_are_refused(app, client, login):
    login(SINGLE_ADULT)
    application = factories.sent(SINGLE_ADULT)
    factories.decided(factories.received(application))
    this_month = clock.today().replace(day=1)
    assert application.period == this_month and nextmonth.offer(application) == nextmonth.month_after(this_month)
    application.period = nextmonth.month_after(nextmonth.month_after(this_month))
    db.session.commit()
    assert client.get(f"/applications/{application.id}/next-month/start").status_code == 409
    application.period = date(2020, 1, 1)
    db.session.commit()
    response = client.get(f"/applications/{application.id}/next-month/start")
    assert response.status_code == 409 and soup(response).find("a", href="/applications/new")
