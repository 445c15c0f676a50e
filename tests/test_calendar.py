"""The date-sensitive parts of the journey on the days calendars go wrong: month ends, New Year's
night (already January in Sweden, still December in UTC), 29 February and the nights the clocks
change. On each, the portal offers the right months, a fetch for this month finds what it found on
the day the cast was written (moved by whole months), the case number carries the Swedish year,
due dates are judged by the Swedish day, next month is offered, and drafts are purged on time.

The same checks run with the whole process clock moved (``--move-process-clock``, bin/test): this module
is marked ``calendar`` like every other test that depends on the date."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from devstack.sandbox.dates import AUTHORED_DAY, months_between, move_date
from portal import clock
from portal.application import nextmonth
from portal.application import services as applications
from portal.application.models import Application
from portal.case import services as case
from portal.case.services import CaseError
from portal.clock import SWEDEN
from portal.delivery.services import run_once
from portal.extensions import db
from portal.information.models import InformationItem
from tests.support import idp_login, send_application, soup
from tests.test_fetch import consent, unit_keys
from tests.test_journey import start_application

pytestmark = pytest.mark.calendar

SINGLE_ADULT = "199006022397"  # Uppsala

MOMENTS = {
    "31 January, late evening": datetime(2027, 1, 31, 23, 40, tzinfo=SWEDEN),
    "30 April, a 30-day month's end": datetime(2027, 4, 30, 12, tzinfo=SWEDEN),
    "New Year's Eve": datetime(2026, 12, 31, 21, 0, tzinfo=SWEDEN),
    "New Year's night, still December in UTC": datetime(2027, 1, 1, 0, 30, tzinfo=SWEDEN),
    "29 February": datetime(2028, 2, 29, 12, tzinfo=SWEDEN),
    "clocks forward (03:30 summer time)": datetime(2027, 3, 28, 3, 30, tzinfo=SWEDEN),
    "clocks back (02:30, the second time)": datetime(2027, 10, 31, 2, 30, tzinfo=SWEDEN, fold=1),
}

#: depend on the day of the month rather than the month: the bank answers with the balance on the
#: day asked about and the transactions up to it, and Skatteverket's latest taxation is a year's, not a month's
DAY_DEPENDENT = ("bank", "banktransaktioner", "skatteverket")


def fetched(path, months=0):
    """What the fetch kept, as (provider, kind, amount, start, end), its dates moved by ``months``
    as the sandbox moves the cast's."""

    def move(d):
        return move_date(d, months) if d else None

    items = db.session.scalars(select(InformationItem).where(InformationItem.application_id == path.rsplit("/", 1)[1]))
    return Counter(
        (i.provider, i.kind, i.amount_ore, move(i.period_start), move(i.period_end))
        for i in items
        if i.provider not in DAY_DEPENDENT
    )


def apply_and_fetch(app, personnummer):
    applicant = app.test_client()
    idp_login(applicant, "/auth/login", {"subject": personnummer})
    form = applicant.get("/applications/new")
    offered = [i["value"] for i in soup(form).find_all("input", attrs={"name": "period"})]
    path = start_application(applicant)
    consent(applicant, path, unit_keys(extended=True))
    db.session.expire_all()
    return applicant, path, offered


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=list(MOMENTS))
def test_the_journey_on_the_days_calendars_go_wrong(app, moment):
    clock.travel(datetime.combine(AUTHORED_DAY, datetime.min.time().replace(hour=12), SWEDEN))
    _, authored_path, _ = apply_and_fetch(app, SINGLE_ADULT)
    assert sum(fetched(authored_path).values()) > 10  # the fetch really found the cast's months

    clock.travel(moment)
    today = clock.today()
    assert today == moment.astimezone(SWEDEN).date()
    applicant, path, offered = apply_and_fetch(app, SINGLE_ADULT)
    this_month = today.replace(day=1)
    assert offered == [d.isoformat() for d in applications.month_choices(today)]
    assert offered[0] == this_month.isoformat()
    application = db.session.get(Application, path.rsplit("/", 1)[1])
    assert application.period == this_month
    # The cast looks the same in every month: the same items, their dates in the same places.
    assert fetched(path) == fetched(authored_path, months_between(AUTHORED_DAY.replace(day=1), this_month))

    # Next month can be applied for from a sent application, the month after cannot yet.
    assert send_application(applicant, path, SINGLE_ADULT).status_code == 302
    db.session.expire_all()
    assert nextmonth.check(application) == applications.month_choices(today)[1]

    assert run_once() >= 1
    number = case.register(application)
    assert number.startswith(f"EB-{today.year}-")  # the Swedish year, even when UTC is a day behind
    with pytest.raises(CaseError):
        case.request_supplement(application, "Hyresavi", "Hyran", today - timedelta(days=1), "Per")
    request = case.request_supplement(application, "Hyresavi", "Hyran", today, "Per")
    assert request.due_date == today

    # Drafts untouched for 30 days go, younger ones stay.
    db.session.execute(
        update(Application)
        .where(Application.id == authored_path.rsplit("/", 1)[1])
        .values(updated_at=clock.now() - timedelta(days=31), status="draft")
    )
    db.session.commit()
    assert applications.purge_stale_drafts() == 1
    assert db.session.get(Application, application.id) is not None


def test_the_moments_are_the_ones_named():
    assert MOMENTS["New Year's night, still December in UTC"].astimezone(SWEDEN).date() == date(2027, 1, 1)
    assert MOMENTS["New Year's night, still December in UTC"].utctimetuple().tm_mday == 31
    assert MOMENTS["clocks forward (03:30 summer time)"].utcoffset() == timedelta(hours=2)
    assert MOMENTS["clocks back (02:30, the second time)"].utcoffset() == timedelta(hours=1)
    assert MOMENTS["29 February"].date() == date(2028, 2, 29)
