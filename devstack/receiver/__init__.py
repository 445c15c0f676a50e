"""A sample municipality case system receiving the portal's webhook: what a municipality builds, and what
the tests and the demo deliver to. It is the reference implementation of the receiver's contract
(docs/webhook-contract.md): copy its checks, in its order.

``POST /webhook/<inbox_id>`` (Standard Webhooks, https://www.standardwebhooks.com/) checks, in this order:

1. the inbox is known (404);
2. ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` are there, and the timestamp is at most
   five minutes old and at most 30 seconds ahead (401);
3. the signature, ``v1,<base64 HMAC-SHA256 of f"{id}.{timestamp}.{body}">`` with the inbox's secret (401): the
   id (the delivery's idempotency key), the time and the body are signed together, so none can be changed
   or reused with another;
4. the ``Content-Digest`` of the body (400) and, when sent, that ``Idempotency-Key`` equals ``webhook-id`` (400);
5. a signature seen before that made no case is a replay (409); an id seen before answers 200 with the case
   it made (a retry after a lost answer: never a second case), unless its body differs (409);
6. anything else new becomes a case (201).

Seen signatures (for twice the time window) and ids with their cases are kept in a SQLite file (``store``),
so a restart forgets nothing; by default in memory (tests).

Its own pages need ``Authorization: Bearer <token>`` (the ``token`` from the configuration,
``PORTAL_RECEIVER_TOKEN``): ``GET /cases`` lists the cases (without the documents) and every request's key
with when it started and ended (``requests``, this process's monotonic seconds), ``GET /cases/<n>`` shows
one with its document, ``POST /_control`` ``{"mode": "ok" | "down" | "slow" | "error" | "refuse" | "trickle",
"seconds": n}`` injects faults for tests: down answers 503, error 500, refuse 422 (this document is refused),
slow waits ``seconds`` first, trickle makes the case and then trickles its answer one byte every ``seconds``,
endlessly (a receiver that never finishes answering). ``GET /health`` is open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from portal.delivery.webhook import secret_env_name
from portal.routing.config import resolve_url, routing_config

TOLERANCE_SECONDS = 300  # how old a request may be
FUTURE_SKEW_SECONDS = 30  # how far ahead of our clock the sender's may be
MODES = ("ok", "down", "slow", "error", "refuse", "trickle")
SECRET_PREFIX = "whsec_"
TOKEN_ENV = "PORTAL_RECEIVER_TOKEN"  # the bearer token of the receiver's own pages
DEMO_TOKEN = "demo-receiver-token"  # the demo's and the tests' when the setting is not given


def token_from_env() -> str:
    return os.environ.get(TOKEN_ENV) or DEMO_TOKEN


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


def signing_key(secret: str) -> bytes:
    """A secret written ``whsec_<base64>`` is those bytes, as every Standard Webhooks library reads it; any other
    is its UTF-8 bytes (the portal's configured secrets)."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :] + "==")
    return secret.encode("utf-8")


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>``: the HMAC-SHA256 of ``f"{webhook_id}.{timestamp}.{body}"``."""
    return Webhook(signing_key(secret)).sign(webhook_id, datetime.fromtimestamp(timestamp, UTC), body.decode("utf-8"))


def _digest_ok(header: str, body: bytes) -> bool:
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    for member in header.split(","):
        algorithm, _, value = member.strip().partition("=")
        if algorithm.strip().lower() == "sha-256" and value.startswith(":") and value.endswith(":"):
            return hmac.compare_digest(value[1:-1], expected)
    return False


class Store:
    """What must survive a restart: the cases, the ids that made them, and the signatures seen."""

    def __init__(self, path: str | Path | None):
        self.db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS receiver_case (number INTEGER PRIMARY KEY, inbox_id TEXT NOT NULL,
                webhook_id TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL, received_at REAL NOT NULL,
                document TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS receiver_signature (signature TEXT PRIMARY KEY, seen_at REAL NOT NULL);
        """)

    def cases(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT number, inbox_id, webhook_id, sha256, received_at, document FROM receiver_case ORDER BY number"
        ).fetchall()
        return [
            {
                "case": n,
                "inbox_id": inbox,
                "idempotency_key": key,
                "sha256": sha,
                "received_at": at,
                "document": json.loads(doc),
            }
            for n, inbox, key, sha, at, doc in rows
        ]

    def seen_signature(self, signature: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM receiver_signature WHERE signature = ?", (signature,)).fetchone() is not None
        )

    def note_signature(self, signature: str, now: float) -> None:
        self.db.execute("DELETE FROM receiver_signature WHERE seen_at < ?", (now - 2 * TOLERANCE_SECONDS,))
        self.db.execute("INSERT OR IGNORE INTO receiver_signature VALUES (?, ?)", (signature, now))

    def add_case(self, case: dict) -> None:
        self.db.execute(
            "INSERT INTO receiver_case VALUES (?, ?, ?, ?, ?, ?)",
            (
                case["case"],
                case["inbox_id"],
                case["idempotency_key"],
                case["sha256"],
                case["received_at"],
                json.dumps(case["document"], ensure_ascii=False),
            ),
        )


