"""A sample municipality case system receiving the portal's webhook: what a municipality builds,
and what the tests and the demo deliver to.

``POST /webhook/<inbox_id>`` checks, in this order: the timestamp is within five minutes, the
``X-Egna-Signature`` HMAC over ``f"{timestamp}.{body}"`` with the inbox's secret (401 otherwise), the
``Content-Digest`` of the body (400), an ``Idempotency-Key``. A key seen before answers 200 and makes no
second case; a new one becomes a case (201). Cases are kept in memory in arrival order; ``GET /cases``
lists them (without the documents). ``POST /_control`` ``{"mode": "ok" | "down" | "slow" | "error" | "refuse" |
"trickle", "seconds": n}`` injects faults for tests: down answers 503, error 500, refuse 422 (this document
is refused), slow waits ``seconds`` first, trickle makes the case and then trickles its answer one byte every
``seconds``, endlessly (a receiver that never finishes answering). ``GET /cases`` also lists every request's
key with when it started and ended (``requests``, this process's monotonic seconds), to see overlaps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, jsonify, request

TOLERANCE_SECONDS = 300
MODES = ("ok", "down", "slow", "error", "refuse", "trickle")


@dataclass
class ReceiverState:
    mode: str = "ok"
    seconds: float = 0.0
    cases: list[dict] = field(default_factory=list)
    by_key: dict[str, dict] = field(default_factory=dict)
    repeats: int = 0
    refused: int = 0
    requests: list[dict] = field(default_factory=list)  # key, started, ended (time.monotonic())
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

    def refuse(status: int, problem: str) -> tuple[dict, int]:
        with state.lock:
            state.refused += 1
        return {"error": problem}, status

    def trickle(answer: bytes, seconds: float, seen: dict):
        """The answer one byte every ``seconds``, then spaces (valid trailing JSON whitespace) for ever, until
        the client gives up; ``seen["ended"]`` is set when it did."""
        try:
            position = 0
            while True:
                yield answer[position:position + 1] if position < len(answer) else b" "
                position += 1
                time.sleep(seconds)
        finally:
            seen["ended"] = time.monotonic()

    @app.post("/webhook/<inbox_id>")
    def webhook(inbox_id: str):
        seen = {"key": request.headers.get("Idempotency-Key", ""), "started": time.monotonic(), "ended": None}
        with state.lock:
            state.requests.append(seen)
            del state.requests[:-10000]  # the last ten thousand are plenty
        try:
            answer, status = handle(inbox_id)
        except BaseException:
            seen["ended"] = time.monotonic()
            raise
        if state.mode == "trickle" and status in (200, 201):
            return Response(trickle(json.dumps(answer).encode(), state.seconds, seen), status=status,
                            mimetype="application/json")
        seen["ended"] = time.monotonic()
        return jsonify(answer), status

    def handle(inbox_id: str) -> tuple[dict, int]:
        mode, seconds = state.mode, state.seconds
        if mode == "down":
            return {"error": "unavailable"}, 503
        if mode == "error":
            return {"error": "internal error"}, 500
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
        if mode == "refuse":
            return refuse(422, "this document is refused")
        with state.lock:
            known = state.by_key.get(key)
            if known is not None:
                state.repeats += 1
                return {"case": known["case"], "repeated": True}, 200
            case = {"case": len(state.cases) + 1, "inbox_id": inbox_id, "idempotency_key": key,
                    "sha256": hashlib.sha256(body).hexdigest(), "received_at": time.time(), "document": document}
            state.cases.append(case)
            state.by_key[key] = case
        return {"case": case["case"], "repeated": False}, 201

    @app.get("/cases")
    def cases():
        with state.lock:
            listed = [{k: v for k, v in case.items() if k != "document"} for case in state.cases]
            return jsonify(cases=listed, repeats=state.repeats, refused=state.refused,
                           requests=[dict(seen) for seen in state.requests])

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


def _local_webhooks(receiver_url: str):
    """The routing configuration's webhook inboxes on this machine: (inbox, its URL split), the URLs
    starting ``{receiver_url}`` taken as ``receiver_url``."""
    from urllib.parse import urlsplit

    from portal.routing.config import resolve_url, routing_config

    for inbox in routing_config().inboxes.values():
        if inbox.channel != "webhook" or not inbox.url:
            continue
        url = urlsplit(resolve_url(inbox.url, receiver_url))
        if url.hostname in ("localhost", "127.0.0.1") and url.port:
            yield inbox, url


def local_secrets(port: int | None = None, receiver_url: str = "") -> dict[str, str]:
    """For the demo: the secrets of the routing configuration's webhook inboxes on this machine
    (``http://localhost:<port>/webhook/<id>``), read from the environment; unset ones are left out.
    ``receiver_url`` stands for ``{receiver_url}`` in the configured URLs (default: this port's)."""
    import os

    from portal.delivery.webhook import secret_env_name

    receiver_url = receiver_url or (f"http://localhost:{port}" if port else "")
    found = {}
    for inbox, url in _local_webhooks(receiver_url):
        if port is not None and url.port != port:
            continue
        value = os.environ.get(secret_env_name(inbox.secret_name))
        if value and url.path.startswith("/webhook/"):
            found[url.path.removeprefix("/webhook/").strip("/")] = value
    return found


def local_ports(receiver_url: str = "") -> set[int]:
    """Ports of the routing configuration's webhook inboxes on this machine (the demo starts a receiver there)."""
    return {url.port for _, url in _local_webhooks(receiver_url)}
