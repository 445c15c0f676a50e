"""Running it for real (issue 14): readiness, metrics behind a token, the worker's heartbeat and
``portal worker --check``."""

from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from portal.ops import health, heartbeat

METRICS_TOKEN = "m" * 8 + "-metrics-token-for-tests-only-0123456789"


def test_ready_when_database_migrations_seal_key_and_idp_are_there(client):
    response = client.get("/ready")
    assert response.status_code == 200, response.json
    assert response.json == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "seal_key": "ok", "identity_provider": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_when_the_schema_is_behind_the_code(client, monkeypatch):
    monkeypatch.setattr(health, "head_revisions", lambda: frozenset({"9999"}))
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["checks"]["migrations"] == "failed: RuntimeError"
    assert response.json["checks"]["database"] == "ok"


def test_not_ready_without_the_database_and_the_other_checks_still_run(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json["checks"] == {
        "database": "failed: OperationalError",
        "migrations": "skipped",
        "seal_key": "ok",
        "identity_provider": "ok",
    }


def test_not_ready_without_the_identity_providers_metadata(client, monkeypatch):
    import requests

    from portal.extensions import oauth

    def unreachable(*args, **kwargs):
        raise requests.ConnectionError("no route")

    # Authlib keeps one client per name for the process (and its metadata once fetched): make it fetch again.
    citizen = oauth.create_client("citizen")
    monkeypatch.setattr(citizen, "server_metadata", {})
    monkeypatch.setattr(citizen.client_cls, "request", unreachable, raising=False)
    monkeypatch.setattr(requests.Session, "request", unreachable)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json["checks"]["identity_provider"] == "failed: ConnectionError"
    assert response.json["checks"]["database"] == "ok"


def test_health_and_ready_carry_a_request_id_and_take_a_proxys_uuid(client):
    assert client.get("/health").headers["X-Request-ID"]
    sent = "0b7d4c1e-2f5a-4c3b-9a8d-7e6f5a4b3c2d"
    assert client.get("/health", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    other = client.get("/health", headers={"X-Request-ID": "not a uuid; DROP TABLE"}).headers["X-Request-ID"]
    assert other != "not a uuid; DROP TABLE" and len(other) == 36


def test_metrics_do_not_exist_without_a_token_and_refuse_a_wrong_one(client, monkeypatch):
    monkeypatch.delenv("PORTAL_METRICS_TOKEN", raising=False)
    assert client.get("/metrics").status_code == 404
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", METRICS_TOKEN)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200


def test_metrics_count_requests_by_route_not_by_path(client, monkeypatch):
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", METRICS_TOKEN)
    client.get("/cases/00000000-0000-0000-0000-000000000000")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
    assert 'portal_http_requests_total{method="GET",route="/cases/<application_id>"' in text
    assert "00000000-0000-0000-0000-000000000000" not in text
    assert "portal_http_request_duration_seconds_bucket" in text
    assert "portal_notifications_pending " in text


def test_metrics_show_the_outbox_per_inbox(app, client, monkeypatch):
    from datetime import timedelta

    from portal import clock
    from tests import factories

    monkeypatch.setenv("PORTAL_METRICS_TOKEN", METRICS_TOKEN)
    application = factories.submitted(factories.draft("199006022397"))  # Uppsala, not yet delivered
    clock.travel(clock.now() + timedelta(minutes=20))
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
    inbox = application.inbox_id or "uppsala"
    depth = [line for line in text.splitlines() if line.startswith("portal_outbox_depth{")]
    assert depth == [f'portal_outbox_depth{{inbox="{inbox}"}} 1.0'], depth
    age = next(line for line in text.splitlines() if line.startswith("portal_outbox_oldest_age_seconds{"))
    assert float(age.rsplit(" ", 1)[1]) >= 20 * 60
    assert "# TYPE portal_dead_letters gauge" in text
    factories.delivered(application)
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
    assert not [line for line in text.splitlines() if line.startswith("portal_outbox_depth{")]


def test_heartbeat_age_and_alive(tmp_path):
    path = tmp_path / "worker.heartbeat"
    assert heartbeat.age(path) is None and not heartbeat.alive(path)
    heartbeat.beat(path)
    assert heartbeat.alive(path, max_age=5)
    path.write_text(f"{time.time() - 120:.3f} 1\n", encoding="ascii")
    assert not heartbeat.alive(path, max_age=60)
    path.write_text("garbage", encoding="ascii")
    assert heartbeat.age(path) is None


def test_the_worker_loop_beats_and_worker_check_tells(app, tmp_path):
    from portal.cli import main

    path = tmp_path / "worker.heartbeat"
    runner = CliRunner()
    check = ["worker", "--check", "--heartbeat", str(path), "--max-age", "30"]
    result = runner.invoke(main, check, obj=_script_info(app))
    assert result.exit_code == 1 and "no_heartbeat" in result.output

    stop = threading.Event()
    loop = threading.Thread(target=heartbeat.run_worker, args=(app, 0.05, path, stop), daemon=True)
    loop.start()
    try:
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        result = runner.invoke(main, check, obj=_script_info(app))
        assert result.exit_code == 0, result.output
        assert result.output.startswith("alive")
    finally:
        stop.set()
        loop.join(timeout=30)
    path.write_text(f"{time.time() - 31:.3f} 1\n", encoding="ascii")
    result = runner.invoke(main, check, obj=_script_info(app))
    assert result.exit_code == 1 and result.output.startswith("not alive")


def test_no_beat_while_the_notification_sender_has_stopped(app, tmp_path, monkeypatch):
    from portal.delivery import services

    path = tmp_path / "worker.heartbeat"
    stopped = threading.Thread(target=lambda: None, name="notifications")
    stopped.start()
    stopped.join()
    stop, rounds = threading.Event(), []

    def round_(worker=None):
        rounds.append(worker)
        if len(rounds) == 5:
            stop.set()
        return 0

    monkeypatch.setattr(services, "run_once", round_)
    heartbeat.run_worker(app, 0, path, stop, also_alive=[stopped])
    assert len(rounds) == 5 and not path.exists()
    stop.clear()
    rounds.clear()
    heartbeat.run_worker(app, 0, path, stop, also_alive=[])
    assert len(rounds) == 5 and heartbeat.alive(path)


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


@pytest.mark.unit
def test_the_gunicorn_config_drops_query_strings_and_the_server_banner():
    import importlib
    import os

    from gunicorn.http import wsgi

    from portal.ops import gunicorn_conf

    before = dict(os.environ)
    importlib.reload(gunicorn_conf)  # importing the config (the bench does) changes nothing in the process
    assert dict(os.environ) == before

    assert "%(U)s" in gunicorn_conf.access_log_format and "%(r)s" not in gunicorn_conf.access_log_format
    assert "%(q)s" not in gunicorn_conf.access_log_format
    assert gunicorn_conf.preload_app is False and gunicorn_conf.timeout >= 30
    assert getattr(wsgi.Response.default_headers, "without_banner", False)


def test_the_alert_rules_name_only_series_the_portal_exports(client, monkeypatch):
    """deploy/prometheus/portal-alerts.yml cannot drift from the metrics: every portal_* series it names is in a
    scrape (as a TYPE line, even before anything was counted)."""
    import re
    from pathlib import Path

    import yaml

    rules_file = Path(__file__).resolve().parents[1] / "deploy" / "prometheus" / "portal-alerts.yml"
    rules = yaml.safe_load(rules_file.read_text(encoding="utf-8"))
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    named = {
        re.sub(r"_(total|count|bucket|sum)$", "", name)
        for expr in expressions
        for name in re.findall(r"\bportal_[a-z_]+", expr)
    }
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", METRICS_TOKEN)
    client.get("/health")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).get_data(as_text=True)
    exported = {re.sub(r"_total$", "", line.split()[2]) for line in text.splitlines() if line.startswith("# TYPE ")}
    assert named and named <= exported, named - exported


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(app, monkeypatch):
    from flask import request
    from werkzeug.test import EnvironBuilder

    from portal.ops.proxy import behind_proxy

    seen = []

    def remember(environ, start_response):
        with app.request_context(environ):
            seen.append(request.remote_addr)
        start_response("204 No Content", [])
        return [b""]

    app.wsgi_app = remember
    environ = EnvironBuilder(
        path="/health", headers={"X-Forwarded-For": "198.51.100.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ).get_environ()
    monkeypatch.delenv("PORTAL_PROXY_HOPS", raising=False)
    behind_proxy(app)  # no proxy configured: the header is not believed
    app.wsgi_app(environ, lambda *args: None)
    monkeypatch.setenv("PORTAL_PROXY_HOPS", "1")
    behind_proxy(app)
    app.wsgi_app(dict(environ), lambda *args: None)
    assert seen == ["127.0.0.1", "198.51.100.7"]
