"""``portal bench <name>``: speed figures as ``key=value`` lines, never timed assertions."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import secrets as random_secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from portal import clock, create_app
from portal.application.models import Application, HouseholdMember
from portal.application.services import new_reference
from portal.auth.models import Person
from portal.config import Config
from portal.database import upgrade
from portal.db import utcnow
from portal.delivery.models import Delivery
from portal.delivery.services import run_forever
from portal.extensions import db
from portal.providers.fetch import Breakers, CallSpec, FetchSettings, fetch_all
from portal.providers.items import Period
from portal.providers.registry import providers
from portal.routing.config import DEFAULT_PATH, clear_cache
from portal.routing.services import municipalities
from portal.submission.services import submit

# couple-with-children: Maria, Johan, their adult student daughter and their son.
HOUSEHOLD = ("196108283166", "196201082697", "200304302383", "200512312398")
SLOWEST_MS = 1500


def _latencies() -> dict[str, int]:
    """Each provider 100–800 ms, one (the last) at 1.5 s."""
    names = [p.name for p in providers()]
    spread = {name: 100 + (700 * i) // max(1, len(names) - 2) for i, name in enumerate(names[:-1])}
    spread[names[-1]] = SLOWEST_MS
    return spread


def _specs(household=HOUSEHOLD) -> list[CallSpec]:
    return [
        CallSpec(key=(pnr, p.name, s.key), provider=p.name, info_set=s.key, personnummer=pnr)
        for pnr in household
        for p in providers()
        for s in p.sets
    ]


@contextmanager
def sandbox_process():
    """The sandbox in its own process, as the agencies are: its work must not share the
    portal's interpreter (and GIL) or the figures would measure the sandbox, not the fetch."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PORTAL_SANDBOX_TOKEN": "bench-token"}
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_healthy(base_url: str) -> None:
    """Until the service started beside the benchmark answers ``/health`` (ten seconds at most: the
    measurement then shows what is wrong)."""
    for _ in range(100):
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)


def bare_draft(
    subject: str, index: int, period: date, municipality_code: str, postal_code: str, post_town: str, family_name: str
) -> Application:
    """A draft as the portal has it before sending: the applicant alone, with an address, nothing fetched.
    ``index`` makes the personnummer unique."""
    person = Person(
        oidc_subject=subject,
        personnummer=f"{199000000000 + index}",
        given_name="Test",
        family_name=family_name,
    )
    db.session.add(person)
    db.session.flush()
    application = Application(
        reference=new_reference(),
        applicant_id=person.id,
        period=period,
        municipality_code=municipality_code,
        street="Testgatan 1",
        postal_code=postal_code,
        post_town=post_town,
        folkbokforing_fetched_at=utcnow(),
    )
    application.members.append(
        HouseholdMember(
            position=0,
            relation="applicant",
            given_name="Test",
            family_name=family_name,
            birth_date=date(1990, 1, 1),
            person_id=person.id,
        )
    )
    db.session.add(application)
    db.session.flush()
    return application


def _set_faults(control: httpx.Client, rules: list[dict]) -> None:
    control.post("/_control/faults", json={"rules": rules}).raise_for_status()


@click.group()
def bench() -> None:
    """Speed benchmarks (key=value lines)."""


