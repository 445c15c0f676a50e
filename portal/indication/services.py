"""The indication for an application: its household, the costs the applicant states and the
month's incomes (fetched and stated), through ``calculate``."""

from __future__ import annotations

from portal.application.models import Application, HouseholdMember
from portal.indication.calculate import CostInput, HouseholdMemberInput, IncomeInput, Indication, calculate
from portal.information import labels as information_labels
from portal.information.services import items
from portal.information.totals import payouts
from portal.providers.registry import provider as provider_named
from portal.supplements import services as supplements
from portal.supplements.labels import entry_label

# Supplement categories -> the indication's cost categories.
COST_CATEGORY = {"union_fee": "union_fees", "akassa_fee": "akassa_fees"}


def _in_application(member: HouseholdMember, application: Application) -> bool:
    """Applicant, partner and children under 21 living at home are one case; other adults in
    the home (a grown child, a parent) apply for themselves."""
    if member.relation in ("applicant", "spouse", "partner"):
        return True
    age = member.age_on(application.period)
    return member.relation == "child" and age is not None and age < 21


def _members(application: Application) -> list[HouseholdMemberInput]:
    return [
        HouseholdMemberInput(
            birth_date=m.birth_date, shares_household_as_non_partner=not _in_application(m, application)
        )
        for m in application.members
        if m.birth_date is not None
    ]


def _fetched_incomes(application: Application, fetched: list | None = None) -> list[IncomeInput]:
    """The month's fetched payments as they reached the household: each payment's amount before tax
    less the tax withheld from it (portal.information.totals, the same figures the information page
    shows); balances, rates and facts are not income."""
    counted = {m.id for m in application.members if _in_application(m, application)}
    fetched = items(application) if fetched is None else fetched
    incomes = []
    for payout in payouts([i for i in fetched if i.member_id in counted], application.period):
        if payout.amount_ore:
            label, _help = information_labels.item_label(provider_named(payout.item.provider), payout.item.kind)
            incomes.append(IncomeInput(label=label, amount_ore=payout.amount_ore))
    return incomes


def _stated(
    application: Application, cost_entries: list | None = None, income_entries: list | None = None
) -> tuple[list[CostInput], list[IncomeInput]]:

    if cost_entries is None:
        cost_entries = supplements.entries(application, "costs")
    if income_entries is None:
        income_entries = supplements.entries(application, "incomes")
    costs = [
        CostInput(COST_CATEGORY.get(c.category) or c.category, c.amount_ore)
        for c in cost_entries
        if c.month == application.period
    ]
    incomes = [
        IncomeInput(label=entry_label(i), amount_ore=i.amount_ore)
        for i in income_entries
        if i.month == application.period
    ]
    return costs, incomes


def indication(
    application: Application, *, items: list | None = None, costs: list | None = None, incomes: list | None = None
) -> Indication:
    """The indication for ``application``. A caller that has already loaded the application's fetched
    items (``information.items``) or its stated costs and incomes (``supplements.entries(..., "costs")``,
    ``"incomes"``), every one of them, passes them in and they are not loaded again."""
    costs_in, stated_incomes = _stated(application, costs, incomes)
    return calculate(
        application.period, _members(application), costs_in, _fetched_incomes(application, items) + stated_incomes
    )
