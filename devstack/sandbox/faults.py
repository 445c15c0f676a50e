"""Fault injection: rules that make a provider slow, down, wrong or flaky for chosen persons.

A rule set is ``{"rules": [rule, ...]}`` (a bare list is accepted too). A rule::

    {"id": "sv-down",                 # optional; defaults to "r1", "r2", ... by position
     "provider": "skatteverket",      # provider name or "*" (default "*")
     "set": "folkbokforing",          # information set or "*" (default "*")
     "person": "single-adult",        # fixture slug or "*" (default "*"; "*" also matches
                                      # numbers that are not in the cast)
     "kind": "status",                # latency | timeout | status | malformed | schema_drift
     "status": 503,                   # kind-specific fields, see KIND_FIELDS
     "first": 2, "every": 3, "after": 1}   # optional: intermittent, see below

Intermittent fields count the calls in the rule's scope, separately per person (so with
``"person": "*"`` every person gets their own "first 2 calls fail"). The n-th call fires when
all given conditions hold: ``first`` n <= first; ``every`` n % every == 0; ``after`` n > after.
Without any of them the rule fires on every call. Counters restart when the rules are replaced
or cleared.

When several rules fire for one call: every firing ``latency`` adds its delay; then the first
firing ``timeout``/``status``/``malformed`` (in list order) decides the answer; otherwise every
firing ``schema_drift`` is applied in order to the successful payload.

Thread-safe: one lock guards rules and counters; sleeping happens outside it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("latency", "timeout", "status", "malformed", "schema_drift")
TERMINAL_KINDS = ("timeout", "status", "malformed")
COMMON_FIELDS = {"id", "provider", "set", "person", "kind", "first", "every", "after", "note"}
#: kind -> (required fields, optional fields)
KIND_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "latency": ({"ms"}, set()),
    "timeout": (set(), {"seconds"}),
    "status": ({"status"}, {"body", "retry_after"}),
    "malformed": (set(), {"status", "body", "content_type"}),
    "schema_drift": (set(), {"rename", "remove", "replace"}),
}


class FaultRuleError(ValueError):
    """The rule set is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FaultRule:
    id: str
    kind: str
    provider: str = "*"
    set: str = "*"
    person: str = "*"
    first: int | None = None
    every: int | None = None
    after: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def in_scope(self, provider: str, information_set: str, slug: str | None) -> bool:
        return (
            self.provider in ("*", provider)
            and self.set in ("*", information_set)
            and (self.person == "*" or self.person == slug)
        )

    def fires_on(self, n: int) -> bool:
        if self.first is not None and n > self.first:
            return False
        if self.every is not None and n % self.every != 0:
            return False
        return not (self.after is not None and n <= self.after)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "provider": self.provider,
            "set": self.set,
            "person": self.person,
            "kind": self.kind,
        }
        for name in ("first", "every", "after"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        data.update(self.params)
        return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_params(kind: str, params: dict[str, Any], where: str) -> list[str]:
    problems = []
    if kind == "latency" and not (_is_number(params["ms"]) and params["ms"] >= 0):
        problems.append(f"{where}: ms must be a number >= 0")
    if kind == "timeout" and "seconds" in params and not (_is_number(params["seconds"]) and params["seconds"] >= 0):
        problems.append(f"{where}: seconds must be a number >= 0")
    if (
        kind in ("status", "malformed")
        and "status" in params
        and not (_is_int(params["status"]) and 100 <= params["status"] <= 599)
    ):
        problems.append(f"{where}: status must be an HTTP status code")
    if (
        kind == "status"
        and "retry_after" in params
        and not (_is_int(params["retry_after"]) and params["retry_after"] >= 0)
    ):
        problems.append(f"{where}: retry_after must be an integer >= 0")
    if kind == "malformed":
        for name in ("body", "content_type"):
            if name in params and not isinstance(params[name], str):
                problems.append(f"{where}: {name} must be a string")
    if kind == "schema_drift":
        if "rename" in params and not (
            isinstance(params["rename"], dict) and all(isinstance(v, str) and v for v in params["rename"].values())
        ):
            problems.append(f"{where}: rename must map paths to new key names")
        if "remove" in params and not (
            isinstance(params["remove"], list) and all(isinstance(p, str) and p for p in params["remove"])
        ):
            problems.append(f"{where}: remove must be a list of paths")
        if "replace" in params and not isinstance(params["replace"], dict):
            problems.append(f"{where}: replace must map paths to values")
    return problems


def parse_rules(  # noqa: C901 - the fault grammar's cases side by side, as the docstring lists them
    data: Any, *, providers: dict[str, Iterable[str]] | None = None, persons: Iterable[str] | None = None
) -> list[FaultRule]:
    """Validate and build rules. ``providers`` maps provider name -> its information sets and
    ``persons`` lists the known slugs; when given, names outside them are rejected (a typo
    would otherwise silently inject nothing)."""
    if data is None:
        return []
    if isinstance(data, dict):
        if set(data) - {"rules"}:
            raise FaultRuleError(['the rule set must be {"rules": [...]}'])
        data = data.get("rules", [])
    if not isinstance(data, list):
        raise FaultRuleError(["rules must be a list"])
    known_persons = set(persons) if persons is not None else None
    rules: list[FaultRule] = []
    problems: list[str] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(data, start=1):
        where = f"rule {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be an object")
            continue
        kind = raw.get("kind")
        if kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
            continue
        required, optional = KIND_FIELDS[kind]
        unknown = set(raw) - COMMON_FIELDS - required - optional
        if unknown:
            problems.append(f"{where}: unknown fields {', '.join(sorted(unknown))}")
        missing = required - set(raw)
        if missing:
            problems.append(f"{where}: missing {', '.join(sorted(missing))}")
            continue
        rule_id = raw.get("id", f"r{index}")
        if not isinstance(rule_id, str) or not rule_id or rule_id in seen_ids:
            problems.append(f"{where}: id must be a unique non-empty string")
        seen_ids.add(str(rule_id))
        provider, info_set, person = (raw.get(k, "*") for k in ("provider", "set", "person"))
        for name, value in (("provider", provider), ("set", info_set), ("person", person)):
            if not isinstance(value, str) or not value:
                problems.append(f"{where}: {name} must be a non-empty string")
        if providers is not None and provider != "*":
            if provider not in providers:
                problems.append(f"{where}: unknown provider {provider!r}")
            elif info_set != "*" and info_set not in set(providers[provider]):
                problems.append(f"{where}: {provider} has no information set {info_set!r}")
        if known_persons is not None and person != "*" and person not in known_persons:
            problems.append(f"{where}: unknown person slug {person!r}")
        for name in ("first", "every", "after"):
            value = raw.get(name)
            lowest = 0 if name == "after" else 1
            if value is not None and not (_is_int(value) and value >= lowest):
                problems.append(f"{where}: {name} must be an integer >= {lowest}")
        params = {k: v for k, v in raw.items() if k in required | optional}
        problems.extend(_check_params(kind, params, where))
        rules.append(
            FaultRule(
                id=str(rule_id),
                kind=kind,
                provider=str(provider),
                set=str(info_set),
                person=str(person),
                first=raw.get("first"),
                every=raw.get("every"),
                after=raw.get("after"),
                params=params,
            )
        )
    if problems:
        raise FaultRuleError(problems)
    return rules


