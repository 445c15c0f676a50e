"""Sending the notification outbox: "there is news in Egna utrymmet, look here".

``portal/case/services.notify`` writes a ``Notification`` row in the same transaction as the
event that causes it; the worker (``portal worker``) sends what is due with ``send_pending``.
A mail server or SMS gateway that is down never blocks a caseworker: the row stays pending and
is tried again with backoff, and after ``MAX_ATTEMPTS`` it is marked failed.

The text says only that there is news and where to look, in the applicant's language. It never
carries a name, personnummer, reference, amount, reason or anything else about the case: an
e-mail or SMS can be read by others, and the event kind stays in the database for statistics.

Claiming is a conditional UPDATE (pending → sending, with a lease in ``next_attempt_at``), so
several workers never send the same row at once; a worker that dies mid-send leaves a row whose
lease runs out and is taken again.

Each try is recorded (a ``NotificationAttempt``, committed) *before* the mail or SMS goes out, and each
notification has one ``Message-ID``, made at its first try and used by every later one. So a worker that
dies between sending and recording the outcome leaves a try without an outcome: the next try marks it
``interrupted``, logs it, and sends the same message again with the same ``Message-ID`` (SMS: the same
``Idempotency-Key`` to the gateway). What remains at least once: the applicant may get that mail twice
(mail systems that deduplicate on ``Message-ID`` show it once), and an SMS twice unless the gateway
deduplicates on the key. See docs/decisions/0003-outbox-and-worker.md.
"""

from __future__ import annotations

import logging
import random
import smtplib
import threading
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

import httpx
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from portal.case.models import ContactDetails, Notification
from portal.case.states import AttemptOutcome, NotificationStatus
from portal.config import Config
from portal.db import rowcounted, utcnow
from portal.delivery.models import NotificationAttempt
from portal.extensions import db
from portal.i18n.services import DEFAULT as DEFAULT_LANGUAGE
from portal.i18n.services import SUPPORTED
from portal.rounds import run_rounds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(seconds=120)
LANGUAGES = SUPPORTED  # the portal's languages


class NotSent(Exception):
    """This notification cannot be sent (now); ``permanent`` ones are not tried again."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


# --- the text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    language: str
    subject: str
    body: str
    sms: str


def overview_url(config: Config) -> str:
    return f"{config.base_url.rstrip('/')}/overview"


def language_of(contact: ContactDetails | None) -> str:
    language = (contact.language if contact is not None else None) or DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def text_for(language: str, url: str) -> Text:
    """The one text there is. It is the same for every event on purpose."""
    with force_locale(language):
        return Text(
            language=language,
            subject=_("There is news for you in Egna utrymmet"),
            body="\n\n".join(
                [
                    _("Hello,"),
                    _("There is news for you in Egna utrymmet. Log in to read it:"),
                    url,
                    _(
                        "This message was sent automatically and says nothing about what the news is, for your "
                        "privacy. Do not reply to it."
                    ),
                    _("Egna utrymmet"),
                ]
            )
            + "\n",
            sms=_("There is news for you in Egna utrymmet. Log in to read it: %(url)s", url=url),
        )


# --- channels ------------------------------------------------------------------------------------


def new_message_id(config: Config) -> str:
    return make_msgid(domain=config.smtp_from.rsplit("@", 1)[-1].strip(" >") or None)


def build_mail(config: Config, to: str, text: Text, message_id: str | None = None) -> EmailMessage:
    """The mail; ``message_id``: the notification's own (the same for every try), else a new one."""
    message = EmailMessage()
    message["From"] = config.smtp_from
    message["To"] = to
    message["Subject"] = text.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or new_message_id(config)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(text.body)
    message["Content-Language"] = text.language  # after set_content, which clears Content-* headers
    return message


def send_mail(config: Config, message: EmailMessage) -> None:
    """Through a real SMTP client to the configured server."""
    if not config.smtp_host:
        raise NotSent("smtp_not_configured")
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout_seconds) as smtp:
        smtp.ehlo()
        if config.smtp_starttls:
            smtp.starttls()
            smtp.ehlo()
        if config.smtp_username:
            smtp.login(config.smtp_username, config.smtp_password)
        refused = smtp.send_message(message)
    if refused:
        raise NotSent("recipient_refused", permanent=True)


class SmsGateway(Protocol):
    """Whatever sends a text message to a mobile number (E.164)."""

    def send(self, to: str, text: str) -> None: ...


class HttpSmsGateway:
    """An SMS gateway reached over HTTP: ``POST {url}`` with ``{"to": ..., "text": ...}`` and a
    bearer token; any 2xx is accepted, 4xx other than 429 is permanent."""

    def __init__(self, url: str, token: str, timeout: float = 10.0):
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, to: str, text: str, key: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key  # the same for every try of one notification
        response = httpx.post(self.url, json={"to": to, "text": text}, timeout=self.timeout, headers=headers)
        if response.is_success:
            return
        permanent = 400 <= response.status_code < 500 and response.status_code != 429
        raise NotSent(f"sms_gateway_{response.status_code}", permanent=permanent)


def sms_gateway(config: Config) -> SmsGateway | None:
    """The configured gateway; tests may put their own in ``app.extensions["portal.sms"]``."""
    custom = current_app.extensions.get("portal.sms")
    if custom is not None:
        return custom
    if not config.sms_url:
        return None
    return HttpSmsGateway(config.sms_url, config.sms_token, timeout=config.smtp_timeout_seconds)


