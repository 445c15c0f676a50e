"""Prometheus metrics (prometheus_client).

Counted where they happen, in every process: requests by route (the rule, never the path), provider calls and
their failures, circuit breakers. Under gunicorn each worker writes them to files in
``PROMETHEUS_MULTIPROC_DIR`` (set by ``portal/ops/gunicorn_conf.py`` before any worker starts) and a scrape of
any worker adds them up (multiprocess mode).

Read from the database at scrape time, so every node shows the one service's state whichever one is asked:
the outbox's depth and the age of its oldest undelivered record per inbox, dead letters, notifications
pending, and sessions active where sessions are kept server-side.

Exposed at ``/metrics`` only with ``Authorization: Bearer <PORTAL_METRICS_TOKEN>``; without that setting the
path does not exist (404)."""

from __future__ import annotations

import hmac
import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from portal.db import utcnow

REQUESTS = Counter(
    "portal_http_requests_total", "HTTP requests by route, method and status", ["route", "method", "status"]
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by route",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PROVIDER_LATENCY = Histogram(
    "portal_provider_call_duration_seconds",
    "A provider call, retries included, by provider",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
)
PROVIDER_FAILURES = Counter(
    "portal_provider_call_failures_total", "Provider calls that failed, by reason", ["provider", "reason"]
)
# 0 closed, 1 open (calls refused), 2 half-open; the highest among live processes.
BREAKER = Gauge(
    "portal_provider_circuit_state",
    "Circuit breaker per provider: 0 closed, 1 open, 2 half-open",
    ["provider"],
    multiprocess_mode="livemax",
)
BREAKER_STATES = {"closed": 0, "open": 1, "half_open": 2}


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


def observe_provider_call(provider: str, seconds: float, reason: str | None, breaker_state: str) -> None:
    PROVIDER_LATENCY.labels(provider).observe(seconds)
    if reason:
        PROVIDER_FAILURES.labels(provider, reason).inc()
    BREAKER.labels(provider).set(BREAKER_STATES.get(breaker_state, 0))


class DatabaseCollector:
    """The service's queues, read when scraped (cheap aggregate queries on indexed columns)."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        # Imported when scraped: every layer counts through this module (providers, delivery), and it must
        # not load the case's and delivery's tables into theirs.
        from datetime import UTC

        from sqlalchemy import func, inspect, select

        from portal.case.models import Notification
        from portal.case.states import NotificationStatus
        from portal.db import utcnow
        from portal.delivery.models import Delivery
        from portal.delivery.states import OPEN, DeliveryStatus
        from portal.extensions import db

        depth = GaugeMetricFamily("portal_outbox_depth", "Records not yet delivered, per inbox", labels=["inbox"])
        age = GaugeMetricFamily(
            "portal_outbox_oldest_age_seconds", "Age of the oldest undelivered record, per inbox", labels=["inbox"]
        )
        dead = GaugeMetricFamily(
            "portal_dead_letters", "Dead letters waiting for an administrator, per inbox", labels=["inbox"]
        )
        pending = GaugeMetricFamily("portal_notifications_pending", "Notifications not yet sent")
        with self.app.app_context():
            try:
                now = utcnow()  # the records' times come from portal.clock too
                rows = db.session.execute(
                    select(Delivery.inbox_id, Delivery.status, func.count(), func.min(Delivery.created_at))
                    .where(Delivery.status.in_((*OPEN, DeliveryStatus.DEAD)))
                    .group_by(Delivery.inbox_id, Delivery.status)
                ).all()
                open_: dict[str, list] = {}
                for inbox, status, count, oldest in rows:
                    if status == DeliveryStatus.DEAD:
                        dead.add_metric([inbox], count)
                        continue
                    entry = open_.setdefault(inbox, [0, oldest])
                    entry[0] += count
                    entry[1] = min(entry[1], oldest)
                for inbox, (count, oldest) in sorted(open_.items()):
                    depth.add_metric([inbox], count)
                    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
                    age.add_metric([inbox], max(0.0, (now - oldest).total_seconds()))
                pending.add_metric(
                    [],
                    db.session.scalar(
                        select(func.count())
                        .select_from(Notification)
                        .where(Notification.status == NotificationStatus.PENDING)
                    )
                    or 0,
                )
                yield from (depth, age, dead, pending)
                yield from _sessions(db, inspect)
            finally:
                db.session.remove()


def _sessions(db, inspect):
    """Sessions active, where the portal keeps them server-side (``web_session``, issue 12: a row per session
    with its expiry); with signed-cookie sessions no server can count them, and the series is absent."""
    if not inspect(db.engine).has_table("web_session"):
        return
    family = GaugeMetricFamily("portal_sessions_active", "Sessions not ended and not expired")
    family.add_metric(
        [], db.session.scalar(text("SELECT count(*) FROM web_session WHERE expires_at > :now"), {"now": utcnow()})
    )
    yield family


def registry_for(app) -> CollectorRegistry:
    """What a scrape shows: in multiprocess mode every worker's counters added up, else this process's own."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only in multiprocess mode (its directory is set by then)

        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return registry


def exposition(app) -> bytes:
    registry = registry_for(app)
    extra = CollectorRegistry()
    extra.register(DatabaseCollector(app))
    return generate_latest(registry) + generate_latest(extra)


def authorised(header: str | None) -> bool:
    token = os.environ.get("PORTAL_METRICS_TOKEN", "")
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
