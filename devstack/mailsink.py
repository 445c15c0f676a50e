"""A local SMTP sink for the demo and the tests, and a page to look at what it received.

``MailSink`` is a real SMTP server (aiosmtpd) that keeps the messages in memory instead of
passing them on. ``create_mailbox_app`` is a small separate web app that lists them, and the
SMS the sandbox gateway recorded, as plain escaped text (no HTML from a mail is ever rendered).
It is bound to the local machine only, like the rest of the demo stack.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from itertools import count

import httpx
from aiosmtpd.controller import Controller
from flask import Flask, abort, jsonify, render_template_string

KEEP = 500


@dataclass
class ReceivedMail:
    id: int
    mail_from: str
    recipients: list[str]
    subject: str
    to: str
    language: str
    body: str
    raw: bytes
    received_at: float = field(default_factory=time.time)

    def summary(self) -> dict:
        return {
            "id": self.id,
            "from": self.mail_from,
            "recipients": self.recipients,
            "to": self.to,
            "subject": self.subject,
            "language": self.language,
            "body": self.body,
            "received_at": self.received_at,
        }


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.sink.store(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class MailSink:
    """A real SMTP server on ``host:port`` that keeps what it receives (``mails``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025):
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._mails: list[ReceivedMail] = []
        self._ids = count(1)
        self._controller: Controller | None = None

    def start(self) -> MailSink:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def store(self, mail_from: str, recipients: list[str], raw: bytes) -> ReceivedMail:
        message = message_from_bytes(raw, policy=policy.default)
        part = message.get_body(preferencelist=("plain",))
        body = part.get_content().replace("\r\n", "\n") if part is not None else ""
        with self._lock:
            mail = ReceivedMail(
                id=next(self._ids),
                mail_from=mail_from,
                recipients=recipients,
                subject=str(message.get("Subject", "")),
                to=str(message.get("To", "")),
                language=str(message.get("Content-Language", "")),
                body=body,
                raw=raw,
            )
            self._mails.append(mail)
            del self._mails[:-KEEP]
            return mail

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._mails)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """The mails, once there are at least ``n`` (or when ``timeout`` runs out)."""
        deadline = time.monotonic() + timeout
        while len(self.mails) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.mails


PAGE = """<!doctype html>
<html lang="en" dir="ltr">
<head><meta charset="utf-8"><title>Demo mailbox – Egna utrymmet</title></head>
<body>
<main>
<h1>Demo mailbox</h1>
<p>Everything the demo portal sent by e-mail (to the local SMTP sink on {{ smtp }}) and by SMS (to the
sandbox gateway). Nothing here left this machine. Newest first.</p>
<h2>E-mail ({{ mails|length }})</h2>
{% for mail in mails %}
<article>
  <h3>{{ mail.subject }}</h3>
  <dl>
    <dt>To</dt><dd>{{ mail.to }}</dd>
    <dt>From</dt><dd>{{ mail.mail_from }}</dd>
    <dt>Language</dt><dd>{{ mail.language }}</dd>
    <dt>Received</dt><dd>{{ when(mail.received_at) }}</dd>
  </dl>
  <pre>{{ mail.body }}</pre>
</article>
{% else %}
<p>No e-mail yet.</p>
{% endfor %}
<h2>SMS ({{ sms|length }})</h2>
{% if sms_error %}<p>The sandbox's SMS log could not be read: {{ sms_error }}</p>{% endif %}
{% for message in sms %}
<article>
  <h3>To {{ message.to }}</h3>
  <p>{{ when(message.received_at) }}</p>
  <pre>{{ message.text }}</pre>
</article>
{% else %}
<p>No SMS yet.</p>
{% endfor %}
</main>
</body>
</html>
"""


def create_mailbox_app(sink: MailSink, sandbox_url: str | None = None, sandbox_token: str | None = None) -> Flask:
    """``/``: the mails and SMS as a page; ``/mails.json`` and ``/mails/<id>.eml`` for tests."""
    app = Flask(__name__, static_folder=None)

    def sms_messages() -> tuple[list[dict], str | None]:
        if not sandbox_url:
            return [], None
        try:
            response = httpx.get(
                f"{sandbox_url.rstrip('/')}/_control/sms",
                timeout=3,
                headers={"Authorization": f"Bearer {sandbox_token}"},
            )
            response.raise_for_status()
            return list(reversed(response.json()["messages"])), None
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return [], type(exc).__name__

    def when(timestamp: float) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))

    @app.get("/")
    def index():
        sms, sms_error = sms_messages()
        response = app.response_class(
            render_template_string(
                PAGE,
                mails=list(reversed(sink.mails)),
                sms=sms,
                sms_error=sms_error,
                when=when,
                smtp=f"{sink.host}:{sink.port}",
            )
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/mails.json")
    def mails_json():
        return jsonify(mails=[mail.summary() for mail in sink.mails])

    @app.get("/mails/<int:mail_id>.eml")
    def raw(mail_id: int):
        for mail in sink.mails:
            if mail.id == mail_id:
                return app.response_class(mail.raw, mimetype="text/plain")
        abort(404)
        return None

    return app