@bench.command("fetch")
@click.option("--rounds", default=3, show_default=True, help="Full fetches to time (the median is used).")
@click.option("--deadline", default=3.0, show_default=True, help="Deadline per provider call, seconds.")
def bench_fetch(rounds: int, deadline: float) -> None:
    """Full fetch for a household of four against the sandbox with realistic latencies."""
    period = Period(clock.today().replace(day=1))
    latencies = _latencies()
    with sandbox_process() as base_url:
        control = httpx.Client(base_url=base_url, headers={"Authorization": "Bearer bench-token"})
        settings = FetchSettings(base_url=base_url, token="bench-token", deadline_seconds=deadline)
        _set_faults(control, [{"provider": name, "kind": "latency", "ms": ms} for name, ms in latencies.items()])
        specs = _specs()
        slow_provider = max(latencies, key=latencies.get)
        slow_spec = next(s for s in specs if s.provider == slow_provider)

        # As in the portal, provider health and typical latency are kept between fetches;
        # one warm-up fetch lets them settle, as any running portal has.
        breakers = Breakers(5, 30)
        fetch_all(specs, period, settings, breakers)
        singles, fulls = [], []
        for _ in range(rounds):
            started = time.monotonic()
            fetch_all([slow_spec], period, settings, breakers)
            singles.append(time.monotonic() - started)
            started = time.monotonic()
            outcomes = fetch_all(specs, period, settings, breakers)
            fulls.append(time.monotonic() - started)
        failed = sum(1 for o in outcomes if not o.ok)
        click.echo(f"providers={len(latencies)}")
        click.echo(f"household_members={len(HOUSEHOLD)}")
        click.echo(f"calls={len(specs)}")
        click.echo(f"failed_calls={failed}")
        click.echo(f"slowest_provider={slow_provider}")
        click.echo(f"slowest_single_ms={statistics.median(singles) * 1000:.0f}")
        click.echo(f"full_fetch_ms={statistics.median(fulls) * 1000:.0f}")

        # One provider times out: the whole fetch must end right after its deadline.
        timing_out = next(name for name in latencies if name != slow_provider)
        rules = [
            {"provider": name, "kind": "latency", "ms": ms} for name, ms in latencies.items() if name != timing_out
        ]
        rules.append({"provider": timing_out, "kind": "timeout", "seconds": deadline + 10})
        _set_faults(control, rules)
        started = time.monotonic()
        outcomes = fetch_all(specs, period, settings, Breakers(1000, 30))  # no breaker: measure the deadline
        ended = time.monotonic()
        timed_out = [o for o in outcomes if o.provider == timing_out]
        last_deadline = max(o.started for o in timed_out) + deadline
        click.echo(f"timeout_provider={timing_out}")
        click.echo(f"timeout_calls_failed={sum(1 for o in timed_out if not o.ok)}/{len(timed_out)}")
        click.echo(f"timeout_full_fetch_ms={(ended - started) * 1000:.0f}")
        click.echo(f"timeout_overrun_ms={(ended - last_deadline) * 1000:.0f}")
        control.delete("/_control/faults")
        click.echo(f"fetch_ratio={statistics.median(fulls) / statistics.median(singles):.2f}")


