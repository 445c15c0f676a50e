"""``/digitalmail``: the sandbox's digital-mail infrastructure, answering like the national one (Mina
meddelanden) does for a sending authority: an "is reachable" lookup, then a secure message with its
documents, answered with a delivery receipt. The portal's adapter (portal/delgivning/mailbox.py) calls it
over HTTP exactly as it would call the real service.

- ``POST /digitalmail/reachable`` ``{"recipients": ["19..."]}`` → ``{"recipients": [{"id": "19...",
  "reachable": true, "mailbox": "Kivra"}]}`` (a personnummer only ever in the body).
- ``POST /digitalmail/messages`` ``{"recipient", "subject", "sender", "documents": [{"name", "mediaType",
  "sha256", "content" (base64)}]}`` with ``Idempotency-Key`` → 201 ``{"receipt": {"id", "deliveredAt",
  "mailbox"}}``; a repeated key is answered with the first receipt (200) and stored once; a person without
  a mailbox gets 409 ``not_reachable``.
- ``/_control/digitalmail/messages`` lists (GET) or clears (DELETE) what was delivered (by slug, never the
  personnummer); ``/_control/digitalmail/faults`` sets (POST), reads (GET) or clears (DELETE) fault rules
  with ``"provider": "digitalmail"`` and ``"set": "reachable"`` or ``"messages"`` (devstack/sandbox/faults.py).

Who has a mailbox: every test person except those in :data:`WITHOUT_MAILBOX`; numbers outside the cast have
none. Same bearer token as the provider routes.
"""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, current_app, g, request

from .faults import FaultBook, FaultRuleError, parse_rules
from .providers.base import json_response, valid_personnummer
from .records import Records, idempotency_key
from .state import current_sandbox

NAME = "digitalmail"
SETS = ("reachable", "messages")
# Test persons without a digital mailbox: their decisions go to paper. Amina (Södertälje), Erik (Norrköping) and
# Margareta (Örebro) have caseworkers in the staff directory, so the demo and the browser journey (one person a
# language) can print and post theirs.
WITHOUT_MAILBOX = frozenset({"pensioner", "nothing-found", "residence-permit", "af-sanctions"})
# Which operator each person's mailbox is with, so the receipt can say where it went.
OPERATORS = ("Kivra", "Min myndighetspost", "Billo")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

bp = Blueprint("sandbox_digitalmail", __name__)


class Mailboxes(Records):
    """What the sandbox's infrastructure has delivered, and its own fault rules."""

    def __init__(self) -> None:
        super().__init__()
        self.faults = FaultBook()

    def deliver(self, slug: str, mailbox: str, subject: str, documents: list[dict], key: str | None):
        return self.record(
            key,
            lambda number: {
                "receipt": f"MM-{number:08d}",
                "person": slug,
                "mailbox": mailbox,
                "subject": subject,
                "documents": documents,
                "delivered_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "received_at": time.time(),
            },
        )


def init_app(app: Flask) -> None:
    app.extensions["sandbox.digitalmail"] = Mailboxes()
    app.register_blueprint(bp)


def _boxes() -> Mailboxes:
    return current_app.extensions["sandbox.digitalmail"]


def mailbox_of(slug: str | None) -> str | None:
    """The operator of the test person's mailbox, or None for one without."""
    if slug is None or slug in WITHOUT_MAILBOX:
        return None
    return OPERATORS[int(hashlib.sha256(slug.encode()).hexdigest(), 16) % len(OPERATORS)]


def _slug(personnummer: str) -> str | None:
    person = current_sandbox().persons.by_personnummer(personnummer)
    return person.slug if person else None


def _fault(information_set: str, slug: str | None) -> Response | None:
    """Apply the fault rules for this call: a latency delays it; a timeout holds it; a status or a
    malformed answer replaces it."""
    plan = _boxes().faults.plan(NAME, information_set, slug)
    g.sandbox_faults = plan.fired
    plan.sleep_latency()
    rule = plan.terminal
    if rule is None:
        return None
    if rule.kind == "timeout":
        plan.wait(rule.params.get("seconds", current_sandbox().timeout_seconds))
        return json_response({"error": "timeout"}, 504)
    if rule.kind == "malformed":
        return Response(
            rule.params.get("body", "{not json"),
            rule.params.get("status", 200),
            content_type=rule.params.get("content_type", "application/json"),
        )
    headers = {"Retry-After": str(rule.params["retry_after"])} if "retry_after" in rule.params else None
    return json_response(rule.params.get("body") or {"error": "unavailable"}, rule.params["status"], headers)


