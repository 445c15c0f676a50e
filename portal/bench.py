"""``portal bench <name>``: speed figures as ``key=value`` lines, never timed assertions."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date

import click
import httpx

from portal.information.items import Period
from portal.providers.fetch import Breakers, CallSpec, FetchSettings, fetch_all
from portal.providers.registry import providers

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
    return [CallSpec(key=(pnr, p.name, s.key), provider=p.name, info_set=s.key, personnummer=pnr)
            for pnr in household for p in providers() for s in p.sets]


@contextmanager
def _sandbox_process():
    """The sandbox in its own process, as the agencies are: its work must not share the
    portal's interpreter (and GIL) or the figures would measure the sandbox, not the fetch."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PORTAL_SANDBOX_TOKEN": "bench-token"}
    process = subprocess.Popen([sys.executable, "-m", "portal.sandbox", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


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
    period = Period(date.today().replace(day=1))
    latencies = _latencies()
    with _sandbox_process() as base_url:
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
        rules = [{"provider": name, "kind": "latency", "ms": ms} for name, ms in latencies.items()
                 if name != timing_out]
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
