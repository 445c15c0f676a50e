"""Scale-out (issue 14, point 5): two ``portal serve`` nodes on different ports and two ``portal worker``
processes on one PostgreSQL behave as one service. The test stands in for the load balancer, sending each
request to the node it chooses; both nodes have the same public base URL, secret key and seal key, as
docs/scaling.md asks of every node.

What is checked: a session started on one node is valid on the other, and a logout on either ends it on both
(server-side sessions); arrival registrations made at once on both nodes give gap-free case numbers; the two
workers deliver every application once; both nodes are ready, each worker's heartbeat passes ``portal worker
--check``; ``/metrics`` shows the series after the journey; and with Redis as the limiter's store (bin/test
starts one), a caseworker's searches count against one limit whichever node answers them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from devstack import STAFF_FILE
from devstack.bench import PG_ENV
from tests.support import free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.own_processes,
    pytest.mark.skipif(
        not os.environ.get(PG_ENV),
        reason="two nodes and two workers share one PostgreSQL; SQLite is one machine's file",
    ),
]

PUBLIC_URL = "http://localhost"  # what the load balancer answers as; the IdP sends the browser back there
METRICS_TOKEN = "scale-out-metrics-token-0123456789abcdef"
SECRET = "scale-out-secret-key-0123456789abcdefghijkl"
APPLICATIONS = 8
UPPSALA = "0380"
SEARCHES = 3  # the inbox search's limit per caseworker in this test
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "portal.cli", *args], env=env, stdout=out, stderr=out)


def _wait_ready(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url} exited"
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture(scope="module")
def service(databases, live_services, tmp_path_factory):
    """Two nodes (gunicorn, one worker each) and two delivery workers, one database, one instance directory
    (the seal key every node must share)."""
    from portal import create_app
    from portal.config import Config
    from portal.extensions import db

    workdir = tmp_path_factory.mktemp("scale-out")
    url = databases.fresh()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_BASE_URL": PUBLIC_URL,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_INSTANCE_PATH": str(workdir),
        "PORTAL_IDP_URL": live_services["idp_url"],
        "PORTAL_SANDBOX_URL": live_services["sandbox_url"],
        "PORTAL_STAFF_DIRECTORY": str(STAFF_FILE),
        "PORTAL_METRICS_TOKEN": METRICS_TOKEN,
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_WEB_WORKERS": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    redis_url = _redis()
    if redis_url:  # rate limits counted in one place for both nodes, under this run's own keys
        env.update(
            PORTAL_RATELIMIT_STORAGE_URI=redis_url,
            PORTAL_RATELIMIT_KEY_PREFIX=f"scale-out-{uuid.uuid4().hex}",
            PORTAL_RATELIMIT_SEARCH=f"{SEARCHES} per minute",
        )
    # The seal key is made once, before any node starts, as an operator provisions it for all nodes.
    app = create_app(
        Config(
            base_url=PUBLIC_URL,
            staff_directory=STAFF_FILE,
            database_url=url,
            secret_key=SECRET,
            instance_path=workdir,
            idp_url=live_services["idp_url"],
            sandbox_url=live_services["sandbox_url"],
            fetch_in_background=False,
        )
    )
    ports = [free_port(), free_port()]
    nodes = [
        _start(["serve", "--bind", f"127.0.0.1:{port}"], env, workdir / f"node-{i}.log") for i, port in enumerate(ports)
    ]
    heartbeats = [workdir / f"worker-{i}.heartbeat" for i in range(2)]
    workers = [
        _start(["worker", "--interval", "0.2", "--heartbeat", str(path)], env, workdir / f"worker-{i}.log")
        for i, path in enumerate(heartbeats)
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for node_url, process in zip(urls, nodes, strict=True):
            _wait_ready(node_url, process)
        with app.app_context():
            yield {
                "nodes": urls,
                "app": app,
                "env": env,
                "heartbeats": heartbeats,
                "workdir": workdir,
                "redis": redis_url,
                "processes": nodes,
            }
            db.session.remove()
            db.engine.dispose()
    finally:
        for process in nodes + workers:
            process.terminate()
        for process in nodes + workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        databases.drop(url)


def _redis() -> str | None:
    """The Redis bin/test starts (127.0.0.1:6379), if it answers."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def _cookie(client: httpx.Client) -> dict:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


