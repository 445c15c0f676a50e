"""The proposed calculation lines of an application: worked out when it is sent and frozen in its
exchange document (``calculationLines``).

This is the low half of the calculation: it reads only the draft's own areas (members, fetched items,
stated entries, the situation), so the exchange document can build its lines without loading the case,
the submission or the API that the caseworker's half (:mod:`portal.calculation.services`) works with.
"""

from __future__ import annotations

from portal.application.models import Application
from portal.calculation import lines as calc
from portal.calculation.text import line_text
from portal.indication.calculate import NormUnavailable
from portal.indication.services import _in_application
from portal.information.services import items as fetched_items
from portal.information.totals import payouts
from portal.situation.services import stated_costs
from portal.supplements import services as supplements


def _situation_costs(application: Application) -> list[calc.StatedCost]:
    """The costs stated in the applicant's situation (issue 16, point 1)."""
    return [
        calc.StatedCost(c.kind, c.amount_ore, c.member_id, f"situation:{c.question}") for c in stated_costs(application)
    ]


def inputs(
    application: Application,
    items: list | None = None,
    cost_entries: list | None = None,
    income_entries: list | None = None,
) -> tuple[list, list, list, list]:
    """Members, stated costs, fetched incomes (net, per payment) and stated incomes of the month. A caller
    that has loaded the fetched items or the stated entries (all of them) passes them in."""
    month = application.period
    members = [
        calc.Member(m.id, m.birth_date, not _in_application(m, application))
        for m in application.members
        if m.birth_date is not None
    ]
    counted = {m.member_id for m in members if not m.non_partner}
    if items is None:
        items = fetched_items(application)
    if cost_entries is None:
        cost_entries = supplements.entries(application, "costs")
    if income_entries is None:
        income_entries = supplements.entries(application, "incomes")
    situation = _situation_costs(application)
    # The situation asks for these kinds in structured form: its answer replaces a cost of the same kind
    # added on the application, which would otherwise be counted twice (the rent stated in both places).
    answered = {c.kind for c in situation}
    costs = [
        calc.StatedCost(c.category, c.amount_ore, None, f"cost:{c.id}")
        for c in cost_entries
        if c.month == month and c.category not in answered
    ] + situation
    fetched = [
        calc.FetchedIncome(p.item.member_id, p.item.provider, p.item.kind, p.amount_ore, (p.item.id,))
        for p in payouts([i for i in items if i.member_id in counted], month)
        if p.amount_ore
    ]
    stated = [
        calc.StatedIncome(i.member_id, i.kind, i.amount_ore, f"income:{i.id}")
        for i in income_entries
        if i.month == month
    ]
    return members, costs, fetched, stated


def propose(application: Application, **loaded) -> calc.Proposal | None:
    """The proposed lines, or None when the norm cannot say (a month before the earliest table, no
    member with a birth date)."""
    members, costs, fetched, stated = inputs(application, **loaded)
    try:
        return calc.propose(application.period, members, costs, fetched, stated)
    except (NormUnavailable, ValueError):
        return None


def line_dict(line: calc.ProposedLine) -> dict:
    return {
        "id": line.id,
        "group": line.group,
        "code": line.code,
        "params": dict(line.params),
        "memberIds": list(line.member_ids),
        "amountOre": line.amount_ore,
        "text": line_text(_plain(line)),
        "source": dict(line.source),
    }


def _plain(line: calc.ProposedLine) -> dict:
    return {"code": line.code, "params": line.params}


def for_document(application: Application, **loaded) -> dict:
    """``calculationLines`` of the exchange document (texts in the locale in force: Swedish there)."""
    proposal = propose(application, **loaded)
    if proposal is None:
        return {"proposed": True, "available": False, "reason": "norm_unavailable", "lines": []}
    return {
        "proposed": True,
        "available": True,
        "year": proposal.year,
        "derivedNorm": proposal.derived_norm,
        "lines": [line_dict(line) for line in proposal.lines],
        "needOre": proposal.need_ore,
        "incomeOre": proposal.income_ore,
        "resultOre": proposal.result_ore,
    }
