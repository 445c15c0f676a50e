"""The one polling loop of the background work (delivering, notifying and serving decisions, preparing data
copies): run a round, and survive a database restart.

A round is a function that does what is due and returns how much it did. A round that did something is
followed at once by the next (there may be more); one that did nothing, or failed, by a pause. A failed
round (the database restarting, a connection the server dropped) is logged and its session thrown away,
so the next round starts on a fresh connection instead of dying with the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from portal.extensions import db

log = logging.getLogger(__name__)

Round = Callable[[], int]


def run_round(app: Flask, work: Round, name: str) -> int:
    """One round of ``work`` in its own app context and session; 0 when it failed."""
    with app.app_context():
        try:
            return work()
        except Exception as exc:  # the database may be restarting: the next round tries again
            log.warning("%s round failed: %s", name, type(exc).__name__)
            _discard_session()
            return 0
        finally:
            db.session.remove()


def run_rounds(
    app: Flask,
    work: Round,
    *,
    name: str,
    interval: float = 1.0,
    stop: threading.Event | None = None,
    after_round: Callable[[], None] | None = None,
) -> None:
    """Rounds of ``work`` until ``stop`` is set, pausing ``interval`` seconds after a round that did
    nothing; a stop during the pause ends the loop at once. ``after_round`` runs after every round,
    done, idle or failed (the worker's heartbeat)."""
    stop = stop or threading.Event()  # never set: run until the process ends
    while not stop.is_set():
        done = run_round(app, work, name)
        if after_round is not None:
            after_round()
        if not done:
            stop.wait(interval)


def _discard_session() -> None:
    try:
        db.session.rollback()
    except Exception:
        # The connection is gone mid-transaction, so rollback itself fails: drop the connection instead.
        # scoped_session has no invalidate() (calling it raised AttributeError): the Session it holds has.
        db.session().invalidate()
