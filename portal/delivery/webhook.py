"""The webhook channel: the frozen exchange document POSTed to the municipality's case system.

Every request carries:

* Standard Webhooks' headers (https://www.standardwebhooks.com/, the receiver's contract in
  docs/webhook-contract.md): ``webhook-id``, the delivery's idempotency key (the same on every retry: the
  receiver makes one case per id, so a retry after a lost answer is never a second case);
  ``webhook-timestamp`` (unix seconds, the time of this attempt); ``webhook-signature: v1,<base64>``, the
  HMAC-SHA256 of ``f"{id}.{timestamp}.{body}"`` with the inbox's secret. The id, the time and the body are
  signed together: none can be replaced (a replay under a new key) or reused outside the receiver's
  five-minute window;
* ``Idempotency-Key``: the same id, for receivers that look for it there;
* ``Content-Digest: sha-256=:<base64>:`` (RFC 9530) of the body.

The routing configuration names the secret (``secret``); its value comes from the environment,
``PORTAL_WEBHOOK_SECRET_<NAME>`` (upper case, other than letters and digits → ``_``). A URL starting with
``{receiver_url}`` is the installation's sample receiver (``PORTAL_RECEIVER_URL``, see ``portal/config.py``).

Every request has one overall deadline (:func:`deadline`), not a timeout per read: connecting, sending and
reading the answer together end when it runs out, however slowly a receiver trickles its answer. The worker
gives each request a deadline shorter than what is left of its lease, less a safety margin
(``portal.delivery.services``), so no other worker ever sends the same record while this one still waits.

Anything but a 2xx answer raises, and says whose fault it is (``kind``): ``timeout`` (no answer in time:
the receiver may well have the application), ``unavailable`` (not reachable, reset, 5xx, 408, 429, or an
answer about the inbox as a whole such as 401, 403, 404), ``configuration`` (the portal's side is not set up)
— all three the inbox's, so the inbox backs off — and ``refused`` (400, 409, 413, 415, 422: this document)
or ``document`` (the frozen document is missing or broken) — the record's. Nothing personal is logged:
the body is never written anywhere but the request.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import httpcore
import httpx
from flask import current_app, has_app_context
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from portal.extensions import db
from portal.routing.config import resolve_url, routing_config
from portal.submission.models import FrozenDocument

log = logging.getLogger(__name__)
SECRET_PREFIX = "PORTAL_WEBHOOK_SECRET_"
TIMEOUT_ENV = "PORTAL_WEBHOOK_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 10.0
SIGNATURE_VERSION = "v1"
WHSEC_PREFIX = "whsec_"  # a secret written whsec_<base64> is those bytes (Standard Webhooks); else its UTF-8

_local = threading.local()


# Answers that refuse this document (the record's fault); any other non-2xx answer is about the inbox.
RECORD_REFUSALS = frozenset({400, 409, 413, 415, 422})


class WebhookError(Exception):
    """The webhook delivery did not succeed; the message names no person and no content."""

    kind = "unavailable"


class WebhookNotConfigured(WebhookError):
    kind = "configuration"


class WebhookSecretMissing(WebhookNotConfigured):
    pass


class WebhookDocumentProblem(WebhookError):
    kind = "document"


class WebhookTimeout(WebhookError):
    """No (complete) answer before the deadline: the receiver may have the application all the same."""

    kind = "timeout"


class WebhookUnavailable(WebhookError):
    kind = "unavailable"


class WebhookRefused(WebhookError):
    """The receiver answered and refused this document."""

    kind = "refused"


def secret_env_name(secret_name: str) -> str:
    return SECRET_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", secret_name).upper()


def secret_value(secret_name: str) -> str:
    env = secret_env_name(secret_name)
    value = os.environ.get(env)
    if not value:
        raise WebhookSecretMissing(f"webhook secret {secret_name!r} is not set (environment variable {env})")
    return value


def timeout_seconds() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_SECONDS)
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS


def content_digest(body: bytes) -> str:
    """RFC 9530 ``Content-Digest`` value for ``body``."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def signing_key(secret: str) -> bytes:
    if secret.startswith(WHSEC_PREFIX):
        return base64.b64decode(secret[len(WHSEC_PREFIX) :] + "==")
    return secret.encode("utf-8")


def signature(secret: str, webhook_id: str, timestamp: int | str, body: bytes) -> str:
    """``v1,<base64>``: the HMAC-SHA256 of ``f"{webhook_id}.{timestamp}.{body}"`` (Standard Webhooks)."""
    return Webhook(signing_key(secret)).sign(
        webhook_id, datetime.fromtimestamp(int(timestamp), UTC), body.decode("utf-8")
    )


def signed_headers(body: bytes, idempotency_key: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers of one attempt: signed now (or at ``timestamp``), so each retry has a fresh signature."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "webhook-id": idempotency_key,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, idempotency_key, timestamp, body),
        "Idempotency-Key": idempotency_key,
        "Content-Digest": content_digest(body),
    }


# --- one deadline for the whole request ---------------------------------------------------------------


def _left(error: type[Exception], timeout: float | None) -> float | None:
    """The time a single network operation may take: its own timeout, but never past the thread's deadline
    (raises ``error`` when that has passed)."""
    ends = getattr(_local, "deadline", None)
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise error("deadline passed")
    return left if timeout is None else min(timeout, left)