def _post(node: str, path: str, cookie: dict, page_path: str, data: dict | None = None) -> httpx.Response:
    """A form POST as the browser sends it: the CSRF token from the page it was on, the same origin."""
    page = httpx.get(f"{node}{page_path}", headers=cookie, timeout=60)
    token = CSRF.search(page.text).group(1)
    return httpx.post(
        f"{node}{path}",
        headers={**cookie, "Origin": PUBLIC_URL, "Referer": f"{PUBLIC_URL}{page_path}"},
        data={"csrf_token": token, **(data or {})},
        timeout=60,
    )


def test_both_nodes_are_ready_and_both_workers_alive(service):
    from portal.ops import heartbeat

    for node in service["nodes"]:
        answer = httpx.get(f"{node}/ready", timeout=60)
        assert answer.status_code == 200, answer.text
    for path in service["heartbeats"]:
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    # What `portal worker --check --heartbeat <file>` answers (the command itself: tests/test_ops.py).
    assert all(heartbeat.alive(path, max_age=60) for path in service["heartbeats"])


def test_a_session_started_on_one_node_is_valid_on_the_other_and_a_logout_ends_it_on_both(service):
    from devstack.bench_pages import login

    first, second = service["nodes"]
    browser = login(first, "/auth/login", "199006022397")
    cookie = _cookie(browser)
    assert httpx.get(f"{second}/overview", headers=cookie, timeout=60).status_code == 200
    assert httpx.get(f"{first}/overview", headers=cookie, timeout=60).status_code == 200

    logout = _post(second, "/auth/logout", cookie, "/overview")
    assert logout.status_code in (302, 303), logout.status_code
    for node in (first, second):
        after = httpx.get(f"{node}/overview", headers=cookie, timeout=60)
        assert after.status_code == 302 and after.headers["location"].startswith("/auth/login"), node


def _bare_submissions(count: int) -> list[str]:
    """``count`` sent applications to Uppsala, through the sending service (as ``bench deliver`` makes them)."""
    from portal import clock
    from portal.application.models import Application, HouseholdMember
    from portal.application.services import new_reference
    from portal.auth.models import Person
    from portal.db import utcnow
    from portal.extensions import db
    from portal.submission.services import submit

    ids = []
    for index in range(count):
        person = Person(
            oidc_subject=f"scale-out-{index}",
            personnummer=f"{198000000000 + index}",
            given_name="Test",
            family_name=f"Skala {index}",
        )
        db.session.add(person)
        db.session.flush()
        application = Application(
            reference=new_reference(),
            applicant_id=person.id,
            period=clock.today().replace(day=1),
            municipality_code=UPPSALA,
            street="Testgatan 1",
            postal_code="75310",
            post_town="UPPSALA",
            folkbokforing_fetched_at=utcnow(),
        )
        application.members.append(
            HouseholdMember(
                position=0,
                relation="applicant",
                given_name="Test",
                family_name=f"Skala {index}",
                birth_date=date(1980, 1, 1),
                person_id=person.id,
            )
        )
        db.session.add(application)
        db.session.flush()
        submit(application, signed_at=utcnow(), acr="test")
        ids.append(application.id)
        db.session.remove()
    return ids


