"""Case numbers under concurrent arrival registration: unique and gap-free per municipality and
year (EB-YYYY-000001..N), from several threads, each with its own database connection. Runs on
PostgreSQL (``PORTAL_TEST_DATABASE_URL``); SQLite serialises writers and is covered by the
single-threaded tests in tests/test_case_services.py."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.application.models import Application, ApplicationEvent
from portal.case import services as case
from portal.case.models import CaseNumberSeries
from portal.extensions import db
from tests import factories

THREADS = 8


@pytest.fixture(autouse=True)
def postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent registration is tested on PostgreSQL (set PORTAL_TEST_DATABASE_URL)")


#: who sends to each municipality: Emma Sundberg (Stockholm, Södermalm) and Maria Lindqvist (Göteborg, a
#: joint application her husband Johan co-signs)
SENDER = {"0180": "199107172380", "1480": "196108283166"}


def submitted(count: int, municipality_code: str) -> list[str]:
    """Applications sent to the municipality and delivered, waiting for registration (built through the
    services: the web journey is tested elsewhere; here only registration matters)."""
    sent = [factories.submitted(factories.draft(SENDER[municipality_code])) for _ in range(count)]
    factories.delivered(*sent)
    assert {a.municipality_code for a in sent} == {municipality_code}
    ids = [a.id for a in sent]
    db.session.commit()  # no transaction left open while the threads register
    return ids


def register_concurrently(app, ids: list[str]) -> tuple[list[str], list[BaseException]]:
    """Each thread: its own app context, so its own session and connection; all start together."""
    barrier = threading.Barrier(len(ids))
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(application_id: str) -> None:
        with app.app_context():
            try:
                application = db.session.get(Application, application_id)
                barrier.wait(timeout=30)
                number = case.register(application)
                with lock:
                    numbers.append(number)
            except BaseException as error:  # reported by the test
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a registration hung"
    return numbers, errors


def test_concurrent_registrations_get_unique_gap_free_numbers(app):
    year = clock.today().year  # the Swedish year, as the case number has
    stockholm = submitted(THREADS, "0180")
    goteborg = submitted(THREADS // 2, "1480")
    numbers, errors = register_concurrently(app, stockholm + goteborg)
    assert errors == []
    db.session.expire_all()
    by_municipality: dict[str, list[str]] = {"0180": [], "1480": []}
    for application in db.session.scalars(select(Application).where(Application.id.in_(stockholm + goteborg))):
        assert application.status == "received" and application.received_at is not None
        by_municipality[application.municipality_code].append(application.case_number)
    assert sorted(by_municipality["0180"]) == [f"EB-{year}-{n:06d}" for n in range(1, THREADS + 1)]
    assert sorted(by_municipality["1480"]) == [f"EB-{year}-{n:06d}" for n in range(1, THREADS // 2 + 1)]
    assert sorted(numbers) == sorted(by_municipality["0180"] + by_municipality["1480"])
    assert db.session.get(CaseNumberSeries, ("0180", year)).last == THREADS
    # Later registrations go on from there, still without gaps.
    (more,) = submitted(1, "0180")
    assert case.register(db.session.get(Application, more)) == f"EB-{year}-{THREADS + 1:06d}"


def test_the_same_application_registered_at_once_gets_one_number(app):
    """Two caseworkers (or a double click) registering the same application at the same moment:
    one number, one event, and no number lost from the series."""
    year = clock.today().year  # the Swedish year, as the case number has
    (application_id,) = submitted(1, "0180")
    numbers, errors = register_concurrently(app, [application_id] * THREADS)
    assert errors == []
    assert set(numbers) == {f"EB-{year}-000001"}
    db.session.expire_all()
    assert db.session.get(CaseNumberSeries, ("0180", year)).last == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id, ApplicationEvent.kind == "received")
        )
        == 1
    )
    (other,) = submitted(1, "0180")
    assert case.register(db.session.get(Application, other)) == f"EB-{year}-000002"
