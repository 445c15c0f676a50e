"""The parallel fetch: every (member, provider set) call at once, each with its own deadline,
bounded retries with backoff for transient failures, and a circuit breaker per provider.

This module knows nothing of the database: it takes call specifications and reports each
outcome to a callback as soon as it is known, so results can be shown as they arrive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import httpx
from circuitbreaker import CircuitBreaker, CircuitBreakerError
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from portal.ops import metrics
from portal.ops.logs import HEADER as REQUEST_ID_HEADER
from portal.ops.logs import current_request_id
from portal.providers.base import TRANSIENT, ProviderClient, ProviderError
from portal.providers.registry import provider as provider_named

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallSpec:
    key: object  # the caller's handle for this call (e.g. a FetchCall id)
    provider: str
    info_set: str
    personnummer: str


@dataclass
class Outcome:
    key: object
    provider: str
    info_set: str
    items: list = field(default_factory=list)
    reason: str | None = None  # None: fetched (possibly nothing); else why not
    attempts: int = 0
    started: float = 0.0  # time.monotonic() when the call began
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass
class FetchSettings:
    base_url: str
    token: str
    deadline_seconds: float = 3.0  # per call, retries included
    max_attempts: int = 3
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0


def _is_malfunction(exc_type, exc: BaseException) -> bool:
    """Only a provider that does not answer properly counts against it; "nothing found" or a
    drifted payload does not mean it is down."""
    return isinstance(exc, ProviderError) and exc.reason in TRANSIENT


class Breakers:
    """Per provider: a circuit breaker, so a provider that is down is not hammered, and how
    long it usually takes to answer. The breaker keeps no lock around the call itself (unlike
    pybreaker), so calls stay parallel."""

    def __init__(self, fail_max: int, reset_seconds: float):
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._latency_ms: dict[str, float] = {}
        self.fail_max = fail_max
        self.reset_seconds = reset_seconds

    def observe(self, provider: str, elapsed_ms: float) -> None:
        with self._lock:
            previous = self._latency_ms.get(provider)
            self._latency_ms[provider] = elapsed_ms if previous is None else 0.7 * previous + 0.3 * elapsed_ms

    def expected_ms(self, provider: str) -> float:
        return self._latency_ms.get(provider, 0.0)

    def __call__(self, provider: str) -> CircuitBreaker:
        with self._lock:
            if provider not in self._breakers:
                self._breakers[provider] = CircuitBreaker(
                    failure_threshold=self.fail_max,
                    recovery_timeout=self.reset_seconds,
                    expected_exception=_is_malfunction,
                    name=provider,
                )
            return self._breakers[provider]


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.reason in TRANSIENT


def fetch_one(
    spec: CallSpec, period, settings: FetchSettings, breakers: Breakers, http: httpx.Client | None = None
) -> Outcome:
    provider = provider_named(spec.provider)
    client = ProviderClient(spec.provider, settings.base_url, settings.token, settings.deadline_seconds, http)
    breaker = breakers(spec.provider)
    started = time.monotonic()
    deadline = started + settings.deadline_seconds
    outcome = Outcome(spec.key, spec.provider, spec.info_set, started=started)

    def attempt():
        outcome.attempts += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0.01:
            raise ProviderError(spec.provider, "timeout")
        if breaker.opened:
            raise CircuitBreakerError(breaker)
        return breaker.call(provider.fetch, client, spec.personnummer, spec.info_set, period, timeout=remaining)

    retrying = Retrying(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(settings.max_attempts) | stop_after_delay(settings.deadline_seconds),
        wait=wait_exponential_jitter(multiplier=0.05, max=0.5, jitter=0.05),
        reraise=True,
    )
    try:
        outcome.items = retrying(attempt)
    except CircuitBreakerError:
        outcome.reason = "circuit_open"
    except ProviderError as exc:
        outcome.reason = exc.reason
    except RetryError:
        outcome.reason = "timeout"
    outcome.elapsed_ms = (time.monotonic() - started) * 1000
    metrics.observe_provider_call(spec.provider, outcome.elapsed_ms / 1000, outcome.reason, breaker.state)
    if outcome.ok:
        breakers.observe(spec.provider, outcome.elapsed_ms)
    if outcome.reason:
        log.warning(
            "fetch failed provider=%s set=%s reason=%s attempts=%s",
            spec.provider,
            spec.info_set,
            outcome.reason,
            outcome.attempts,
        )
    return outcome


def slowest_first(specs: list[CallSpec], breakers: Breakers) -> list[CallSpec]:
    return sorted(specs, key=lambda spec: -breakers.expected_ms(spec.provider))


def fetch_all(
    specs: list[CallSpec],
    period,
    settings: FetchSettings,
    breakers: Breakers,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run every call at once; report each outcome as it arrives; return them all."""
    if not specs:
        return []
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def run(spec: CallSpec) -> None:
        outcome = fetch_one(spec, period, settings, breakers, http)
        if on_outcome is not None:
            on_outcome(outcome)
        with lock:
            outcomes.append(outcome)

    # One thread per call: the calls wait on the network, and all must start at once for the
    # whole fetch to take as long as the slowest provider.
    # Slowest providers first: starting many calls takes a moment of CPU, and that moment must
    # not be spent before the call that decides when the whole fetch ends.
    specs = slowest_first(specs, breakers)
    limits = httpx.Limits(max_connections=len(specs), max_keepalive_connections=len(specs))
    request_id = current_request_id()  # the request that asked for the fetch, for the providers' logs
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    with (
        httpx.Client(limits=limits, headers=headers) as http,
        ThreadPoolExecutor(max_workers=min(256, len(specs)), thread_name_prefix="fetch") as pool,
    ):
        done, _ = wait([pool.submit(run, spec) for spec in specs])
    for future in done:
        if future.exception() is not None:
            log.error("fetch call crashed: %s", type(future.exception()).__name__)
    return outcomes
