"""JSON log lines (issue 14): what each line holds, the request id from the request through the delivery the
worker makes and into provider calls, and never a personnummer, a name or anything typed. Extends the
redaction tests of the plain format (tests/test_journey.py, tests/test_auth.py, tests/test_minimisation.py) to
the JSON lines ``portal serve`` writes."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select

from portal.ops import logs

SINGLE_ADULT = "199006022397"  # Anders Testsson, Uppsala
FORMS = (SINGLE_ADULT, "9006022397", "19900602-2397", "900602-2397")


@pytest.fixture
def json_lines(app):
    """Every line the portal logs while the test runs, as the JSON handler of ``portal serve`` writes it."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    app.config["PORTAL_ACCESS_LINES"] = True
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_line_is_json_with_time_level_logger_and_request_id():
    record = logging.LogRecord("portal.x", logging.WARNING, __file__, 1, "delivery failed inbox=%s", ("uppsala",), None)
    line = json.loads(logs.PortalJsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "portal.x"
    assert line["message"] == "delivery failed inbox=uppsala"
    assert line["time"] and "request_id" in line
    with logs.bind("0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d"):
        line = json.loads(logs.PortalJsonFormatter().format(record))
    assert line["request_id"] == "0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d"


@pytest.mark.parametrize("written", FORMS)
def test_a_personnummer_slipping_into_a_line_is_masked(written):
    record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, "looked up %s", (written,), None)
    record.extra_field = {"who": written}
    text = logs.PortalJsonFormatter().format(record)
    assert written not in text and logs.MASK in json.loads(text)["message"]


def test_ids_are_not_mistaken_for_a_personnummer():
    ids = "0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d 12345678-1234-4abc-8def-123456789012 EB-2026-000123"
    record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, ids, None, None)
    assert json.loads(logs.PortalJsonFormatter().format(record))["message"] == ids


def test_a_journey_logs_json_without_personal_data_and_the_delivery_carries_the_request_id(app, json_lines):
    from portal.delivery.models import Delivery
    from portal.delivery.services import run_once
    from portal.extensions import db
    from tests.support import idp_login
    from tests.test_journey import start_application, submit

    applicant = app.test_client()
    idp_login(applicant, "/auth/login", {"subject": SINGLE_ADULT})
    path = start_application(applicant)
    assert submit(applicant, path).status_code == 302
    delivery = db.session.scalar(select(Delivery))
    assert delivery.request_id
    assert run_once() == 1

    lines = json_lines()
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for written in (*FORMS, "Anders", "Testsson"):
        assert written not in text, written
    access = [line for line in lines if line["logger"] == "portal.access"]
    assert access and all(
        {"route", "method", "status", "duration_ms", "actor_kind", "request_id", "time", "level"} <= line.keys()
        for line in access
    )
    assert {"citizen", "anonymous"} <= {line["actor_kind"] for line in access}
    assert all("?" not in line["route"] and SINGLE_ADULT not in line["route"] for line in access)
    # The submitting request (the signing callback) and the worker's line about the delivery share one id.
    submitting = [line for line in access if line["request_id"] == delivery.request_id]
    assert submitting and submitting[0]["route"].startswith("/auth/")
    delivered = [line for line in lines if line["message"].startswith("delivered delivery=")]
    assert delivered and delivered[0]["request_id"] == delivery.request_id


def test_provider_calls_carry_the_request_id_and_failures_are_counted(app):
    from flask import Flask, request

    from devstack.stack import Stack
    from portal import clock
    from portal.ops import metrics
    from portal.providers.fetch import Breakers, CallSpec, FetchSettings, fetch_all
    from portal.providers.items import Period
    from tests.support import free_port

    seen: list[str | None] = []
    failing = Flask("failing-provider")

    @failing.route("/<path:anything>", methods=["GET", "POST"])
    def answer(anything):
        seen.append(request.headers.get("X-Request-ID"))
        return {"error": "down"}, 503

    port = free_port()
    stack = Stack()
    stack.add(failing, "127.0.0.1", port)
    try:
        before = metrics.PROVIDER_FAILURES.labels("skatteverket", "unavailable")._value.get()
        spec = CallSpec(
            key=("x", "skatteverket", "f_skatt"), provider="skatteverket", info_set="f_skatt", personnummer=SINGLE_ADULT
        )
        settings = FetchSettings(base_url=f"http://127.0.0.1:{port}", token="t", deadline_seconds=5)
        with logs.bind("0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d"):
            [outcome] = fetch_all([spec], Period(clock.today().replace(day=1)), settings, Breakers(5, 30))
    finally:
        stack.shutdown()
    assert not outcome.ok
    assert seen and set(seen) == {"0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d"}
    failures = sum(
        sample.value
        for family in metrics.PROVIDER_FAILURES.collect()
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels["provider"] == "skatteverket"
    )
    assert failures >= before + 1
    assert metrics.BREAKER.labels("skatteverket")._value.get() in (0, 1, 2)
