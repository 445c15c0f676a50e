"""``/sms``: the sandbox's SMS gateway. It sends nothing: it records each message, and
``/_control/sms`` lists (GET) or clears (DELETE) what was recorded. Same bearer token as the
provider routes. The portal's SMS adapter (portal/case/notify.HttpSmsGateway) posts here
exactly as it would to a real gateway.

Like real gateways, it keeps a message's ``Idempotency-Key``: a second send with a key it has
seen is answered with the first message and recorded once, so a portal retrying after a crash
(docs/decisions/0003-outbox-and-worker.md) does not text the person twice."""

from __future__ import annotations

import re
import time

from flask import Blueprint, Flask, Response, current_app, request

from .providers.base import json_response
from .records import Records, idempotency_key

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
TEXT_MAX = 480  # three concatenated SMS parts

bp = Blueprint("sandbox_sms", __name__)


class SmsLog(Records):
    def add(self, to: str, text: str, key: str | None = None) -> tuple[dict, bool]:
        """The message recorded for this send, and whether it is new."""
        return self.record(key, lambda number: {"id": number, "to": to, "text": text, "received_at": time.time()})


def init_app(app: Flask) -> None:
    app.extensions["sandbox.sms"] = SmsLog()
    app.register_blueprint(bp)


def _log() -> SmsLog:
    return current_app.extensions["sandbox.sms"]


@bp.post("/sms")
def send() -> Response:
    body = request.get_json(silent=True)
    problems = []
    if not isinstance(body, dict):
        return json_response({"error": "bad_request", "problems": ['send JSON: {"to": ..., "text": ...}']}, 400)
    to, text = body.get("to"), body.get("text")
    if not isinstance(to, str) or not E164.match(to):
        problems.append("to: a mobile number in E.164 form, e.g. +46701234567")
    if not isinstance(text, str) or not text.strip() or len(text) > TEXT_MAX:
        problems.append(f"text: 1 to {TEXT_MAX} characters")
    if problems:
        return json_response({"error": "bad_request", "problems": problems}, 400)
    message, new = _log().add(to, text, idempotency_key())
    return json_response({"id": message["id"], "status": "accepted"}, 202 if new else 200)


@bp.get("/_control/sms")
def read() -> Response:
    return json_response({"messages": _log().snapshot()})


@bp.delete("/_control/sms")
def clear() -> Response:
    _log().clear()
    return json_response({"messages": []})
