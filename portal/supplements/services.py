"""Adding, changing and removing what the applicant states themselves. Only a draft can be
changed; every change touches the application and is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal, overload

from sqlalchemy import select

from portal.application.models import Application
from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db
from portal.providers.items import Period
from portal.supplements.models import Asset, Cost, FreeText, Income
from portal.web.reads import once, reading_once

# The kinds of entry, by the name used in URLs and in ``summary``/``status``.
MonthlyKind = Literal["incomes", "costs"]
Kind = MonthlyKind | Literal["assets"]
MODELS: dict[str, type[Income] | type[Cost] | type[Asset]] = {"incomes": Income, "costs": Cost, "assets": Asset}
# Audit object types.
OBJECT_TYPE = {"incomes": "income", "costs": "cost", "assets": "asset"}
FIELDS = {
    "incomes": ("kind", "description", "amount_ore", "month", "member_id"),
    "costs": ("category", "description", "amount_ore", "month"),
    "assets": ("kind", "description", "value_ore"),
}
Entry = Income | Cost | Asset
# Incomes and costs are per month (``month``, ``amount_ore``); an asset is a value (``value_ore``) without one.
MonthlyEntry = Income | Cost


class NotEditable(Exception):
    """The application has been sent: what it says can no longer be changed."""


def months(application: Application) -> list[date]:
    """The months an income or cost may concern: the 3 before the application month, and it."""
    period = Period(application.period)
    first = period.start
    result = []
    while first <= application.period:
        result.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return result


@overload
def entries(application: Application, kind: Literal["incomes"]) -> list[Income]: ...
@overload
def entries(application: Application, kind: Literal["costs"]) -> list[Cost]: ...
@overload
def entries(application: Application, kind: Literal["assets"]) -> list[Asset]: ...
@overload
def entries(application: Application, kind: MonthlyKind) -> list[Income] | list[Cost]: ...
@overload
def entries(application: Application, kind: str) -> list[Entry]: ...
def entries(application: Application, kind: str) -> Sequence[Entry]:  # a list: typed by the overloads above
    """The entries of one kind, incomes and costs by month then as added, assets as added. Called with
    the kind written out, the list is typed by it (``list[Cost]`` for ``"costs"``)."""
    model = MODELS[kind]
    order = [model.id] if issubclass(model, Asset) else [model.month, model.id]
    return once(
        ("supplement_entries", application.id, kind),
        lambda: list(db.session.scalars(select(model).where(model.application_id == application.id).order_by(*order))),
    )


def entry(application: Application, kind: str, entry_id: int) -> Entry | None:
    """One entry, only if it belongs to this application."""
    found = db.session.get(MODELS[kind], entry_id)
    return found if found is not None and found.application_id == application.id else None


def _editable(application: Application) -> None:
    if not application.is_draft:
        raise NotEditable(application.id)


def _changed(application: Application, kind: str, entry_id: int | None, why: str) -> None:
    application.updated_at = utcnow()
    record("change", kind, str(entry_id) if entry_id is not None else None, why, subject_id=application.applicant_id)


def _check(application: Application, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FIELDS[kind])
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if "month" in values and values["month"] not in months(application):
        raise ValueError("month outside the application's period")
    member_id = values.get("member_id")
    if member_id is not None and member_id not in {m.id for m in application.members}:
        raise ValueError("not a member of the household")
    return dict(values)


def add(application: Application, kind: str, values: Mapping[str, Any]) -> Entry:
    _editable(application)
    created = MODELS[kind](application_id=application.id, **_check(application, kind, values))
    db.session.add(created)
    db.session.flush()
    _changed(application, OBJECT_TYPE[kind], created.id, f"applicant added {OBJECT_TYPE[kind]}")
    db.session.commit()
    return created


def update(application: Application, kind: str, changed: Entry, values: Mapping[str, Any]) -> Entry:
    _editable(application)
    if changed.application_id != application.id:
        raise ValueError("entry of another application")
    for name, value in _check(application, kind, values).items():
        setattr(changed, name, value)
    _changed(application, OBJECT_TYPE[kind], changed.id, f"applicant changed {OBJECT_TYPE[kind]}")
    db.session.commit()
    return changed


def delete(application: Application, kind: str, removed: Entry) -> None:
    _editable(application)
    if removed.application_id != application.id:
        raise ValueError("entry of another application")
    entry_id = removed.id
    db.session.delete(removed)
    _changed(application, OBJECT_TYPE[kind], entry_id, f"applicant removed {OBJECT_TYPE[kind]}")
    db.session.commit()


def free_text(application: Application) -> FreeText | None:
    return once(
        ("free_text", application.id),
        lambda: db.session.scalar(select(FreeText).where(FreeText.application_id == application.id)),
    )


def save_text(application: Application, text: str) -> FreeText | None:
    """Save the applicant's message; an empty text removes it."""
    _editable(application)
    existing = free_text(application)
    if not text:
        if existing is None:
            return None
        db.session.delete(existing)
        _changed(application, "free_text", existing.id, "applicant removed message to municipality")
        db.session.commit()
        return None
    if existing is None:
        existing = FreeText(application_id=application.id, text=text)
        db.session.add(existing)
        db.session.flush()
        why = "applicant wrote message to municipality"
    elif existing.text == text:
        return existing
    else:
        existing.text = text
        why = "applicant changed message to municipality"
    _changed(application, "free_text", existing.id, why)
    db.session.commit()
    return existing


def totals(items: Sequence[MonthlyEntry], all_months: list[date]) -> dict[date, int]:
    """Öre per month, for every month of the period (0 when nothing was added)."""
    by_month = dict.fromkeys(all_months, 0)
    for item in items:
        by_month[item.month] = by_month.get(item.month, 0) + item.amount_ore
    return by_month


def summary(application: Application) -> dict[str, dict[str, Any]]:
    """Everything the applicant added, for the check-answers page and the indication.

    ``{"incomes": {"entries": [Income], "totals": {date: öre}},
       "costs": {"entries": [Cost], "totals": {date: öre}},
       "assets": {"entries": [Asset], "total": öre},
       "message": {"text": str | None}}``

    ``totals`` has every month of the period, oldest first, 0 when nothing was added.
    """
    all_months = months(application)
    incomes, costs, assets = (
        entries(application, "incomes"),
        entries(application, "costs"),
        entries(application, "assets"),
    )
    text = free_text(application)
    return {
        "incomes": {"entries": incomes, "totals": totals(incomes, all_months)},
        "costs": {"entries": costs, "totals": totals(costs, all_months)},
        "assets": {"entries": assets, "total": sum(a.value_ore for a in assets)},
        "message": {"text": text.text if text else None},
    }


def status(application: Application) -> dict[str, str]:
    """Per kind: "completed" when the applicant has added something, else "not_started"."""
    if reading_once():  # the page reads the entries anyway (its summary): from those, not four more reads
        result = {kind: "completed" if entries(application, kind) else "not_started" for kind in MODELS}
        result["message"] = "completed" if free_text(application) is not None else "not_started"
        return result
    result = {}
    for kind, model in MODELS.items():
        found = db.session.scalar(select(model.id).where(model.application_id == application.id).limit(1))
        result[kind] = "completed" if found is not None else "not_started"
    result["message"] = "completed" if free_text(application) is not None else "not_started"
    return result
