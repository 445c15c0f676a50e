"""The calculation lines of a case: proposed when the application is sent (frozen in its exchange
document), judged line by line by the municipality (in the inbox or over the API), carried by the decision.

One set of operations for the inbox and the API, like ``portal.case.services``: each judgement is
checked against the case's state, audited with actor and subject, and committed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from portal.application.models import Application
from portal.application.states import REGISTERED
from portal.audit.services import record
from portal.calculation import lines as calc
from portal.calculation.models import ACCEPT, ACTIONS, CHANGE, LineChange
from portal.case.services import CaseError
from portal.extensions import db

MAX_ORE = 10_000_000_00  # ten million kronor: far above any month's line, below an int32


# --- the case's lines -------------------------------------------------------------------------------


@dataclass
class CaseLine:
    line: dict  # as proposed in the document
    amount_ore: int
    status: str  # proposed | accepted | changed
    changes: list[LineChange] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.line["id"]

    @property
    def group(self) -> str:
        return self.line["group"]

    @property
    def proposed_ore(self) -> int:
        return self.line["amountOre"]

    @property
    def last(self) -> LineChange | None:
        return self.changes[-1] if self.changes else None

    @property
    def reason(self) -> str | None:
        """Why the amount differs from the proposal (the latest change's reason)."""
        changed = [c for c in self.changes if c.action == CHANGE]
        return changed[-1].reason if changed and self.amount_ore != self.proposed_ore else None


@dataclass
class Sheet:
    available: bool
    lines: list[CaseLine]
    year: int | None = None

    @property
    def need_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines if line.group in (calc.NORM, calc.COST))

    @property
    def income_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines if line.group == calc.INCOME)

    @property
    def result_ore(self) -> int:
        return self.need_ore - self.income_ore

    @property
    def proposed_result_ore(self) -> int:
        return calc.need([c.line for c in self.lines]) - calc.income([c.line for c in self.lines])

    def line(self, line_id: str) -> CaseLine | None:
        return next((line for line in self.lines if line.id == line_id), None)


def proposed(application: Application) -> dict | None:
    """The document's ``calculationLines`` as sent, or None (not sent, or sent before schema 1.2.0)."""
    # portal.submission sits above this layer (ignore_imports in pyproject.toml)
    from portal.submission.services import frozen_document

    frozen = frozen_document(application)
    if frozen is None:
        return None
    return _lines_of(json.loads(frozen.body))


def _lines_of(document: dict) -> dict | None:
    part = document.get("calculationLines")
    return part if isinstance(part, dict) else None


def changes(application: Application) -> list[LineChange]:
    return list(
        db.session.scalars(
            select(LineChange)
            .where(LineChange.application_id == application.id)
            .order_by(LineChange.changed_at, LineChange.id)
        )
    )


def sheet(application: Application, document: dict | None = None) -> Sheet | None:
    """The lines as they stand: each proposed line with its latest judgement. None without proposed lines.
    ``document``: the application's frozen document already parsed, where the caller has it (the caseworker's
    view), so it is not read and parsed again."""
    part = proposed(application) if document is None else _lines_of(document)
    if part is None:
        return None
    by_line: dict[str, list[LineChange]] = {}
    for change in changes(application):
        by_line.setdefault(change.line_id, []).append(change)
    result = []
    for line in part.get("lines") or []:
        history = by_line.get(line["id"], [])
        if history:
            last = history[-1]
            status = "changed" if last.amount_ore != line["amountOre"] else "accepted"
            amount = last.amount_ore
        else:
            status, amount = "proposed", line["amountOre"]
        result.append(CaseLine(line, amount, status, history))
    return Sheet(bool(part.get("available")), result, part.get("year"))


def judge(
    application: Application,
    line_id: str,
    action: str,
    by: str,
    *,
    source: str = "municipality",
    amount_ore: int | None = None,
    reason: str | None = None,
    idempotency_key: str | None = None,
    request_sha256: str | None = None,
) -> LineChange:
    """Accept a line as it stands, or change it to ``amount_ore`` with a ``reason`` (CaseError otherwise)."""
    if application.status not in REGISTERED:  # after the decision the lines are the decision's
        raise CaseError("wrong_state")
    if action not in ACTIONS:
        raise CaseError("unknown_action")
    current = sheet(application)
    line = current.line(line_id) if current is not None else None
    if line is None:
        raise CaseError("unknown_line")
    reason = (reason or "").strip() or None
    if action == CHANGE:
        if amount_ore is None or not 0 <= amount_ore <= MAX_ORE:
            raise CaseError("amount_missing")
        if reason is None:
            raise CaseError("reason_missing")
    else:
        amount_ore = line.amount_ore
    change = LineChange(
        application_id=application.id,
        line_id=line_id,
        action=action,
        amount_ore=amount_ore,
        previous_ore=line.amount_ore,
        reason=reason,
        changed_by=by,
        source=source,
        idempotency_key=idempotency_key,
        request_sha256=request_sha256,
    )
    db.session.add(change)
    record(
        "change",
        "application",
        application.id,
        f"calculation line {action}: {line_id}",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return change


def earlier(application: Application, key: str) -> LineChange | None:
    return db.session.scalar(
        select(LineChange).where(LineChange.application_id == application.id, LineChange.idempotency_key == key)
    )


# --- what the decision carries and how it is shown -----------------------------------------------------


def _utc(value: datetime | None) -> str | None:
    # portal.api sits above this layer (ignore_imports in pyproject.toml)
    from portal.api.representation import utc

    return utc(value)


def case_line(line: CaseLine) -> dict:
    """A line as the decision, its event and the API carry it."""
    last = line.last
    return {
        "id": line.id,
        "group": line.group,
        "code": line.line["code"],
        "params": line.line.get("params") or {},
        "memberIds": line.line.get("memberIds") or [],
        "text": line.line.get("text"),
        "proposedOre": line.proposed_ore,
        "amountOre": line.amount_ore,
        "status": line.status,
        "reason": line.reason,
        "judgedBy": last.changed_by if last else None,
        "judgedAt": _utc(last.changed_at) if last else None,
    }


def final(application: Application) -> list[dict] | None:
    """The lines as they stand, for the decision (None when the application has no proposed lines)."""
    current = sheet(application)
    return None if current is None else [case_line(line) for line in current.lines]


def history(line: CaseLine) -> list[dict]:
    return [
        {
            "action": c.action,
            "previousOre": c.previous_ore,
            "amountOre": c.amount_ore,
            "reason": c.reason,
            "by": c.changed_by,
            "source": c.source,
            "at": _utc(c.changed_at),
        }
        for c in line.changes
    ]


def totals(lines: list[dict]) -> dict:
    need = sum(line["amountOre"] for line in lines if line["group"] in (calc.NORM, calc.COST))
    income = sum(line["amountOre"] for line in lines if line["group"] == calc.INCOME)
    return {"needOre": need, "incomeOre": income, "resultOre": need - income}


__all__ = [
    "ACCEPT",
    "CHANGE",
    "CaseLine",
    "Sheet",
    "case_line",
    "final",
    "history",
    "judge",
    "proposed",
    "sheet",
    "totals",
]
