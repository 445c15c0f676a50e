"""``portal bench pages``: the pages people read most, served as in production (gunicorn, 2 workers,
PostgreSQL), beside a bare Flask app rendering a 60-row Jinja table (:mod:`devstack.bare`) under the same
server configuration, in one run, so the ratio to the bare page says what the portal itself costs whatever the
machine. Beside it the floor (``/floor`` of the same app): the bare page plus only the session read and the
committed audit record every logged-in page of the portal must make, so ``floor_ratio`` is the most a logged-in
page can reach on the machine and database of the run. The load generator is wrk (Debian's package; bin/test
installs it): 20 connections, requests/s and p50/p95 per page; beside them the SQL statements one request of
each page runs (the second request, warm).

The world, built through the portal's services on a throw-away database before anything is timed: Maria's
household of four (couple-with-children: Maria, Johan, their adult daughter and son), every member consenting
to every provider and set; their application for next month signed by both and delivered to Göteborg's inbox
(the case page, the caseworker's application view), and their draft for this month fetched afresh (the
information page, check answers); and enough other sent applications that the inbox holds ``--cases``. Logins
go through the test identity provider, as a browser's would."""

from __future__ import annotations

import cProfile
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import click
import httpx
from flask import current_app, g
from sqlalchemy import event, func, select, text

from devstack import STAFF_FILE
from devstack.bare import app as bare_app
from devstack.bench import bare_draft, database_url_option, free_port, sandbox_process, throwaway_database
from devstack.idp import create_idp_app
from devstack.idp.persons import (
    DEFAULT_PERSONS_DIR,
    UNKNOWN_FAMILY_NAME,
    UNKNOWN_GIVEN_NAME,
    citizen_identity,
    load_persons,
)
from devstack.idp.persons import Person as IdpPerson
from devstack.stack import Stack, idp_clients
from portal import clock, create_app
from portal.application import services as applications
from portal.application.services import link_memberships
from portal.auth.actor import CITIZEN, Actor
from portal.auth.models import Person
from portal.auth.services import citizen_from_claims
from portal.config import Config
from portal.consent import services as consents
from portal.db import utcnow
from portal.delivery.services import run_once
from portal.extensions import db
from portal.information.models import FetchCall, InformationItem
from portal.information.services import start_fetch
from portal.ops import GUNICORN_CONFIG
from portal.submission import services as submission
from portal.submission.services import submit

# couple-with-children: Maria (applicant), Johan (co-applicant), their adult daughter and son.
HOUSEHOLD = ("196108283166", "196201082697", "200304302383", "200512312398")
CASEWORKER = "staff-goteborg-1"  # Omar, Göteborg, every unit
GOTEBORG = "1480"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
SANDBOX_TOKEN = "bench-token"
PAGES = ("start", "information", "check", "case", "inbox", "application")
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("wrk_result requests=%d duration_us=%d p50_us=%d p95_us=%d errors=%d timeouts=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), errors,
    summary.errors.timeout))
end
"""


class _Form(HTMLParser):
    """The identity provider's picker: the first POST form's action and hidden fields."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self._in_form, self._done = None, {}, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self._done and (attrs.get("method") or "").lower() == "post":
            self._in_form, self.action = True, attrs.get("action")
        elif tag == "input" and self._in_form and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def login(base_url: str, login_path: str, subject: str) -> httpx.Client:
    """Log in through the test IdP as a browser would; returns the portal client holding the session cookie."""
    portal = httpx.Client(base_url=base_url, timeout=60)
    first = portal.get(login_path)
    if first.status_code != 302:
        raise click.ClickException(f"login {login_path}: {first.status_code}")
    with httpx.Client(timeout=60) as browser:
        picker = browser.get(first.headers["location"])
        form = _Form()
        form.feed(picker.text)
        action = urljoin(first.headers["location"], form.action or first.headers["location"])
        answer = browser.post(action, data={**form.fields, "subject": subject})
    if answer.status_code not in (302, 303):
        raise click.ClickException(f"login at the identity provider: {answer.status_code}")
    back = urlsplit(answer.headers["location"])
    done = portal.get(f"{back.path}?{back.query}")
    if done.status_code not in (302, 303):
        raise click.ClickException(f"login callback: {done.status_code}")
    return portal


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


