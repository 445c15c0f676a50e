"""Totals of fetched amounts that add only what belongs together (issue 15).

An agency reports a taxed payment as its amount before tax and, separately, the tax it withheld;
a balance is money on an account on one day, not money per month; a decision's daily rate or last
year's taxed income is information, not money this month. Each item's ``figure``
(``portal.providers.items.FIGURES``, set by its provider's adapter) says which it is. Both the
information page's summary and the indication use these functions, so they show the same figures.

Money of a month: the payments that concern exactly that calendar month (a payment for a period
spanning two months is shown but not counted in either, as before). What was paid out = before
tax − tax withheld + payments with no tax.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from portal.providers.items import ASSET_BALANCE, INCOME_GROSS, INCOME_NET, TAX_WITHHELD

if TYPE_CHECKING:
    from portal.information.models import InformationItem


def in_month(start: date | None, end: date | None, month: date) -> bool:
    """Whether [start, end] lies within the calendar month of ``month``."""
    return (
        start is not None
        and (start.year, start.month) == (month.year, month.month)
        and (end is None or (end.year, end.month) == (month.year, month.month))
    )


@dataclass(frozen=True)
class MonthTotals:
    """One member's (or the household's) fetched money for one month, in öre."""

    gross_ore: int = 0  # taxed payments before tax
    tax_ore: int = 0  # tax the agencies withheld from them
    untaxed_ore: int = 0  # payments with no tax withheld
    assets_ore: int = 0  # account balances (on their own dates, not per month)
    asset_count: int = 0

    @property
    def paid_ore(self) -> int:
        """What was paid out for the month: before tax − tax + untaxed."""
        return self.gross_ore - self.tax_ore + self.untaxed_ore

    @property
    def has_income(self) -> bool:
        return bool(self.gross_ore or self.untaxed_ore)


def month_totals(items, month: date) -> MonthTotals:
    """Totals of ``items`` (fetched items, stored or not) for ``month``."""
    sums: dict[str, int] = defaultdict(int)
    assets = 0
    for item in items:
        if item.amount_ore is None:
            continue
        figure = item.figure
        if figure == ASSET_BALANCE:
            sums[figure] += item.amount_ore
            assets += 1
        elif figure in (INCOME_GROSS, TAX_WITHHELD, INCOME_NET) and in_month(item.period_start, item.period_end, month):
            sums[figure] += item.amount_ore
    return MonthTotals(
        gross_ore=sums[INCOME_GROSS],
        tax_ore=sums[TAX_WITHHELD],
        untaxed_ore=sums[INCOME_NET],
        assets_ore=sums[ASSET_BALANCE],
        asset_count=assets,
    )


def by_member(items, month: date) -> dict[int, MonthTotals]:
    """``month_totals`` per ``member_id`` (stored items)."""
    grouped: dict[int, list] = defaultdict(list)
    for item in items:
        grouped[item.member_id].append(item)
    return {member_id: month_totals(found, month) for member_id, found in grouped.items()}


@dataclass(frozen=True)
class Payout:
    """One payment as it reached the person: its before-tax parts less the tax withheld from them."""

    item: InformationItem  # the first payment item: its provider and kind name the payout
    amount_ore: int


def payouts(items, month: date) -> list[Payout]:
    """The month's payments net of tax, one per payment (an agency's payment of one month paid on one
    day, with its parts and its tax), in the order of ``items``."""
    groups: dict[tuple, list] = {}
    for item in items:
        if item.amount_ore is None or item.figure not in (INCOME_GROSS, TAX_WITHHELD, INCOME_NET):
            continue
        if not in_month(item.period_start, item.period_end, month):
            continue
        key = (
            getattr(item, "member_id", None),
            item.provider,
            item.info_set,
            item.period_start,
            item.period_end,
            (item.details or {}).get("paid_on"),
        )
        groups.setdefault(key, []).append(item)
    result = []
    for found in groups.values():
        paid = [i for i in found if i.figure != TAX_WITHHELD]
        if not paid:
            continue
        amount = sum(i.amount_ore for i in paid) - sum(i.amount_ore for i in found if i.figure == TAX_WITHHELD)
        result.append(Payout(paid[0], max(amount, 0)))
    return result
