"""The webhook channel: the frozen exchange document POSTed to the municipality's case system.

Every request carries:

* ``Idempotency-Key``: the delivery's key; the receiver makes one case per key, so a retry after a
  lost answer is the same delivery, never a second case;
* ``Content-Digest: sha-256=:<base64>:`` (RFC 9530) of the body;
* ``X-Egna-Timestamp`` (unix seconds) and ``X-Egna-Signature: v1=<hex>``, the HMAC-SHA256 of
  ``f"{timestamp}.{body}"`` with the inbox's secret, so the receiver knows the portal sent it and can
  refuse replays outside its time window.

The routing configuration names the secret (``secret``); its value comes from the environment,
``PORTAL_WEBHOOK_SECRET_<NAME>`` (upper case, other than letters and digits → ``_``). Anything but a 2xx
answer raises, and the worker backs off and tries again (``portal.delivery.services.deliver``).
Nothing personal is logged: the body is never written anywhere but the request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import threading
import time

import httpx
from sqlalchemy import select

from portal.delivery.models import FrozenDocument
from portal.extensions import db
from portal.routing.config import routing_config

log = logging.getLogger(__name__)
SECRET_PREFIX = "PORTAL_WEBHOOK_SECRET_"
TIMEOUT_ENV = "PORTAL_WEBHOOK_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 10.0
SIGNATURE_VERSION = "v1"

_local = threading.local()


class WebhookError(Exception):
    """The webhook delivery did not succeed; the message names no person and no content."""


class WebhookSecretMissing(WebhookError):
    pass


class WebhookRefused(WebhookError):
    pass


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


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.{body}"``."""
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, idempotency_key: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "Idempotency-Key": idempotency_key,
        "Content-Digest": content_digest(body),
        "X-Egna-Timestamp": str(timestamp),
        "X-Egna-Signature": f"{SIGNATURE_VERSION}={signature(secret, timestamp, body)}",
    }


def _client() -> httpx.Client:
    """One client (connection pool) per thread: deliveries to the same case system reuse connections."""
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(follow_redirects=False)
    return client


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
        raise WebhookError(f"no frozen document for delivery {delivery.id}")
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
            select(FrozenDocument.application_id, FrozenDocument.version, FrozenDocument.body, FrozenDocument.sha256)
            .where(FrozenDocument.application_id.in_({d.application_id for d in deliveries}))):
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


def deliver(delivery, document=None) -> None:
    """POST the frozen document (``document``: anything with ``body`` and ``sha256``, else looked up) to the
    inbox's webhook; raises unless the receiver answers 2xx."""
    inbox = routing_config().inboxes.get(delivery.inbox_id)
    if inbox is None or inbox.channel != "webhook" or not inbox.url or not inbox.secret_name:
        raise WebhookError(f"inbox {delivery.inbox_id!r} is not configured as a webhook")
    secret = secret_value(inbox.secret_name)
    document = document if document is not None else _document(delivery)
    body = document.body.encode("utf-8")
    if hashlib.sha256(body).hexdigest() != document.sha256:
        raise WebhookError(f"frozen document of delivery {delivery.id} does not match its digest")
    headers = signed_headers(body, delivery.idempotency_key, secret)
    try:
        response = _client().post(inbox.url, content=body, headers=headers, timeout=timeout_seconds())
    except httpx.TimeoutException:
        raise WebhookError(f"webhook {inbox.id} timed out after {timeout_seconds():g} s") from None
    except httpx.HTTPError as exc:
        raise WebhookError(f"webhook {inbox.id} unreachable: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise WebhookRefused(f"webhook {inbox.id} answered {response.status_code}")
    log.info("webhook delivered delivery=%s inbox=%s status=%s", delivery.id, inbox.id, response.status_code)