# --- the outbox ------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: about 30 s, 1 min, 2 min, ... capped at an hour."""
    ceiling = min(3600.0, 30.0 * 2 ** (attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _due():
    now = utcnow()
    return or_(
        (Notification.status == NotificationStatus.PENDING) & (Notification.next_attempt_at <= now),
        (Notification.status == NotificationStatus.SENDING) & (Notification.next_attempt_at < now),
    )  # a worker died


def claim(limit: int = 50) -> list[int]:
    candidates = list(
        db.session.scalars(
            select(Notification.id).where(_due()).order_by(Notification.next_attempt_at, Notification.id).limit(limit)
        )
    )
    claimed = []
    for candidate in candidates:
        result = rowcounted(
            db.session.execute(
                update(Notification)
                .where(Notification.id == candidate, _due())
                .values(status=NotificationStatus.SENDING, next_attempt_at=utcnow() + LEASE)
            )
        )
        if result.rowcount == 1:
            claimed.append(candidate)
    db.session.commit()
    return claimed


def _deliver(config: Config, notification: Notification, message_id: str) -> None:
    contact = db.session.get(ContactDetails, notification.person_id)
    text = text_for(language_of(contact), overview_url(config))
    if notification.channel == "email":
        if contact is None or not contact.email or not contact.notify_email:
            raise NotSent("no_address", permanent=True)  # the applicant has removed it since
        send_mail(config, build_mail(config, contact.email, text, message_id))
    elif notification.channel == "sms":
        if contact is None or not contact.phone or not contact.notify_sms:
            raise NotSent("no_number", permanent=True)
        gateway = sms_gateway(config)
        if gateway is None:
            raise NotSent("sms_not_configured", permanent=True)
        if isinstance(gateway, HttpSmsGateway):
            gateway.send(contact.phone, text.sms, key=message_id)
        else:
            gateway.send(contact.phone, text.sms)
    else:
        raise NotSent("unknown_channel", permanent=True)


def _begin_attempt(config: Config, notification: Notification) -> NotificationAttempt:
    """Record this try, and commit it, before anything is sent. A try before it without an outcome means a
    worker died after (perhaps) sending it: it is marked ``interrupted`` and logged, and this try sends the
    same ``Message-ID``."""
    earlier = list(
        db.session.scalars(
            select(NotificationAttempt)
            .where(NotificationAttempt.notification_id == notification.id)
            .order_by(NotificationAttempt.number)
        )
    )
    now = utcnow()
    for attempt in earlier:
        if attempt.outcome is None:
            attempt.outcome, attempt.finished_at = AttemptOutcome.INTERRUPTED, now
            log.warning(
                "notification retried after an unfinished attempt notification=%s channel=%s attempt=%s message_id=%s",
                notification.id,
                notification.channel,
                attempt.number,
                attempt.message_id,
            )
    attempt = NotificationAttempt(
        notification_id=notification.id,
        number=(earlier[-1].number if earlier else 0) + 1,
        message_id=earlier[0].message_id if earlier else new_message_id(config),
        started_at=now,
    )
    db.session.add(attempt)
    notification.attempts = attempt.number
    db.session.commit()
    return attempt


def send_one(notification_id: int) -> str:
    config: Config = current_app.config["PORTAL"]
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.status != NotificationStatus.SENDING:
        db.session.rollback()
        return "skipped"
    attempt = _begin_attempt(config, notification)
    attempts, message_id = attempt.number, attempt.message_id
    try:
        _deliver(config, notification, message_id)
    except Exception as exc:  # any failure: keep the row and try later, or give up
        db.session.rollback()
        notification = db.session.get_one(Notification, notification_id)
        attempt = db.session.get_one(NotificationAttempt, attempt.id)
        reason = exc.reason if isinstance(exc, NotSent) else type(exc).__name__
        notification.last_error = reason[:200]
        if (isinstance(exc, NotSent) and exc.permanent) or attempts >= MAX_ATTEMPTS:
            notification.status, attempt.outcome = NotificationStatus.FAILED, AttemptOutcome.FAILED
            log.warning(
                "notification failed notification=%s channel=%s reason=%s",
                notification.id,
                notification.channel,
                reason,
            )
        else:
            notification.status, attempt.outcome = NotificationStatus.PENDING, AttemptOutcome.RETRY
            notification.next_attempt_at = utcnow() + backoff(attempts)
            log.info(
                "notification not sent yet notification=%s channel=%s attempt=%s reason=%s",
                notification.id,
                notification.channel,
                attempts,
                reason,
            )
        attempt.finished_at = utcnow()
        db.session.commit()
        return notification.status
    notification.status, attempt.outcome = NotificationStatus.SENT, AttemptOutcome.SENT
    notification.sent_at = attempt.finished_at = utcnow()
    notification.last_error = None
    db.session.commit()
    log.info("notification sent notification=%s channel=%s attempt=%s", notification.id, notification.channel, attempts)
    return NotificationStatus.SENT


def send_pending(limit: int = 50) -> int:
    """Send what is due; returns how many were sent. Needs an app context."""
    return sum(send_one(notification_id) == NotificationStatus.SENT for notification_id in claim(limit))


def run_forever(app: Flask, interval: float = 1.0, stop: threading.Event | None = None) -> None:
    """The notification loop of ``portal worker``, beside the delivery loop."""

    def round_() -> int:
        # portal.delgivning is a layer above the case (pyproject.toml, ignore_imports)
        from portal.delgivning.services import serve_pending

        # Notifications, then decisions served by digital mail, else to the print queue.
        return send_pending() + serve_pending()

    run_rounds(app, round_, name="notification", interval=interval, stop=stop)


def start_thread(app: Flask, interval: float = 1.0, stop: threading.Event | None = None) -> threading.Thread:
    thread = threading.Thread(target=run_forever, args=(app, interval, stop), daemon=True, name="notifications")
    thread.start()
    return thread