@contextmanager
def deadline(seconds: float):
    """Every network operation of this thread inside the block ends ``seconds`` from now at the latest."""
    saved = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = saved


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write (and every partial send) is bounded by the thread's deadline."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream
        self._sock = stream.get_extra_info("socket")

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            self._sock.settimeout(_left(httpcore.ReadTimeout, timeout))
            return self._sock.recv(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            while buffer:
                self._sock.settimeout(_left(httpcore.WriteTimeout, timeout))
                buffer = buffer[self._sock.send(buffer) :]
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _left(httpcore.ConnectTimeout, timeout))
        )

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, connected and used within the thread's deadline."""

    def __init__(self):
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _DeadlineStream(
            self._backend.connect_tcp(
                host, port, _left(httpcore.ConnectTimeout, timeout), local_address, socket_options
            )
        )

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - not used
        return _DeadlineStream(
            self._backend.connect_unix_socket(path, _left(httpcore.ConnectTimeout, timeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:  # pragma: no cover - retries are off
        time.sleep(min(seconds, _left(httpcore.PoolTimeout, seconds) or 0))


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over :class:`_DeadlineBackend` (httpx takes no network backend itself)."""

    def __init__(self):
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), http1=True, http2=False, network_backend=_DeadlineBackend()
        )


def _client() -> httpx.Client:
    """One client (connection pool) per thread: deliveries to the same case system reuse connections."""
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(follow_redirects=False, transport=_DeadlineTransport())
    return client


def post(url: str, body: bytes, headers: dict[str, str], seconds: float) -> httpx.Response:
    """POST within an overall deadline of ``seconds``: raises :class:`WebhookTimeout` when it runs out."""
    with deadline(seconds):
        try:
            return _client().post(url, content=body, headers=headers, timeout=seconds)
        except httpx.TimeoutException:
            raise WebhookTimeout(f"no answer within {seconds:.3g} s (it may have arrived)") from None


def _version(delivery) -> int | None:
    match = re.search(r"/v(\d+)$", delivery.idempotency_key)
    return int(match.group(1)) if match else None


def _document(delivery) -> FrozenDocument:
    """The frozen document this delivery carries: the version its key names (``…/v1``), else the latest."""
    query = select(FrozenDocument).where(FrozenDocument.application_id == delivery.application_id)
    version = _version(delivery)
    if version is not None:
        query = query.where(FrozenDocument.version == version)
    document = db.session.scalar(query.order_by(FrozenDocument.version.desc()).limit(1))
    if document is None:
        raise WebhookDocumentProblem(f"no frozen document for delivery {delivery.id}")
    return document


def documents(deliveries) -> dict:
    """The frozen documents of several deliveries in one query (a worker's batch): delivery id → its body and
    digest (plain rows: still readable after a commit), chosen as :func:`_document` chooses; deliveries
    without one are left out (and fail when sent)."""
    deliveries = list(deliveries)
    if not deliveries:
        return {}
    found: dict[str, list] = {}
    for document in db.session.execute(
        select(FrozenDocument.application_id, FrozenDocument.version, FrozenDocument.body, FrozenDocument.sha256).where(
            FrozenDocument.application_id.in_({d.application_id for d in deliveries})
        )
    ):
        found.setdefault(document.application_id, []).append(document)
    chosen = {}
    for delivery in deliveries:
        candidates = sorted(found.get(delivery.application_id, []), key=lambda d: d.version, reverse=True)
        version = _version(delivery)
        if version is not None:
            candidates = [d for d in candidates if d.version == version]
        if candidates:
            chosen[delivery.id] = candidates[0]
    return chosen


def receiver_url() -> str:
    """The installation's sample receiver (``PORTAL_RECEIVER_URL``), for URLs starting ``{receiver_url}``."""
    return current_app.config["PORTAL"].receiver_url if has_app_context() else ""


def inbox_url(inbox) -> str:
    url = resolve_url(inbox.url or "", receiver_url())
    if not url:
        raise WebhookNotConfigured(f"inbox {inbox.id!r}: its URL needs PORTAL_RECEIVER_URL, which is not set")
    return url


def deliver(delivery, document=None, seconds: float | None = None) -> None:
    """POST the frozen document (``document``: anything with ``body`` and ``sha256``, else looked up) to the
    inbox's webhook within an overall deadline of ``seconds`` (default :func:`timeout_seconds`); raises
    unless the receiver answers 2xx."""
    inbox = routing_config().inboxes.get(delivery.inbox_id)
    if inbox is None or inbox.channel != "webhook" or not inbox.url or not inbox.secret_name:
        raise WebhookNotConfigured(f"inbox {delivery.inbox_id!r} is not configured as a webhook")
    url = inbox_url(inbox)
    secret = secret_value(inbox.secret_name)
    document = document if document is not None else _document(delivery)
    body = document.body.encode("utf-8")
    if hashlib.sha256(body).hexdigest() != document.sha256:
        raise WebhookDocumentProblem(f"frozen document of delivery {delivery.id} does not match its digest")
    headers = signed_headers(body, delivery.idempotency_key, secret)
    seconds = timeout_seconds() if seconds is None else seconds
    try:
        response = post(url, body, headers, seconds)
    except WebhookTimeout as exc:
        raise WebhookTimeout(f"webhook {inbox.id}: {exc}") from None
    except httpx.HTTPError as exc:
        raise WebhookUnavailable(f"webhook {inbox.id} unreachable: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        kind = WebhookRefused if response.status_code in RECORD_REFUSALS else WebhookUnavailable
        raise kind(f"webhook {inbox.id} answered {response.status_code}")
    log.info("webhook delivered delivery=%s inbox=%s status=%s", delivery.id, inbox.id, response.status_code)
