"""``/_control``: read and change the fault rules (and the call log) while the sandbox runs.

Same bearer token as the provider routes. POST replaces the whole rule set and restarts the
counters; DELETE clears it. Both release requests held by a ``timeout`` fault.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from .faults import FaultRuleError, parse_rules
from .providers import provider_sets
from .providers.base import json_response
from .state import current_sandbox

bp = Blueprint("sandbox_control", __name__, url_prefix="/_control")


@bp.get("/faults")
def read_faults() -> Response:
    return json_response(current_sandbox().faults.snapshot())


@bp.post("/faults")
def set_faults() -> Response:
    state = current_sandbox()
    body = request.get_json(silent=True)
    if body is None:
        return json_response({"error": "bad_request", "problems": ['send the rules as JSON: {"rules": [...]}']}, 400)
    try:
        rules = parse_rules(body, providers=provider_sets(), persons=state.persons.slugs)
    except FaultRuleError as exc:
        return json_response({"error": "bad_request", "problems": exc.problems}, 400)
    state.faults.replace(rules)
    return json_response(state.faults.snapshot())


@bp.delete("/faults")
def clear_faults() -> Response:
    state = current_sandbox()
    state.faults.clear()
    return json_response(state.faults.snapshot())


@bp.get("/calls")
def read_calls() -> Response:
    return json_response({"calls": current_sandbox().calls.snapshot()})


@bp.delete("/calls")
def clear_calls() -> Response:
    state = current_sandbox()
    state.calls.clear()
    return json_response({"calls": state.calls.snapshot()})
