"""The calculation lines through the API (issue 16, point 3), on the API's blueprint and by its conventions:
``applications:read`` reads the lines (audited), ``case:write`` judges one line; refusals are RFC 9457
problems; a judgement takes an ``Idempotency-Key`` (kept with the judgement: the same key and body answer
the first result again, 200 with ``Idempotent-Replayed: true``; the same key with another body 422).

``GET  /applications/{id}/calculation-lines``: every proposed line with its amount now, its status
(proposed, accepted, changed) and its history; need, income and result.
``POST /applications/{id}/calculation-lines/{lineId}``: ``{"action": "accept"}`` or
``{"action": "change", "amountOre": 520000, "reason": "..."}``, with ``judgedBy`` (a person's name,
else the client's name). Only while the case is received or under handling (409 otherwise).
"""

from __future__ import annotations

from flask import abort, g, jsonify

from portal.api import clients
from portal.api.cases import KeyReused, _case_handler, _case_read, _client, _digest, _replay, _write_request
from portal.api.inputs import BadInput, Fields
from portal.api.routes import bp
from portal.application.access import load_application
from portal.auth.access import requires
from portal.calculation import lines as calc
from portal.calculation import services as calculation
from portal.calculation.models import ACCEPT, ACTIONS, CHANGE


def _sheet_line(application, line_id: str) -> calculation.CaseLine:
    """A line the request has already found on the sheet (checked before the judgement)."""
    sheet = calculation.sheet(application)
    line = sheet.line(line_id) if sheet is not None else None
    assert line is not None
    return line


def _line(line: calculation.CaseLine) -> dict:
    return {**calculation.case_line(line), "history": calculation.history(line)}


def _sheet(application) -> dict:
    sheet = calculation.sheet(application)
    if sheet is None:
        return {"proposed": False, "available": False, "lines": []}
    return {
        "proposed": True,
        "available": sheet.available,
        "year": sheet.year,
        "lines": [_line(line) for line in sheet.lines],
        "needOre": sheet.need_ore,
        "incomeOre": sheet.income_ore,
        "resultOre": sheet.result_ore,
        "proposedResultOre": sheet.proposed_result_ore,
    }


@bp.get("/applications/<application_id>/calculation-lines")
@requires("api")
@_case_read("calculation_lines", "municipality system reads the calculation lines")
def list_lines(application) -> dict:
    return _sheet(application)


def _parse(body: dict) -> dict:
    fields = Fields(body)
    action = fields.choice("action", ACTIONS)
    amount = fields.integer("amountOre", 0, calculation.MAX_ORE, required=action == CHANGE)
    reason = fields.text("reason", 2000, required=action == CHANGE)
    judged_by = fields.text("judgedBy", 200, required=False)
    fields.done()
    if action == ACCEPT and amount is not None:
        raise BadInput("/amountOre", "only a change has an amount: accept keeps the line's amount")
    if action == CHANGE and not (reason or "").strip():
        raise BadInput("/reason", "a change needs a reason: the applicant reads it in the decision")
    return {"action": action, "amount_ore": amount, "reason": reason, "by": judged_by}


@bp.post("/applications/<application_id>/calculation-lines/<line_id>")
@requires("api")
@_case_handler(clients.CASE_WRITE)
def judge_line(application_id: str, line_id: str):
    key, body = _write_request()
    args = _parse(body)
    application = load_application(application_id, "api", for_update=True)
    sheet = calculation.sheet(application)
    if not calc.LINE_ID.match(line_id) or sheet is None or sheet.line(line_id) is None:
        abort(404)
    digest = _digest({**body, "lineId": line_id})
    if key is not None and (earlier := calculation.earlier(application, key)) is not None:
        if earlier.request_sha256 != digest:
            raise KeyReused()
        return _replay(
            application,
            f"repeated calculation line {earlier.action} (idempotency key)",
            _line(_sheet_line(application, earlier.line_id)),
        )
    calculation.judge(
        application,
        line_id,
        args["action"],
        args["by"] or _client().name or g.actor.id,
        source="api",
        amount_ore=args["amount_ore"],
        reason=args["reason"],
        idempotency_key=key,
        request_sha256=digest if key is not None else None,
    )
    response = jsonify(_line(_sheet_line(application, line_id)))
    response.status_code = 201
    return response