def test_two_workers_deliver_each_once_and_two_nodes_number_cases_without_gaps(service):
    from devstack.bench_pages import login
    from portal.application.models import Application
    from portal.delivery.models import Delivery, InboxEntry
    from portal.extensions import db

    ids = _bare_submissions(APPLICATIONS)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        open_ = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status != "delivered"))
        db.session.remove()
        if not open_:
            break
        time.sleep(0.2)
    entries = dict(
        db.session.execute(
            select(InboxEntry.application_id, func.count())
            .where(InboxEntry.application_id.in_(ids))
            .group_by(InboxEntry.application_id)
        ).all()
    )
    assert entries == dict.fromkeys(ids, 1)
    statuses = list(db.session.scalars(select(Delivery.status).where(Delivery.application_id.in_(ids))))
    assert statuses == ["delivered"] * APPLICATIONS
    db.session.remove()

    # One caseworker, logged in once; the load balancer sends their requests to both nodes, at the same time.
    caseworker = _cookie(login(service["nodes"][0], "/auth/staff/login", "staff-uppsala-1"))
    # The inbox first, as the caseworker opens it: the session's CSRF secret is made there, once (two first
    # requests at once would each make one, and the later save would win).
    assert httpx.get(f"{service['nodes'][1]}/municipality/inbox", headers=caseworker, timeout=60).status_code == 200
    answers: list[int] = []

    def register(node: str, application_id: str) -> None:
        page = f"/municipality/inbox/{application_id}"
        answers.append(_post(node, f"{page}/register", caseworker, page).status_code)

    threads = [
        threading.Thread(target=register, args=(service["nodes"][i % 2], application_id))
        for i, application_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [302] * APPLICATIONS
    numbers = sorted(db.session.scalars(select(Application.case_number).where(Application.id.in_(ids))))
    serials = [int(number.rsplit("-", 1)[1]) for number in numbers]
    assert serials == list(range(1, APPLICATIONS + 1)), numbers
    db.session.remove()

    # The journey shows in either node's metrics (the outbox and sessions are read from the database).
    text = httpx.get(
        f"{service['nodes'][1]}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=60
    ).text
    assert 'route="/municipality/inbox/<application_id>/register"' in text
    assert "portal_http_request_duration_seconds_bucket" in text
    for series in (
        "portal_outbox_depth",
        "portal_dead_letters",
        "portal_notifications_pending",
        "portal_sessions_active",
    ):
        assert f"# TYPE {series} gauge" in text, series


def test_rate_limits_count_once_for_both_nodes(service):
    """The inbox search allows SEARCHES a minute per caseworker: spread over both nodes, the next one is
    refused on either, because both count in the same Redis."""
    from devstack.bench_pages import login

    if not service["redis"]:
        pytest.skip("no Redis on 127.0.0.1:6379 (bin/test starts one): the nodes count rate limits apart")
    nodes = service["nodes"]
    caseworker = _cookie(login(nodes[1], "/auth/staff/login", "staff-uppsala-2"))
    statuses = [
        httpx.get(
            f"{nodes[i % 2]}/municipality/inbox", params={"q": f"EB-{i}"}, headers=caseworker, timeout=60
        ).status_code
        for i in range(SEARCHES)
    ]
    assert statuses == [200] * SEARCHES
    for node in nodes:
        refused = httpx.get(f"{node}/municipality/inbox", params={"q": "EB-x"}, headers=caseworker, timeout=60)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0, node


def test_a_graceful_reload_drops_no_request(service):
    """``systemctl reload portal-web`` (HUP to gunicorn's master): new workers start, the old ones finish, and
    the node answers throughout."""
    import signal

    node, master = service["nodes"][0], service["processes"][0]
    log = service["workdir"] / "node-0.log"
    booted = log.read_text(encoding="utf-8").count("Booting worker")
    master.send_signal(signal.SIGHUP)
    statuses = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses.append(httpx.get(f"{node}/health", timeout=60).status_code)
        if log.read_text(encoding="utf-8").count("Booting worker") > booted and len(statuses) >= 20:
            break
        time.sleep(0.05)
    assert log.read_text(encoding="utf-8").count("Booting worker") > booted, "no new worker after HUP"
    assert statuses and set(statuses) == {200}
