"""The sample receiver's address comes from the configuration (``PORTAL_RECEIVER_URL``; the demo's is derived
from its own ports), never fixed in the routing file: two demos on one machine never deliver to each other."""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from sqlalchemy import select

from devstack.receiver import DEMO_TOKEN, create_receiver_app, local_ports, local_secrets
from devstack.sandbox.testing import serve
from devstack.stack import Stack, start_receivers
from portal.config import Config
from portal.delivery import services as delivery
from portal.delivery.models import Delivery
from portal.extensions import db
from portal.routing import config as routing
from tests.test_webhook import FIRST, SECOND, apply

SECRET = "receiver-url-secret"


def test_the_demo_derives_the_receiver_from_its_own_port_and_the_setting_wins(monkeypatch, tmp_path):
    assert Config(instance_path=tmp_path).receiver_url == "http://localhost:5003"
    assert Config(base_url="http://127.0.0.1:6100", instance_path=tmp_path).receiver_url == "http://127.0.0.1:6103"
    assert Config(receiver_url="http://localhost:7003/", instance_path=tmp_path).receiver_url == "http://localhost:7003"
    monkeypatch.setenv("PORTAL_BASE_URL", "http://localhost:6000")
    assert Config.from_env().receiver_url == "http://localhost:6003"
    monkeypatch.setenv("PORTAL_RECEIVER_URL", "http://localhost:9999")
    assert Config.from_env().receiver_url == "http://localhost:9999"
    assert Config(env="production", instance_path=tmp_path).receiver_url == ""  # never guessed in production


def test_the_shipped_routing_names_the_receiver_by_setting_not_by_port():
    raw = json.loads(routing.DEFAULT_PATH.read_text(encoding="utf-8"))
    (inbox,) = raw["municipalities"]["1980"]["inboxes"]
    assert inbox["url"] == "{receiver_url}/webhook/vasteras"
    assert "5003" not in routing.DEFAULT_PATH.read_text(encoding="utf-8")
    assert routing.resolve_url(inbox["url"], "http://127.0.0.1:6103/") == "http://127.0.0.1:6103/webhook/vasteras"
    assert routing.resolve_url(inbox["url"], "") == ""  # not set: no address at all, never a guess
    assert routing.resolve_url("https://ekbist.example/in", "http://x:1") == "https://ekbist.example/in"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("{receiver_url}/webhook/x", True),
        ("{receiver_url}webhook", False),
        ("{receiver_url}", False),
        ("http://{receiver_url}/x", False),
    ],
)
def test_a_receiver_url_needs_a_path_after_it(url, ok):
    assert routing._webhook_url_ok(url) is ok


def test_deliveries_go_to_the_configured_receiver(app, monkeypatch):
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET_VASTERAS", SECRET)
    routing.clear_cache()
    receiver_app = create_receiver_app({"vasteras": SECRET})
    with serve(receiver_app) as base_url:
        app.config["PORTAL"].receiver_url = base_url
        application = apply(app, FIRST, SECOND)
        assert delivery.run_once() == 1
    (case,) = receiver_app.extensions["receiver"].cases
    assert case["idempotency_key"] == f"{application.reference}/v1"
    app.config["PORTAL"].receiver_url = ""  # not set: the inbox waits, as a configuration problem of the inbox
    record = db.session.scalar(select(Delivery))
    db.session.execute(Delivery.__table__.update().values(status="pending"))
    db.session.commit()
    assert delivery.run_once() == 0
    db.session.refresh(record)
    assert (record.status, record.failure_kind) == ("pending", "configuration")
    assert "PORTAL_RECEIVER_URL" in record.last_error


@pytest.mark.integration  # starts a receiver of its own
def test_a_second_demo_whose_receiver_port_is_taken_receives_on_its_own_port(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET_VASTERAS", SECRET)
    routing.clear_cache()
    with socket.create_server(("127.0.0.1", 0)) as taken:  # the first demo's receiver, say
        port = taken.getsockname()[1]
        config = Config(receiver_url=f"http://127.0.0.1:{port}", instance_path=tmp_path)
        assert local_ports(config.receiver_url) == {port} and local_secrets(port, config.receiver_url) == {
            "vasteras": SECRET
        }
        stack = Stack()
        try:
            start_receivers(stack, config, "127.0.0.1")
            assert config.receiver_url != f"http://127.0.0.1:{port}"
            assert httpx.get(f"{config.receiver_url}/health", timeout=10).json() == {"status": "ok"}
            assert httpx.get(f"{config.receiver_url}/cases", timeout=10).status_code == 401  # its pages: a token
            listed = httpx.get(
                f"{config.receiver_url}/cases", headers={"Authorization": f"Bearer {DEMO_TOKEN}"}, timeout=10
            ).json()
            assert listed["cases"] == [] and len(stack.servers) == 1
        finally:
            stack.shutdown()