@dataclass
class FaultPlan:
    """What to do with one call, decided under the lock and carried out outside it."""

    delay_ms: float = 0
    terminal: FaultRule | None = None
    drifts: list[FaultRule] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    #: set when the rules are replaced or cleared, to end held timeouts and delays early
    release: threading.Event = field(default_factory=threading.Event, repr=False)

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when released early."""
        return self.release.wait(seconds) if seconds > 0 else False

    def sleep_latency(self) -> None:
        self.wait(self.delay_ms / 1000)


class FaultBook:
    """The current rules and their counters."""

    def __init__(self, rules: Iterable[FaultRule] = ()):
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = list(rules)
        self._calls: dict[tuple[str, str], int] = {}  # (rule id, slug or "?") -> calls
        self._fired: dict[str, int] = {}  # rule id -> times fired
        self._release = threading.Event()

    def replace(self, rules: Iterable[FaultRule]) -> None:
        """Install new rules, reset counters and release every held timeout."""
        with self._lock:
            self._rules = list(rules)
            self._calls.clear()
            self._fired.clear()
            release, self._release = self._release, threading.Event()
        release.set()

    def clear(self) -> None:
        self.replace([])

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            rules = []
            for rule in self._rules:
                data = rule.to_dict()
                data["calls"] = sum(n for (rid, _), n in self._calls.items() if rid == rule.id)
                data["fired"] = self._fired.get(rule.id, 0)
                rules.append(data)
            return {"rules": rules}

    def plan(self, provider: str, information_set: str, slug: str | None) -> FaultPlan:
        plan = FaultPlan()
        with self._lock:
            for rule in self._rules:
                if not rule.in_scope(provider, information_set, slug):
                    continue
                key = (rule.id, slug or "?")
                n = self._calls[key] = self._calls.get(key, 0) + 1
                if not rule.fires_on(n):
                    continue
                if rule.kind == "latency":
                    plan.delay_ms += rule.params["ms"]
                elif plan.terminal is not None:
                    continue  # shadowed by an earlier terminal rule: not counted as fired
                elif rule.kind == "schema_drift":
                    plan.drifts.append(rule)
                else:
                    plan.terminal = rule
                self._fired[rule.id] = self._fired.get(rule.id, 0) + 1
                plan.fired.append(rule.id)
            if plan.terminal is not None:
                # drifts collected before the terminal rule never reach the client
                for rule in plan.drifts:
                    self._fired[rule.id] -= 1
                    plan.fired.remove(rule.id)
                plan.drifts = []
            plan.release = self._release
        return plan


# -- schema drift -----------------------------------------------------------------------------


def _parents(node: Any, parts: list[str]) -> list[Any]:
    """All containers reached by walking ``parts``; lists are walked element by element."""
    nodes = [node]
    for part in parts:
        next_nodes = []
        for item in nodes:
            items = item if isinstance(item, list) else [item]
            for element in items:
                if isinstance(element, dict) and part in element:
                    next_nodes.append(element[part])
        nodes = next_nodes
    out = []
    for item in nodes:
        out.extend(item if isinstance(item, list) else [item])
    return [n for n in out if isinstance(n, dict)]


def apply_drift(payload: Any, params: dict[str, Any]) -> Any:
    """Rename, remove and replace fields by dotted path (``Namn.Fornamn``; a path through a
    list applies to every element: ``Hushall.Relation``). Mutates and returns ``payload``."""
    for path, new_name in (params.get("rename") or {}).items():
        *head, last = path.split(".")
        for parent in _parents(payload, head):
            if last in parent:
                parent[new_name] = parent.pop(last)
    for path in params.get("remove") or []:
        *head, last = path.split(".")
        for parent in _parents(payload, head):
            parent.pop(last, None)
    for path, value in (params.get("replace") or {}).items():
        *head, last = path.split(".")
        for parent in _parents(payload, head):
            parent[last] = value
    return payload
