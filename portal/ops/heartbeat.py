"""The worker's liveness: after every round of its loop the worker writes the time to a heartbeat file;
``portal worker --check`` exits 0 when the file was written within the allowed age, 1 otherwise, for an
orchestrator's liveness probe (a systemd timer, a container's exec probe) on the same machine.

A file, not a database row: the check must say whether *this* worker's loop turns, even while the database is
down (a worker waiting for its database is alive, and restarting it would not help)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from portal.delivery import services as delivery
from portal.rights.copy import run_once as prepare_copies
from portal.rounds import run_rounds

log = logging.getLogger(__name__)
DEFAULT_MAX_AGE = 60.0  # seconds: far above a round (a batch of deliveries within one lease, 60 s by default)


def default_path(instance_path: Path) -> Path:
    return Path(os.environ.get("PORTAL_WORKER_HEARTBEAT") or instance_path / "worker.heartbeat")


def beat(path: Path) -> None:
    """Written to a temporary file then renamed, so a check never reads half a line."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(f"{time.time():.3f} {os.getpid()}\n", encoding="ascii")
    partial.replace(path)


def age(path: Path) -> float | None:
    """Seconds since the last beat, or None when there is none (or it cannot be read)."""
    try:
        written = float(path.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, time.time() - written)


def alive(path: Path, max_age: float = DEFAULT_MAX_AGE) -> bool:
    seconds = age(path)
    return seconds is not None and seconds <= max_age


def run_worker(app, interval: float, path: Path, stop=None, also_alive=()) -> None:
    """``portal worker``: the delivery loop of :func:`portal.delivery.services.run_forever`, with a beat after
    every round (delivered or not, failed or not) while every thread in ``also_alive`` (the notification
    sender) still runs: a worker whose notifications stopped is not alive either."""
    worker = delivery.worker_name()

    def round_() -> int:
        # Delivering, then a copy of my data (portal/rights/copy.py), and expired ones deleted.
        return delivery.run_once(worker) + prepare_copies()

    def after_round() -> None:
        dead = [thread.name for thread in also_alive if not thread.is_alive()]
        try:
            if dead:
                log.error("worker not beating: thread stopped threads=%s", ",".join(dead))
            else:
                beat(path)
        except OSError as exc:
            log.warning("worker heartbeat not written: %s", type(exc).__name__)

    run_rounds(app, round_, name="worker", interval=interval, stop=stop, after_round=after_round)
