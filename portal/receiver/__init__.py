"""A sample municipality case system receiving the portal's webhook: what a municipality builds,
and what the tests and the demo deliver to.

``POST /webhook/<inbox_id>`` checks, in this order: the timestamp is within five minutes, the
``X-Egna-Signature`` HMAC over ``f"{timestamp}.{body}"`` with the inbox's secret (401 otherwise), the
``Content-Digest`` of the body (400), an ``Idempotency-Key``. A key seen before answers 200 and makes no
second case; a new one becomes a case (201). Cases are kept in memory in arrival order; ``GET /cases``
lists them (without the documents). ``POST /_control`` ``{"mode": "ok" | "down" | "slow" | "error",
"seconds": n}`` injects faults for tests: down answers 503, error 500, slow waits ``seconds`` first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

TOLERANCE_SECONDS = 300
MODES = ("ok", "down", "slow", "error")


@dataclass
class ReceiverState:
    mode: str = "ok"
    seconds: float = 0.0
    cases: list[dict] = field(default_factory=list)
    by_key: dict[str, dict] = field(default_factory=dict)
    repeats: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _digest_ok(header: str, body: bytes) -> bool:
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    for member in header.split(","):
        algorithm, _, value = member.strip().partition("=")
        if algorithm.strip().lower() == "sha-256" and value.startswith(":") and value.endswith(":"):
            return hmac.compare_digest(value[1:-1], expected)
    return False


def _signature_ok(header: str, secret: str, timestamp: str, body: bytes) -> bool:
    expected = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    candidates = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    return any(hmac.compare_digest(candidate, expected) for candidate in candidates)


def create_receiver_app(secrets: dict[str, str], tolerance_seconds: int = TOLERANCE_SECONDS) -> Flask:
    """``secrets``: inbox id (the last part of the webhook URL) → the shared signing secret."""
    app = Flask(__name__)
    state = app.extensions["receiver"] = ReceiverState()
    secrets = dict(secrets)

    def refuse(status: int, problem: str):
        with state.lock:
            state.refused += 1
        return jsonify(error=problem), status

    @app.post("/webhook/<inbox_id>")
    def webhook(inbox_id: str):
        mode, seconds = state.mode, state.seconds
        if mode == "down":
            return jsonify(error="unavailable"), 503
        if mode == "error":
            return jsonify(error="internal error"), 500
        if mode == "slow":
            time.sleep(seconds)
        secret = secrets.get(inbox_id)
        if secret is None:
            return refuse(404, "unknown inbox")
        body = request.get_data()
        timestamp = request.headers.get("X-Egna-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance_seconds:
            return refuse(401, "timestamp missing or outside the allowed window")
        if not _signature_ok(request.headers.get("X-Egna-Signature", ""), secret, timestamp, body):
            return refuse(401, "bad signature")
        if not _digest_ok(request.headers.get("Content-Digest", ""), body):
            return refuse(400, "Content-Digest does not match the body")
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return refuse(400, "Idempotency-Key missing")
        try:
            document = json.loads(body)
        except ValueError:
            return refuse(400, "body is not JSON")
        with state.lock:
            known = state.by_key.get(key)
            if known is not None:
                state.repeats += 1
                return jsonify(case=known["case"], repeated=True), 200
            case = {"case": len(state.cases) + 1, "inbox_id": inbox_id, "idempotency_key": key,
                    "sha256": hashlib.sha256(body).hexdigest(), "received_at": time.time(), "document": document}
            state.cases.append(case)
            state.by_key[key] = case
        return jsonify(case=case["case"], repeated=False), 201

    @app.get("/cases")
    def cases():
        with state.lock:
            listed = [{k: v for k, v in case.items() if k != "document"} for case in state.cases]
            return jsonify(cases=listed, repeats=state.repeats, refused=state.refused)

    @app.get("/cases/<int:number>")
    def case(number: int):
        with state.lock:
            if not 1 <= number <= len(state.cases):
                return jsonify(error="no such case"), 404
            return jsonify(state.cases[number - 1])

    @app.post("/_control")
    def control():
        wanted = request.get_json(silent=True) or {}
        mode = wanted.get("mode", "ok")
        if mode not in MODES:
            return jsonify(error=f"mode must be one of {', '.join(MODES)}"), 400
        with state.lock:
            state.mode, state.seconds = mode, float(wanted.get("seconds") or 0)
        return jsonify(mode=state.mode, seconds=state.seconds)

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    return app


def local_secrets(port: int | None = None) -> dict[str, str]:
    """For the demo: the secrets of the routing configuration's webhook inboxes on this machine
    (``http://localhost:<port>/webhook/<id>``), read from the environment; unset ones are left out."""
    import os
    from urllib.parse import urlsplit

    from portal.delivery.webhook import secret_env_name
    from portal.routing.config import routing_config

    found = {}
    for inbox in routing_config().inboxes.values():
        if inbox.channel != "webhook" or not inbox.url:
            continue
        url = urlsplit(inbox.url)
        if url.hostname not in ("localhost", "127.0.0.1") or (port is not None and url.port != port):
            continue
        value = os.environ.get(secret_env_name(inbox.secret_name))
        if value and url.path.startswith("/webhook/"):
            found[url.path.removeprefix("/webhook/").strip("/")] = value
    return found


def local_ports() -> set[int]:
    """Ports of the routing configuration's webhook inboxes on this machine (the demo starts a receiver there)."""
    from urllib.parse import urlsplit

    from portal.routing.config import routing_config

    ports = set()
    for inbox in routing_config().inboxes.values():
        url = urlsplit(inbox.url or "")
        if inbox.channel == "webhook" and url.hostname in ("localhost", "127.0.0.1") and url.port:
            ports.add(url.port)
    return ports
