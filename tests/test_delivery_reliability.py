"""Reliability of delivery: a worker killed mid-run, and the database dropping every
connection, lose nothing and deliver nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from portal.application.models import Application
from portal.auth.models import Person
from portal.config import REPO_ROOT
from portal.delivery.models import Delivery, InboxEntry
from portal.delivery.services import run_forever
from portal.extensions import db

COUNT = 500
MUNICIPALITIES = ["0380", "0180", "1480", "1280", "0580", "0581", "1880", "2480", "2180", "1980"]


def seed_outbox(count: int) -> None:
    """Submitted applications with their outbox records, written in bulk: these tests are about
    the worker, not about submitting."""
    person = Person(oidc_subject="reliability", personnummer="199006022397", given_name="Test", family_name="Person")
    db.session.add(person)
    db.session.flush()
    for n in range(count):
        code = MUNICIPALITIES[n % len(MUNICIPALITIES)]
        application = Application(reference=f"EU-REL-{n:05d}", applicant_id=person.id, period=date(2026, 12, 1),
                                  status="submitted", municipality_code=code)
        db.session.add(application)
        db.session.flush()
        db.session.add(Delivery(application_id=application.id, municipality_code=code, inbox_id=f"kommun-{code}",
                                channel="inbox", idempotency_key=f"{application.reference}/v1"))
    db.session.commit()


def delivered() -> int:
    try:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "delivered"))
    except OperationalError:  # our own connection was dropped too: take a fresh one
        db.session.rollback()
        return -1


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def assert_each_delivered_once(count: int) -> None:
    assert delivered() == count
    assert db.session.scalar(select(func.count()).select_from(InboxEntry)) == count
    assert db.session.scalar(select(func.count(func.distinct(InboxEntry.application_id)))) == count


def start_worker(config) -> subprocess.Popen:
    env = {**os.environ, "PORTAL_DATABASE_URL": config.database_url, "PORTAL_DELIVERY_LEASE_SECONDS": "2",
           "PORTAL_INSTANCE_PATH": str(config.instance_path)}
    return subprocess.Popen([sys.executable, "-m", "portal.cli", "worker", "--interval", "0.1"], cwd=REPO_ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(app, config):
    seed_outbox(COUNT)
    first = start_worker(config)
    try:
        assert wait_until(lambda: delivered() >= 50, 60), "the worker did not start delivering"
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert delivered() < COUNT, "too late to kill mid-run"
        second = start_worker(config)
        try:
            assert wait_until(lambda: delivered() == COUNT, 120)
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert_each_delivered_once(COUNT)


def test_the_worker_recovers_when_the_database_drops_its_connections(app, databases):
    if databases.dialect != "postgresql":
        pytest.skip("dropping server connections is a PostgreSQL test")
    seed_outbox(200)
    # Claims held by a round the drop interrupted are released when their lease runs out.
    app.config["PORTAL"].delivery_lease_seconds = 2
    stop = threading.Event()
    worker = threading.Thread(target=run_forever, args=(app, 0.05, stop), daemon=True)
    worker.start()
    try:
        assert wait_until(lambda: delivered() >= 20, 60)
        name = db.engine.url.database
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
            conn.commit()
        assert wait_until(lambda: delivered() == 200, 60)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert_each_delivered_once(200)