@contextmanager
def gunicorn(app_path: str, port: int, env: dict, log_path: Path, workers: int = 2):
    """``portal serve``'s server and configuration for ``app_path``, until the block ends."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                GUNICORN_CONFIG,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                app_path,
            ],
            env={**os.environ, **env},
            stdout=log,
            stderr=log,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(url: str, process: subprocess.Popen | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise click.ClickException(f"server for {url} exited ({process.returncode})")
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise click.ClickException(f"{url} did not answer")


def wrk(url: str, cookie: str, seconds: float, connections: int, script: Path) -> dict:
    # A generous timeout: a slow page must show as slow, not drop out of the figures as an error.
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(script),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found = re.search(
        r"wrk_result requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) errors=(\d+) "
        r"timeouts=(\d+)",
        output,
    )
    if not found:
        raise click.ClickException(f"wrk said: {output[-500:]}")
    requests, duration, p50, p95, errors, timeouts = (int(v) for v in found.groups())
    # errors: answers other than 2xx/3xx and failed connections, timeouts among them
    return {
        "requests_per_s": requests / (duration / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "errors": errors,
        "timeouts": timeouts,
    }


def drain(server: str) -> None:
    """Wait until the server has answered what wrk left queued when it stopped (gunicorn still serves the
    requests of connections already closed): one more request gets its answer only after them, so the next
    measurement does not pay for the last one."""
    httpx.get(f"{server}/", timeout=120)


# --- the world ------------------------------------------------------------------------------------------


@contextmanager
def _as(person):
    with current_app.test_request_context("/"):
        g.actor = Actor(kind=CITIZEN, id=person.id, name=person.display_name)
        g.subject_id = person.id
        g.request_id = str(uuid.uuid4())
        yield


def _person(personnummer: str, idp_url: str):
    """The person as their first login makes them (the IdP's claims for that number)."""
    cast = {p.personnummer: p for p in load_persons(DEFAULT_PERSONS_DIR)}
    chosen = cast.get(personnummer) or IdpPerson(personnummer, UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
    actor = citizen_from_claims(citizen_identity(idp_url, chosen).claims)
    found = db.session.get(Person, actor.id)
    link_memberships(found)
    return found


def _every_consent(application, persons) -> None:
    """Each adult member consents for themselves to every unit (basic and extended); then the fetch."""
    keys = {u.key for u in consents.units()}
    for person in persons:
        link_memberships(person)
        member = consents.member_for_person(application, person.id)
        if member is None:
            continue
        with _as(person):
            consents.set_consents(application, member, person.id, keys)
    with _as(persons[0]):
        start_fetch(application)


def _sign(application, persons) -> None:
    for person in persons[:2]:  # Maria, then Johan (a joint application)
        if application.status not in ("draft", "awaiting_cosign"):
            break
        with _as(person):
            submission.sign(application, person.id, signed_at=clock.now().replace(microsecond=0), acr=LOA3)
        db.session.refresh(application)
    if application.status != "submitted":
        raise click.ClickException(f"the household's application was not sent: {application.status}")


def _other_cases(count: int, period: date) -> None:
    """``count`` other sent applications to Göteborg (bare drafts sent through the service, as in ``bench
    deliver``), so the inbox has its size."""
    for index in range(count):
        application = bare_draft(f"bench-pages-{index}", index, period, GOTEBORG, "41101", "GÖTEBORG", f"Bench {index}")
        submit(application, signed_at=utcnow(), acr="bench")
        db.session.remove()


def build_world(idp_url: str, cases: int) -> dict:
    """Inside the setup app's context: the household's sent and draft applications, the other cases, all
    delivered. Returns the ids the pages need and the information page's item count."""
    persons = [_person(pnr, idp_url) for pnr in HOUSEHOLD]
    this_month = clock.today().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    # The draft is this month's (the month people apply for, and the sandbox's fullest: more items than next
    # month's), so the application sent through the services is next month's.
    with _as(persons[0]):
        sent = applications.start(persons[0].id, next_month)
    _every_consent(sent, persons)
    _sign(sent, persons)
    sent_id = sent.id
    _other_cases(max(0, cases - 1), next_month)
    while run_once():
        pass
    persons = [_person(pnr, idp_url) for pnr in HOUSEHOLD]
    with _as(persons[0]):
        draft = applications.start(persons[0].id, this_month)
    _every_consent(draft, persons)
    items = db.session.scalar(
        select(func.count()).select_from(InformationItem).where(InformationItem.application_id == draft.id)
    )
    members = db.session.scalar(
        select(func.count(func.distinct(InformationItem.member_id))).where(InformationItem.application_id == draft.id)
    )
    failed = db.session.scalar(
        select(func.count())
        .select_from(FetchCall)
        .where(FetchCall.application_id == draft.id, FetchCall.status != "done")
    )
    draft_id = draft.id
    db.session.remove()
    return {"sent": sent_id, "draft": draft_id, "items": items, "members": members, "failed": failed}


def sql_statements(app, path: str, cookie: str) -> int:
    """Statements one warm request of ``path`` runs (the second of two), counted on the app's engine."""
    client = app.test_client(use_cookies=False)  # its own cookie jar would replace the Cookie header
    headers = {"Cookie": cookie} if cookie else {}
    client.get(path, headers=headers)
    count = [0]

    def counted(*args, **kwargs):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    if status != 200:
        raise click.ClickException(f"{path} answered {status} in process")
    return count[0]


def server_cpu_ms(app, path: str, cookie: str, requests: int, profile_to: Path | None = None) -> float:
    """Median process CPU time of one request of ``path`` in this process (Flask's test client, no network),
    in milliseconds: the portal's own work per request (routing, session, SQL on the client side, audit,
    rendering), which other processes on a busy machine hardly change, unlike wrk's wall-clock figures. The
    database server's own time is not in it. With ``profile_to``, the same requests under cProfile written there
    (not the figure's runs: the profiler slows them)."""
    client = app.test_client(use_cookies=False)
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(3):  # warm: compiled templates, translations, the pool
        client.get(path, headers=headers)
    times = []
    for _ in range(requests):
        started = time.process_time()
        status = client.get(path, headers=headers).status_code
        times.append(time.process_time() - started)
        if status != 200:
            raise click.ClickException(f"{path} answered {status} in process")
    if profile_to is not None:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get(path, headers=headers)
        profiler.disable()
        profiler.dump_stats(profile_to)
    return statistics.median(times) * 1000


def run(
    database_url: str,
    seconds: float,
    warmup: float,
    connections: int,
    cases: int,
    workers: int,
    echo=click.echo,
    cpu_requests: int = 30,
    profile_dir: Path | None = None,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-pages-"))
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    port, bare_port, idp_port = free_port(), free_port(), free_port()
    base_url, idp_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{idp_port}"
    stack = Stack()
    with sandbox_process() as sandbox_url, throwaway_database(database_url) as url:
        config = Config(
            base_url=base_url,
            database_url=url,
            idp_url=idp_url,
            sandbox_url=sandbox_url,
            sandbox_token=SANDBOX_TOKEN,
            staff_directory=STAFF_FILE,
            instance_path=workdir,
            fetch_in_background=False,
            provider_timeout_seconds=20,
        )
        stack.add(create_idp_app(issuer=idp_url, clients=idp_clients(config)), "127.0.0.1", idp_port)
        try:
            app = create_app(config)  # also makes the seal key the servers will use
            with app.app_context():
                world = build_world(idp_url, cases)
                # The tables' statistics, as autovacuum keeps them on a database in use: without them PostgreSQL
                # plans for empty tables (the inbox's listing as a nested loop over every inbox entry: 16 ms of
                # the database's time instead of 0.6 with 200 cases).
                with db.engine.connect() as connection:
                    connection.execute(text("ANALYZE"))
                    connection.commit()
            env = {
                "PORTAL_DATABASE_URL": url,
                "PORTAL_INSTANCE_PATH": str(workdir),
                "PORTAL_BASE_URL": base_url,
                "PORTAL_IDP_URL": idp_url,
                "PORTAL_SANDBOX_URL": sandbox_url,
                "PORTAL_SANDBOX_TOKEN": SANDBOX_TOKEN,
                "PORTAL_STAFF_DIRECTORY": str(STAFF_FILE),
                "PORTAL_LOG_FORMAT": "json",
                "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
            }
            (workdir / "metrics").mkdir()
            results: dict[str, dict] = {}
            with (
                gunicorn("portal.ops.wsgi:app", port, env, workdir / "portal.log", workers),
                gunicorn("devstack.bare:app", bare_port, env, workdir / "bare.log", workers) as bare_url,
            ):
                citizen = login(base_url, "/auth/login", HOUSEHOLD[0])
                staff = login(base_url, "/auth/staff/login", CASEWORKER)
                pages = {
                    "start": ("/", ""),
                    "information": (f"/applications/{world['draft']}/information", cookie_header(citizen)),
                    "check": (f"/applications/{world['draft']}/check", cookie_header(citizen)),
                    "case": (f"/cases/{world['sent']}", cookie_header(citizen)),
                    "inbox": ("/municipality/inbox", cookie_header(staff)),
                    "application": (f"/municipality/inbox/{world['sent']}", cookie_header(staff)),
                }
                for name, (path, cookie) in pages.items():
                    answer = httpx.get(f"{base_url}{path}", headers={"Cookie": cookie} if cookie else {}, timeout=60)
                    if answer.status_code != 200:
                        raise click.ClickException(f"{name} page {path} answered {answer.status_code}")
                echo(f"connections={connections}")
                echo(f"web_workers={workers}")
                echo(f"seconds_per_page={seconds:g}")
                echo(f"information_items={world['items']}")
                echo(f"information_members_with_items={world['members']}")
                echo(f"information_fetch_calls_not_done={world['failed']}")
                echo(f"inbox_cases={cases}")
                references = {"bare": ("/", ""), "floor": ("/floor", cookie_header(citizen))}
                bare_app.config["FLOOR_DATABASE_URL"] = url  # for the in-process figures
                for name, (path, cookie) in [*references.items(), *pages.items()]:
                    server = bare_url if name in references else base_url
                    url_ = f"{server}{path}"
                    figures = {}
                    if seconds:  # --seconds 0: only the in-process figures (a quick loop while working)
                        if warmup:
                            wrk(url_, cookie, warmup, connections, script)
                            drain(server)
                        figures = wrk(url_, cookie, seconds, connections, script)
                        drain(server)
                    target = bare_app if name in references else app
                    profile_to = profile_dir / f"{name}.prof" if profile_dir else None
                    figures["server_cpu_ms"] = server_cpu_ms(target, path, cookie, cpu_requests, profile_to)
                    if name not in references:
                        figures["sql_statements"] = sql_statements(app, path, cookie)
                    results[name] = figures
                    for key, value in figures.items():
                        echo(f"{name}_{key}={value:.1f}" if isinstance(value, float) else f"{name}_{key}={value}")
                echo(f"load_avg={os.getloadavg()[0]:.1f}")
            # The CPU figures' ratio (bare's time over the page's) carries over from a busy machine; the
            # requests/s ratio is the target, measured on a quiet one.
            bare_cpu = results["bare"]["server_cpu_ms"]
            for name in ("floor", *PAGES):
                echo(f"{name}_cpu_ratio={bare_cpu / results[name]['server_cpu_ms']:.2f}")
            ratios = {}
            if seconds:
                bare = results["bare"]["requests_per_s"]
                ratios = {name: results[name]["requests_per_s"] / bare for name in PAGES}
                # The floor's ratio: the most any logged-in page can reach here (devstack/bare.py), not a page.
                echo(f"floor_ratio={results['floor']['requests_per_s'] / bare:.2f}")
                for name, ratio in sorted(ratios.items(), key=lambda item: -item[1]):  # the worst last
                    echo(f"{name}_ratio={ratio:.2f}")
                echo(f"worst_ratio={min(ratios.values()):.2f}")
            with app.app_context():
                db.engine.dispose()  # before the database is dropped
            return {
                "results": results,
                "ratios": ratios,
                "median_ratio": statistics.median(ratios.values()) if ratios else None,
            }
        finally:
            stack.shutdown()


@click.command("pages")
@database_url_option
@click.option("--seconds", default=10.0, show_default=True, help="Load per page (wrk), after the warm-up.")
@click.option("--warmup", default=2.0, show_default=True, help="Unmeasured load per page first.")
@click.option("--connections", default=20, show_default=True, help="Concurrent connections (wrk -c).")
@click.option("--cases", default=200, show_default=True, help="Applications in the caseworker's inbox.")
@click.option("--workers", default=2, show_default=True, help="gunicorn workers for the portal and the bare app.")
@click.option(
    "--cpu-requests",
    default=30,
    show_default=True,
    help="In-process requests per page for <page>_server_cpu_ms (median CPU time of one request).",
)
@click.option(
    "--profile-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write a cProfile of each page's in-process requests there (<page>.prof).",
)
def bench_pages(
    database_url: str,
    seconds: float,
    warmup: float,
    connections: int,
    cases: int,
    workers: int,
    cpu_requests: int,
    profile_dir: Path | None,
) -> None:
    """The most read pages under gunicorn on PostgreSQL beside a bare 60-row Jinja page: requests/s, p50/p95,
    the median CPU milliseconds of one request in process (steady on a busy machine, unlike wrk's figures)
    and SQL statements per page, then each page's ratio to the bare page, the worst last; ``--seconds 0``
    skips wrk."""
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
    run(database_url, seconds, warmup, connections, cases, workers, cpu_requests=cpu_requests, profile_dir=profile_dir)