def _bad(*problems: str) -> Response:
    return json_response({"error": "bad_request", "problems": list(problems)}, 400)


@bp.post("/digitalmail/reachable")
def reachable() -> Response:
    body = request.get_json(silent=True)
    recipients = body.get("recipients") if isinstance(body, dict) else None
    if (
        not isinstance(recipients, list)
        or not recipients
        or len(recipients) > 100
        or not all(valid_personnummer(r) for r in recipients)
    ):
        return _bad("recipients: a list of 1 to 100 personnummer (12 digits)")
    slugs = [_slug(r) for r in recipients]
    g.sandbox_person = ",".join(s or "?" for s in slugs)
    faulty = _fault("reachable", slugs[0] if len(slugs) == 1 else None)
    if faulty is not None:
        return faulty
    answers = []
    for number, slug in zip(recipients, slugs, strict=True):
        mailbox = mailbox_of(slug)
        answers.append({"id": number, "reachable": mailbox is not None, "mailbox": mailbox})
    return json_response({"recipients": answers})


@bp.post("/digitalmail/messages")
def send() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad('send JSON: {"recipient", "subject", "sender", "documents"}')
    recipient, subject, documents = body.get("recipient"), body.get("subject"), body.get("documents")
    problems = []
    if not valid_personnummer(recipient):
        problems.append("recipient: a personnummer (12 digits)")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 200:
        problems.append("subject: 1 to 200 characters")
    if not isinstance(body.get("sender"), str) or not body["sender"].strip():
        problems.append("sender: the sending authority's name")
    stored = []
    if not isinstance(documents, list) or not documents:
        problems.append("documents: at least one")
    else:
        for index, doc in enumerate(documents, start=1):
            try:
                content = base64.b64decode(doc["content"], validate=True)
            except (KeyError, TypeError, ValueError):
                problems.append(f"documents[{index}].content: base64")
                continue
            if doc.get("mediaType") != "application/pdf" or not content.startswith(b"%PDF-"):
                problems.append(f"documents[{index}]: a PDF (mediaType application/pdf)")
            elif len(content) > MAX_DOCUMENT_BYTES or hashlib.sha256(content).hexdigest() != doc.get("sha256"):
                problems.append(f"documents[{index}].sha256: the SHA-256 of the content (at most 10 MB)")
            else:
                stored.append({"name": str(doc.get("name", "")), "sha256": doc["sha256"], "size": len(content)})
    if problems:
        return _bad(*problems)
    slug = _slug(recipient)
    g.sandbox_person = slug or "?"
    faulty = _fault("messages", slug)
    if faulty is not None:
        return faulty
    mailbox = mailbox_of(slug)
    if mailbox is None:
        return json_response({"error": "not_reachable", "message": "The recipient has no digital mailbox."}, 409)
    message, new = _boxes().deliver(slug, mailbox, subject.strip(), stored, idempotency_key())
    return json_response(
        {"receipt": {"id": message["receipt"], "deliveredAt": message["delivered_at"], "mailbox": mailbox}},
        201 if new else 200,
    )


@bp.get("/_control/digitalmail/messages")
def read_messages() -> Response:
    return json_response({"messages": _boxes().snapshot()})


@bp.delete("/_control/digitalmail/messages")
def clear_messages() -> Response:
    _boxes().clear()
    return json_response({"messages": []})


@bp.get("/_control/digitalmail/faults")
def read_faults() -> Response:
    return json_response(_boxes().faults.snapshot())


@bp.post("/_control/digitalmail/faults")
def set_faults() -> Response:
    try:
        rules = parse_rules(
            request.get_json(silent=True), providers={NAME: list(SETS)}, persons=current_sandbox().persons.slugs
        )
    except FaultRuleError as exc:
        return json_response({"error": "bad_request", "problems": exc.problems}, 400)
    _boxes().faults.replace(rules)
    return json_response(_boxes().faults.snapshot())


@bp.delete("/_control/digitalmail/faults")
def clear_faults() -> Response:
    _boxes().faults.clear()
    return json_response(_boxes().faults.snapshot())