def create_receiver_app(  # noqa: C901 - an app factory: its nested route functions count towards it
    secrets: dict[str, str],
    tolerance_seconds: int = TOLERANCE_SECONDS,
    token: str | None = None,
    store: str | Path | None = None,
) -> Flask:
    """``secrets``: inbox id (the last part of the webhook URL) → the shared signing secret. ``token``: what its
    own pages need as a bearer token (without one they answer 401 to everyone). ``store``: a SQLite file for
    what must survive a restart (default: memory)."""
    app = Flask(__name__)
    state = app.extensions["receiver"] = ReceiverState()
    secrets = dict(secrets)
    kept = Store(store)
    state.cases = kept.cases()
    state.by_key = {case["idempotency_key"]: case for case in state.cases}

    def refuse(status: int, problem: str) -> tuple[dict, int]:
        with state.lock:
            state.refused += 1
        return {"error": problem}, status

    def authorised() -> bool:
        given = request.headers.get("Authorization", "")
        return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    @app.before_request
    def _own_pages_need_the_token():
        if request.endpoint in ("cases", "case", "control") and not authorised():
            return jsonify(error="authentication required"), 401, {"WWW-Authenticate": "Bearer"}
        return None

    def trickle(answer: bytes, seconds: float, seen: dict):
        """The answer one byte every ``seconds``, then spaces (valid trailing JSON whitespace) for ever, until
        the client gives up; ``seen["ended"]`` is set when it did."""
        try:
            position = 0
            while True:
                yield answer[position : position + 1] if position < len(answer) else b" "
                position += 1
                time.sleep(seconds)
        finally:
            seen["ended"] = time.monotonic()

    @app.post("/webhook/<inbox_id>")
    def webhook(inbox_id: str):
        seen = {"key": request.headers.get("webhook-id", ""), "started": time.monotonic(), "ended": None}
        with state.lock:
            state.requests.append(seen)
            del state.requests[:-10000]  # the last ten thousand are plenty
        try:
            answer, status = handle(inbox_id)
        except BaseException:
            seen["ended"] = time.monotonic()
            raise
        if state.mode == "trickle" and status in (200, 201):
            return Response(
                trickle(json.dumps(answer).encode(), state.seconds, seen), status=status, mimetype="application/json"
            )
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
        webhook_id = request.headers.get("webhook-id", "").strip()
        timestamp = request.headers.get("webhook-timestamp", "").strip()
        signature = request.headers.get("webhook-signature", "").strip()
        if not (webhook_id and timestamp.isdigit() and signature):
            return refuse(401, "webhook-id, webhook-timestamp or webhook-signature missing")
        now = time.time()
        if not -FUTURE_SKEW_SECONDS <= now - int(timestamp) <= tolerance_seconds:
            return refuse(401, "timestamp outside the allowed window")
        try:
            Webhook(signing_key(secret)).verify(
                body,
                {"webhook-id": webhook_id, "webhook-timestamp": timestamp, "webhook-signature": signature},
                json_parse=False,
            )
        except (WebhookVerificationError, ValueError):  # ValueError: a malformed signature or body
            return refuse(401, "bad signature")
        if not _digest_ok(request.headers.get("Content-Digest", ""), body):
            return refuse(400, "Content-Digest does not match the body")
        if request.headers.get("Idempotency-Key", webhook_id).strip() != webhook_id:
            return refuse(400, "Idempotency-Key differs from webhook-id")
        try:
            document = json.loads(body)
        except ValueError:
            return refuse(400, "body is not JSON")
        if mode == "refuse":
            return refuse(422, "this document is refused")
        sha256 = hashlib.sha256(body).hexdigest()
        with state.lock:
            known = state.by_key.get(webhook_id)
            if known is None and kept.seen_signature(signature):
                state.refused += 1
                return {"error": "this request was received before (a replay)"}, 409
            kept.note_signature(signature, now)
            if known is not None:
                if known["sha256"] != sha256:
                    state.refused += 1
                    return {"error": "webhook-id already used for another document"}, 409
                state.repeats += 1
                return {"case": known["case"], "repeated": True}, 200
            case = {
                "case": len(state.cases) + 1,
                "inbox_id": inbox_id,
                "idempotency_key": webhook_id,
                "sha256": sha256,
                "received_at": now,
                "document": document,
            }
            kept.add_case(case)
            state.cases.append(case)
            state.by_key[webhook_id] = case
        return {"case": case["case"], "repeated": False}, 201

    @app.get("/cases")
    def cases():
        with state.lock:
            listed = [{k: v for k, v in case.items() if k != "document"} for case in state.cases]
            return jsonify(
                cases=listed,
                repeats=state.repeats,
                refused=state.refused,
                requests=[dict(seen) for seen in state.requests],
            )

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