PG_ENV = "PORTAL_TEST_DATABASE_URL"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The PostgreSQL server both benchmarks that need one measure on.
database_url_option = click.option(
    "--database-url",
    default=lambda: os.environ.get(PG_ENV) or DEFAULT_PG,
    help="PostgreSQL server (admin URL); a throw-away database is created on it and dropped.",
)
BENCH_SECRET_NAME = "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU (user + system) a process on this machine has used, from /proc; with ``children``, also what its
    exited children used; 0 if it is gone or there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _postgres_cpu() -> float:
    """CPU used so far by every PostgreSQL process on this machine, exited backends included (the server
    process counts its children's once they end); 0 if the server is elsewhere."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return sum(_cpu_seconds(pid, children=parent not in parents) for pid, parent in parents.items())


@contextmanager
def throwaway_database(admin_url: str):
    """A fresh PostgreSQL database, migrated; dropped afterwards."""
    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _bench_routing(path, receiver_url: str, count: int) -> list[str]:
    """The shipped routing file plus ``count`` municipalities (not configured there) each with a webhook
    inbox at the local receiver; returns their codes."""
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    codes = [code for code in sorted(municipalities()) if code not in raw["municipalities"]][:count]
    for code in codes:
        inbox_id = f"bench-{code}"
        raw["municipalities"][code] = {
            "state": "connected",
            "fallback_inbox": inbox_id,
            "inboxes": [
                {
                    "id": inbox_id,
                    "name": f"Bench {code}",
                    "channel": "webhook",
                    "url": f"{receiver_url}/webhook/{inbox_id}",
                    "secret": BENCH_SECRET_NAME,
                }
            ],
        }
    path.write_text(json.dumps(raw), encoding="utf-8")
    return codes


def _bench_app(database_url: str, instance_path: str):
    return create_app(Config(database_url=database_url, instance_path=Path(instance_path), fetch_in_background=False))


def _deliver_worker(database_url: str, instance_path: str, stop, poll: float = 0.02) -> None:
    """A delivery worker process, as ``portal worker`` runs beside the portal."""
    app = _bench_app(database_url, instance_path)
    logging.getLogger().setLevel(logging.WARNING)  # one line per delivery would be the benchmark's work
    run_forever(app, poll, stop)


def _submitter(database_url: str, instance_path: str, application_ids: list[str], ready, cpu) -> None:
    """Send drafts through the service layer (``submit``), as the portal does once the signature is back;
    adds the CPU seconds the sending took to ``cpu``."""
    app = _bench_app(database_url, instance_path)
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        ready.wait()
        started = time.process_time()
        for application_id in application_ids:
            submit(db.session.get(Application, application_id), signed_at=utcnow(), acr="bench")
            db.session.remove()
        with cpu.get_lock():
            cpu.value += time.process_time() - started
        db.engine.dispose()


def _deliver_run(  # noqa: C901 - one measurement read top to bottom: start, load, wait, count
    count: int, database_url: str, workers: int, submitters: int, inboxes: int, wait: float, poll: float = 0.02
) -> dict:
    """One run on a fresh database and a fresh receiver: ``count`` applications spread over ``inboxes``
    municipalities; returns the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    receiver_url = f"http://127.0.0.1:{port}"
    codes = _bench_routing(workdir / "routing.json", receiver_url, inboxes)
    saved = {name: os.environ.get(name) for name in ("PORTAL_ROUTING_FILE", "PORTAL_WEBHOOK_SECRET_BENCH")}
    os.environ["PORTAL_ROUTING_FILE"] = str(workdir / "routing.json")
    os.environ["PORTAL_WEBHOOK_SECRET_BENCH"] = "bench-webhook-secret"
    clear_cache()
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    processes = []

    token = random_secrets.token_urlsafe(32)  # the receiver's own pages need it (devstack/receiver)
    receiver = subprocess.Popen(
        [sys.executable, "-m", "devstack.receiver", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PORTAL_RECEIVER_TOKEN": token},
    )
    try:
        with throwaway_database(database_url) as url:
            app = _bench_app(url, str(workdir))  # also makes the seal key before the workers start
            wait_healthy(receiver_url)
            with app.app_context():
                period = clock.today().replace(day=1)
                drafts = []
                for index in range(count):  # setup, not timed: the drafts as the portal has them before sending
                    application = bare_draft(
                        f"bench-{index}", index, period, codes[index % len(codes)], "72210", "Teststad", "Bench"
                    )
                    drafts.append(application.id)
                db.session.commit()
                db.session.remove()

                processes = [
                    context.Process(target=_deliver_worker, args=(url, str(workdir), stop, poll), daemon=True)
                    for _ in range(workers)
                ]
                for process in processes:
                    process.start()
                time.sleep(2)  # the workers' start-up (imports, app) is not the delivery's
                # As the portal's web processes do: each submitter sends its share, all at once.
                ready = context.Barrier(submitters + 1)
                cpu = context.Value("d", 0.0)
                senders = [
                    context.Process(target=_submitter, args=(url, str(workdir), drafts[i::submitters], ready, cpu))
                    for i in range(submitters)
                ]
                for sender in senders:
                    sender.start()
                ready.wait()
                started = time.monotonic()
                others = [p.pid for p in processes] + [receiver.pid]
                before = [_cpu_seconds(pid) for pid in others] + [_postgres_cpu()]
                for sender in senders:
                    sender.join()
                submit_seconds = time.monotonic() - started
                load = os.getloadavg()[0]
                spent = [
                    after - early
                    for after, early in zip(
                        [_cpu_seconds(pid) for pid in others] + [_postgres_cpu()], before, strict=True
                    )
                ]
                if any(sender.exitcode for sender in senders):
                    raise click.ClickException("a submitter failed")

                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    open_ = db.session.scalar(
                        select(db.func.count())
                        .select_from(Delivery)
                        .where(Delivery.status.in_(("pending", "delivering")))
                    )
                    db.session.remove()
                    if not open_:
                        break
                    time.sleep(0.2)
                records = list(
                    db.session.execute(
                        select(
                            Delivery.idempotency_key,
                            Delivery.inbox_id,
                            Delivery.created_at,
                            Delivery.delivered_at,
                            Delivery.status,
                        ).order_by(Delivery.created_at, Delivery.id)
                    )
                )
                db.session.remove()
            stop.set()
            for process in processes:
                process.join(timeout=10)
            with app.app_context():
                db.engine.dispose()  # before the database is dropped
    finally:
        stop.set()
        for process in processes:
            if process.is_alive():
                process.terminate()
        listed = (
            httpx.get(f"{receiver_url}/cases", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
            if receiver.poll() is None
            else None
        )
        receiver.terminate()
        receiver.wait(timeout=10)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        clear_cache()

    latencies = sorted((r.delivered_at - r.created_at).total_seconds() * 1000 for r in records if r.delivered_at)
    cases = (listed or {"cases": []})["cases"]
    received = [case["idempotency_key"] for case in cases]
    submitted = {r.idempotency_key for r in records}
    expected_order: dict[str, list[str]] = {}
    for r in records:
        expected_order.setdefault(r.inbox_id, []).append(r.idempotency_key)
    arrived_order: dict[str, list[str]] = {}
    for case in cases:
        arrived_order.setdefault(case["inbox_id"], []).append(case["idempotency_key"])
    out_of_order = 0
    for inbox, keys in arrived_order.items():
        arrived = set(keys)
        expected = [key for key in expected_order.get(inbox, []) if key in arrived]
        out_of_order += sum(1 for a, b in zip(keys, expected, strict=False) if a != b)
    return {
        "inboxes": len(codes),
        "submissions_per_s": count / submit_seconds,
        # What one submission costs the submitting process in CPU (not waiting): the rate two free cores
        # could reach is about 2000 / this, less what the database, the workers and the receiver take.
        "submission_cpu_ms": cpu.value * 1000 / count,
        # While submitting, per submission: what the delivery workers, the receiver and PostgreSQL (all of
        # it on this machine, so others' tests too when it is not quiet) used of the same two cores.
        "worker_cpu_ms": sum(spent[:workers]) * 1000 / count,
        "receiver_cpu_ms": spent[workers] * 1000 / count,
        "database_cpu_ms": spent[-1] * 1000 / count,
        # The machine's load while submitting (1-minute average): above the 2 cores, others were running too.
        "load_avg": load,
        "delivered": len(latencies),
        "delivery_p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "delivery_p95_ms": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "delivery_max_ms": latencies[-1] if latencies else float("nan"),
        "out_of_order": out_of_order,
        "redelivered": (listed or {}).get("repeats", 0),
        "lost": len(submitted - set(received)),
        "duplicated": len(received) - len(set(received)),
    }


def _figure(key: str, value) -> str:
    if key.startswith("delivery_"):
        return f"{value:.0f}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


@bench.command("deliver")
@click.option("--applications", "count", default=2000, show_default=True, help="Applications to submit per run.")
@database_url_option
@click.option("--workers", default=2, show_default=True, help="Delivery worker processes.")
@click.option("--submitters", default=2, show_default=True, help="Submitting processes (the portal's web workers).")
@click.option("--inboxes", default=10, show_default=True, help="Municipalities (webhook inboxes) in the spread run.")
@click.option(
    "--run", "runs", type=click.Choice(["spread", "one_inbox"]), multiple=True, help="Only these runs (default: both)."
)
@click.option("--wait", default=120.0, show_default=True, help="Seconds to wait for the last deliveries.")
@click.option(
    "--poll",
    default=0.02,
    show_default=True,
    help="Seconds an idle worker waits before looking again (`portal worker --interval`, 1 s there).",
)
def bench_deliver(
    count: int, database_url: str, workers: int, submitters: int, inboxes: int, runs: tuple, wait: float, poll: float
) -> None:
    """Submit applications through the service layer while worker processes deliver them by webhook to the
    sample receiver (its own process); delivery latency is submission → delivered (the outbox record's
    time, taken in the submitting transaction, to the moment it was marked delivered).

    Two runs, each on a fresh database: ``spread`` over ``--inboxes`` municipalities, and ``one_inbox``, the
    worst case, where every application goes to one municipality and so, in order of submission, through
    one queue. Each run's figures are printed with its name as prefix; the unprefixed figures after them
    are the worse of the runs (lowest rate, highest latencies, sums of the counts), ``duplicated`` last."""
    plan = {"spread": inboxes, "one_inbox": 1}
    results = {}
    click.echo(f"applications={count}")
    click.echo(f"workers={workers}")
    click.echo(f"submitters={submitters}")
    for name in [n for n in plan if not runs or n in runs]:
        results[name] = _deliver_run(count, database_url, workers, submitters, plan[name], wait, poll)
        for key, value in results[name].items():
            click.echo(f"{name}_{key}={_figure(key, value)}")
    figures = list(results.values())
    click.echo(f"submissions_per_s={min(f['submissions_per_s'] for f in figures):.1f}")
    click.echo(f"delivered={sum(f['delivered'] for f in figures)}")
    for key in ("delivery_p50_ms", "delivery_p95_ms"):
        click.echo(f"{key}={max(f[key] for f in figures):.0f}")
    for key in ("out_of_order", "redelivered", "lost", "duplicated"):  # duplicated last
        click.echo(f"{key}={sum(f[key] for f in figures)}")
