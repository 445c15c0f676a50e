"""Reliability of delivery: a worker killed mid-run, the database dropping every connection, and
the database server restarted mid-delivery lose nothing and deliver nothing twice."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from devstack.receiver import create_receiver_app
from devstack.sandbox.testing import serve
from portal.application.models import Application
from portal.auth.models import Person
from portal.config import REPO_ROOT, Config
from portal.delivery import webhook
from portal.delivery.models import Delivery, InboxEntry
from portal.delivery.services import run_forever
from portal.extensions import db
from portal.routing import config as routing
from portal.submission.models import FrozenDocument
from tests.support import free_port

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
        application = Application(
            reference=f"EU-REL-{n:05d}",
            applicant_id=person.id,
            period=date(2026, 12, 1),
            status="submitted",
            municipality_code=code,
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(
            Delivery(
                application_id=application.id,
                municipality_code=code,
                inbox_id=f"kommun-{code}",
                channel="inbox",
                idempotency_key=f"{application.reference}/v1",
            )
        )
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
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": config.database_url,
        "PORTAL_DELIVERY_LEASE_SECONDS": "2",
        "PORTAL_INSTANCE_PATH": str(config.instance_path),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "worker", "--interval", "0.1"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.own_processes
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
    """The server stays up but ends every session (as a failover proxy or an administrator might)."""
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
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.commit()
        assert wait_until(lambda: delivered() == 200, 60)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert_each_delivered_once(200)


# --- a real restart of the database server ---------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if (Path(d) / "pg_ctl").exists()]
    found.sort(key=lambda d: int(re.sub(r"\D", "", d.parent.name) or 0))
    if found:
        return found[-1]
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path and (Path(on_path).parent / "initdb").exists() else None


class OwnPostgres:
    """A throw-away PostgreSQL server of the test's own: ``initdb`` into a temporary directory, on a free port
    of 127.0.0.1, its socket in that directory, so the machine's shared cluster (and everyone's tests on it)
    is never touched. PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.user = "postgres" if os.geteuid() == 0 else None
        self.base = Path(tempfile.mkdtemp(prefix="portal-own-pg-"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        self.data = self.base / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            cwd=self.base,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            log = (self.base / "server.log").read_text(errors="replace") if (self.base / "server.log").exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}{log[-2000:]}")

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def own_postgres():
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) installed: cannot restart a database server")
    server = OwnPostgres(bin_dir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


RESTART_COUNT = 150
RESTART_SECRET = "restart-webhook-secret"


@pytest.mark.own_processes
def test_the_worker_recovers_when_the_database_server_is_restarted(own_postgres, tmp_path):
    """``pg_ctl stop -m fast`` in the middle of delivering (by webhook, so an application can be sent and its
    mark lost with the server), then started again: the running worker carries on by itself, and every
    application arrives once, in order of submission."""
    from portal import create_app
    from portal.database import upgrade

    upgrade(own_postgres.url)
    receiver_app = create_receiver_app({"vasteras": RESTART_SECRET})
    state = receiver_app.extensions["receiver"]
    state.mode, state.seconds = "slow", 0.01  # a case system taking 10 ms a case: the run lasts long enough
    with serve(receiver_app) as receiver_url:
        raw = json.loads(routing.DEFAULT_PATH.read_text(encoding="utf-8"))
        (inbox,) = raw["municipalities"]["1980"]["inboxes"]
        inbox["url"] = f"{receiver_url}/webhook/vasteras"
        routing_file = tmp_path / "routing.json"
        routing_file.write_text(json.dumps(raw), encoding="utf-8")

        app = create_app(
            Config(database_url=own_postgres.url, instance_path=tmp_path / "instance", fetch_in_background=False)
        )
        with app.app_context():
            person = Person(
                oidc_subject="restart", personnummer="199006022397", given_name="Test", family_name="Person"
            )
            db.session.add(person)
            db.session.flush()
            for n in range(RESTART_COUNT):
                application = Application(
                    reference=f"EU-RST-{n:05d}",
                    applicant_id=person.id,
                    period=date(2026, 12, 1),
                    status="submitted",
                    municipality_code="1980",
                )
                db.session.add(application)
                db.session.flush()
                body = json.dumps({"reference": application.reference, "n": n}, separators=(",", ":"))
                db.session.add(
                    FrozenDocument(
                        application_id=application.id,
                        schema_version="test",
                        language="sv",
                        body=body,
                        sha256=hashlib.sha256(body.encode()).hexdigest(),
                    )
                )
                db.session.add(
                    Delivery(
                        application_id=application.id,
                        municipality_code="1980",
                        inbox_id="vasteras",
                        channel="webhook",
                        idempotency_key=f"{application.reference}/v1",
                    )
                )
                db.session.flush()  # one at a time: created_at in order of n
            db.session.commit()
            expected = list(
                db.session.scalars(select(Delivery.idempotency_key).order_by(Delivery.created_at, Delivery.id))
            )
            db.session.remove()
            db.engine.dispose()

        probe = create_engine(own_postgres.url, pool_pre_ping=True)

        def delivered_count() -> int:
            try:
                with probe.connect() as conn:
                    return conn.scalar(text("SELECT count(*) FROM delivery WHERE status = 'delivered'"))
            except OperationalError:
                return -1

        # A short lease, so what the restart cut off is taken again soon; each request's deadline is the lease
        # less the safety margin at most (here 3 s), generous for a receiver answering in 10 ms.
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": own_postgres.url,
            "PORTAL_DELIVERY_LEASE_SECONDS": "4",
            "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
            routing.ENV: str(routing_file),
            "PORTAL_WEBHOOK_SECRET_VASTERAS": RESTART_SECRET,
            webhook.TIMEOUT_ENV: "2",
        }
        with open(tmp_path / "worker.log", "wb") as worker_log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "portal.cli", "worker", "--interval", "0.1"],
                cwd=REPO_ROOT,
                env=env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
        try:
            assert wait_until(lambda: delivered_count() >= 20, 60), "the worker did not start delivering"
            own_postgres.stop("fast")  # a real shutdown: every connection ends, new ones are refused
            arrived_while_stopping = len(state.cases)
            assert arrived_while_stopping < RESTART_COUNT, "too late: everything had arrived before the restart"
            # Down until the worker has seen it: its rounds fail meanwhile (and it lives on).
            assert wait_until(
                lambda: "worker round failed" in (tmp_path / "worker.log").read_text(errors="replace"), 30
            ), "the worker never noticed the database was down"
            assert worker.poll() is None, "the worker died while the database was down"
            own_postgres.start()
            assert wait_until(lambda: delivered_count() == RESTART_COUNT, 60), (
                "not everything was delivered after the restart:\n"
                + (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
            )
            assert worker.poll() is None, "the worker did not recover by itself"
        finally:
            worker.terminate()
            worker.wait(timeout=10)
            probe.dispose()
        log_text = (tmp_path / "worker.log").read_text(errors="replace")
        assert "worker round failed" in log_text  # it did see the database go away
        keys = [case["idempotency_key"] for case in state.cases]
        assert len(keys) == RESTART_COUNT and set(keys) == set(expected)  # all arrived, none twice
        assert keys == expected  # in order of submission
        assert state.refused == 0
