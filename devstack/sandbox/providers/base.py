"""What every sandbox provider shares: subject parsing from the JSON body, fault handling,
fixture lookup (``providers.<provider>.<set>`` in the person's file) and provider-style errors.

A provider module builds one :class:`Provider` and declares its information sets with
:meth:`Provider.information_set`; each becomes a POST route on the provider's blueprint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from stdnum.se import personnummer as stdnum_personnummer

from ..dates import as_of_today
from ..faults import FaultPlan, apply_drift
from ..persons import Person
from ..state import current_sandbox

_TWELVE_DIGITS = re.compile(r"\d{12}")

#: status -> (short code, text) used when a provider gives no code of its own
GENERIC_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "The request is malformed."),
    401: ("UNAUTHORIZED", "A valid bearer token is required."),
    404: ("NOT_FOUND", "Nothing was found."),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed."),
    429: ("TOO_MANY_REQUESTS", "Too many requests."),
    500: ("INTERNAL_ERROR", "Internal error."),
    502: ("BAD_GATEWAY", "Bad gateway."),
    503: ("UNAVAILABLE", "The service is unavailable."),
    504: ("TIMEOUT", "The request timed out."),
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, headers=headers, mimetype="application/json"
    )


def valid_personnummer(value: Any) -> bool:
    return (
        isinstance(value, str) and _TWELVE_DIGITS.fullmatch(value) is not None and stdnum_personnummer.is_valid(value)
    )


@dataclass(frozen=True)
class InformationSet:
    name: str
    #: applied by a ``schema_drift`` rule that names no changes of its own
    default_drift: dict[str, Any] = field(default_factory=dict)
    #: answer when the person is in the cast but the provider has nothing; None means 404
    nothing: Callable[[], Response] | None = None


class Provider:
    def __init__(
        self,
        name: str,
        *,
        url_prefix: str,
        subject_field: str,
        errors: dict[int, tuple[str, str]],
        error_body: Callable[[str, str], Any],
    ):
        self.name = name
        self.subject_field = subject_field
        self.errors = errors
        self.error_body = error_body
        self.information_sets: dict[str, InformationSet] = {}
        self.blueprint = Blueprint(f"sandbox_{name}", __name__, url_prefix=url_prefix)

    def error(self, status: int, text: str | None = None, headers: dict[str, str] | None = None) -> Response:
        code, default_text = self.errors.get(status) or GENERIC_ERRORS.get(status, ("ERROR", "Error."))
        return json_response(self.error_body(code, text or default_text), status, headers)

    def information_set(
        self, name: str, rule: str, *, default_drift: dict | None = None, nothing: Callable[[], Response] | None = None
    ) -> InformationSet:
        info = InformationSet(name, default_drift or {}, nothing)
        self.information_sets[name] = info
        self.blueprint.add_url_rule(rule, endpoint=name, methods=["POST"], view_func=lambda: self.lookup(info))
        return info

    def empty(self, **fields: Any) -> Callable[[], Response]:
        """An answer for someone in the cast the provider has nothing about: the subject the request named,
        beside the set's own empty ``fields``."""

        def answer() -> Response:
            body = request.get_json(silent=True) or {}
            return json_response({self.subject_field: body.get(self.subject_field), **fields})

        return answer

    def read_subject(self) -> str | None:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        value = body.get(self.subject_field)
        return value if valid_personnummer(value) else None

    def lookup(self, info: InformationSet) -> Response:
        state = current_sandbox()
        subject = self.read_subject()
        if subject is None:
            return self.error(400)
        person = state.persons.by_personnummer(subject)
        g.sandbox_person = person.slug if person else None
        state.calls.record(self.name, info.name, g.sandbox_person)
        plan = state.faults.plan(self.name, info.name, g.sandbox_person)
        g.sandbox_faults = plan.fired
        plan.sleep_latency()
        if plan.terminal is not None:
            return self.fault_response(plan, person, info)
        payload = as_of_today(person.dataset(self.name, info.name)) if person else None
        if payload is None:
            if person is not None and info.nothing is not None:
                return info.nothing()
            return self.error(404)
        for rule in plan.drifts:
            payload = apply_drift(payload, rule.params or info.default_drift)
        return json_response(payload)

    def fault_response(self, plan: FaultPlan, person: Person | None, info: InformationSet) -> Response:
        rule = plan.terminal
        assert rule is not None
        params = rule.params
        if rule.kind == "timeout":
            plan.wait(params.get("seconds", current_sandbox().timeout_seconds))
            return self.error(504)
        if rule.kind == "status":
            headers = {"Retry-After": str(params["retry_after"])} if "retry_after" in params else None
            if "body" in params:
                return json_response(params["body"], params["status"], headers)
            return self.error(params["status"], headers=headers)
        # malformed: by default the answer the client would have had, cut in half
        body = params.get("body")
        if body is None:
            payload = as_of_today(person.dataset(self.name, info.name)) if person else None
            if payload is None:
                payload = self.error_body(*self.errors.get(404, GENERIC_ERRORS[404]))
            text = json.dumps(payload, ensure_ascii=False)
            body = text[: max(1, len(text) // 2)]
        return current_app.response_class(
            body,
            status=params.get("status", 200),
            content_type=params.get("content_type", "application/json; charset=utf-8"),
        )


def pending_provider(
    agency: Provider, name: str, *, url_prefix: str, rule: str, lists: tuple[str, str], rename: dict[str, str]
) -> Provider:
    """An agency's applications being decided and payments decided for the coming months (issue 22, point 5):
    a provider of its own beside the agency's, asked with the agency's subject field and answering its errors,
    with one set ``arenden``. Someone in the cast with nothing there gets the two ``lists`` empty."""
    provider = Provider(
        name,
        url_prefix=url_prefix,
        subject_field=agency.subject_field,
        errors=agency.errors,
        error_body=agency.error_body,
    )
    provider.information_set(
        "arenden", rule, nothing=provider.empty(**dict.fromkeys(lists, [])), default_drift={"rename": rename}
    )
    return provider
