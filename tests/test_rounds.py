"""The one background loop (portal/rounds.py) that the delivery worker, the notifier, the data copies and
``portal worker`` with its heartbeat run: a failed round (the database restarting) is survived on a fresh
connection, and the loop stops when asked, even in the middle of its pause."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portal import rounds
from portal.case import notify
from portal.delivery import services as delivery
from portal.extensions import db
from portal.ops import heartbeat
from portal.rights import copy as data_copies


def restarting_database(stop_after: int):
    """A round that fails as a restarting server makes it fail, mid-transaction, on its first call; later
    rounds use the database again. Sets the returned event after ``stop_after`` rounds."""
    stop, calls = threading.Event(), []

    def round_() -> int:
        calls.append(db.session.execute(text("SELECT 1")).scalar_one())  # a transaction is open
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        if len(calls) == stop_after:
            stop.set()
        return 1

    return round_, stop, calls


def test_the_loop_survives_a_failing_round_and_stops_when_asked(app, caplog):
    round_, stop, calls = restarting_database(stop_after=3)
    after = []
    with caplog.at_level(logging.WARNING, logger="portal.rounds"):
        rounds.run_rounds(app, round_, name="worker", interval=0, stop=stop, after_round=lambda: after.append(1))
    assert calls == [1, 1, 1]  # the rounds after the failure reached the database again
    assert len(after) == 3  # the heartbeat's hook runs after a failed round too
    assert [r.getMessage() for r in caplog.records] == ["worker round failed: OperationalError"]


def test_a_stop_during_the_pause_ends_the_loop_at_once(app):
    stop, calls = threading.Event(), []

    def idle() -> int:
        calls.append(1)
        return 0

    loop = threading.Thread(
        target=rounds.run_rounds, args=(app, idle), kwargs={"name": "t", "interval": 600, "stop": stop}, daemon=True
    )
    loop.start()
    deadline = time.monotonic() + 30
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    loop.join(timeout=10)
    assert not loop.is_alive() and calls == [1]


@pytest.mark.parametrize(
    ("module", "name", "run"),
    [
        (delivery, "run_once", lambda app, stop: delivery.run_forever(app, 0, stop)),
        (notify, "send_pending", lambda app, stop: notify.run_forever(app, 0, stop)),
        (data_copies, "run_once", lambda app, stop: data_copies.run_forever(app, 0, stop)),
        (delivery, "run_once", lambda app, stop: heartbeat.run_worker(app, 0, Path(app.instance_path) / "hb", stop)),
    ],
    ids=["delivery", "notifier", "data copies", "portal worker"],
)
def test_every_worker_loop_is_this_loop(app, monkeypatch, module, name, run):
    round_, stop, calls = restarting_database(stop_after=3)
    monkeypatch.setattr(module, name, lambda *args, **kwargs: round_())
    run(app, stop)
    assert calls == [1, 1, 1]
