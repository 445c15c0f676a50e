"""The fetch core without HTTP: breakers, retries and ordering, with a stand-in provider."""

from datetime import date

import pytest

from portal.providers import fetch
from portal.providers.base import ProviderError
from portal.providers.fetch import Breakers, CallSpec, FetchSettings, fetch_all, fetch_one
from portal.providers.items import Period

PERIOD = Period(date(2026, 12, 1))
SETTINGS = FetchSettings(base_url="http://unused", token="t", deadline_seconds=1.0)


class Scripted:
    """Answers from a script: each call takes the next outcome (an exception or a list)."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = 0

    def fetch(self, client, personnummer, info_set, period, timeout=None):
        self.calls += 1
        outcome = self.script.pop(0) if self.script else []
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def scripted(monkeypatch):
    providers = {}
    monkeypatch.setattr(fetch, "provider_named", lambda name: providers[name])
    return providers


SPEC = CallSpec(key=1, provider="p", info_set="s", personnummer="199006022397")


def test_transient_failures_are_retried_then_reported(scripted):
    scripted["p"] = Scripted(ProviderError("p", "unavailable"), ProviderError("p", "unavailable"), ["item"])
    outcome = fetch_one(SPEC, PERIOD, SETTINGS, Breakers(5, 30))
    assert outcome.ok and outcome.items == ["item"] and outcome.attempts == 3
    scripted["p"] = Scripted(*[ProviderError("p", "error")] * 5)
    outcome = fetch_one(SPEC, PERIOD, SETTINGS, Breakers(5, 30))
    assert (outcome.reason, outcome.attempts) == ("error", 3)


def test_a_drifted_answer_is_not_retried(scripted):
    scripted["p"] = Scripted(ProviderError("p", "unexpected_format"), ["never"])
    outcome = fetch_one(SPEC, PERIOD, SETTINGS, Breakers(5, 30))
    assert (outcome.reason, outcome.attempts, scripted["p"].calls) == ("unexpected_format", 1, 1)


def test_the_breaker_opens_after_repeated_malfunction_and_spares_the_provider(scripted):
    breakers = Breakers(fail_max=3, reset_seconds=30)
    scripted["p"] = Scripted(*[ProviderError("p", "unreachable")] * 10)
    fetch_one(SPEC, PERIOD, SETTINGS, breakers)  # three failed attempts open it
    calls = scripted["p"].calls
    outcome = fetch_one(SPEC, PERIOD, SETTINGS, breakers)
    assert outcome.reason == "circuit_open" and scripted["p"].calls == calls


def test_not_found_and_drift_do_not_open_the_breaker(scripted):
    breakers = Breakers(fail_max=2, reset_seconds=30)
    scripted["p"] = Scripted(*[ProviderError("p", "unexpected_format")] * 5, ["ok"])
    for _ in range(5):
        fetch_one(SPEC, PERIOD, SETTINGS, breakers)
    assert fetch_one(SPEC, PERIOD, SETTINGS, breakers).ok


def test_slowest_providers_start_first_and_the_estimate_follows_answers(scripted):
    breakers = Breakers(5, 30)
    breakers.observe("slow", 1500)
    breakers.observe("fast", 100)
    specs = [
        CallSpec(key=i, provider=name, info_set="s", personnummer="x")
        for i, name in enumerate(["fast", "fast", "slow", "unknown"])
    ]
    assert [s.provider for s in fetch.slowest_first(specs, breakers)] == ["slow", "fast", "fast", "unknown"]
    scripted["slow"], scripted["fast"], scripted["unknown"] = Scripted(), Scripted(), Scripted()
    assert len(fetch_all(specs, PERIOD, SETTINGS, breakers)) == 4
    assert breakers.expected_ms("slow") < 1500  # it answered fast this time: the estimate moved
