"""The portal's own model of a fetched fact, the same for every provider.

A provider's normaliser turns its raw payload into these; the raw payload goes no further.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

THEMES = ("income", "housing", "work", "assets", "other")

# What an item's amount is, so that totals add only what belongs together (issue 15): the
# payments of a month before tax, the tax an agency withheld from them, payments with no tax
# to withhold, the money on an account on one day, and everything else (a status, a decision,
# a daily rate, last year's taxed income), which is shown but never added. Each provider
# adapter says which of these its kinds are (``Provider.figures``).
INCOME_GROSS = "income_gross"
TAX_WITHHELD = "tax_withheld"
INCOME_NET = "income_net"
ASSET_BALANCE = "asset_balance"
FACT = "fact"
FIGURES = (INCOME_GROSS, TAX_WITHHELD, INCOME_NET, ASSET_BALANCE, FACT)
# In ``Provider.figures``: a payment that is gross when the agency marks it taxable (``gross``
# True) and net otherwise (barnbidrag, bostadstillägg, a tax refund).
PAYMENT = "payment"

DetailValue = str | int | bool | None


@dataclass(frozen=True)
class Period:
    """The month applied for and the months before it that the municipality asks for."""

    month: date  # first day of the month applied for
    months_before: int = 3

    @property
    def start(self) -> date:
        year, month = self.month.year, self.month.month - self.months_before
        while month < 1:
            month += 12
            year -= 1
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """Last day of the month applied for."""
        return (self.month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """Whether a fact about [start, end] concerns this period (open ends count as ongoing)."""
        return (start is None or start <= self.end) and (end is None or end >= self.start)


@dataclass(frozen=True)
class Item:
    """One normalised fact about one household member.

    ``kind`` names what it is (``"forsakringskassan.bostadsbidrag.payment"``) and keys its
    plain-language label and help text; ``details`` holds only the fields the set defines, as
    display-ready values or codes that the provider module labels.
    """

    provider: str
    info_set: str
    kind: str
    theme: str
    period_start: date | None = None
    period_end: date | None = None
    amount_ore: int | None = None
    gross: bool | None = None  # True: before tax; False: after tax; None: not an amount
    details: Mapping[str, DetailValue] = field(default_factory=dict)

    @property
    def figure(self) -> str:
        from portal.providers.registry import provider  # the registry imports every adapter, which import this

        return provider(self.provider).figure(self.kind, self.gross)

    def __post_init__(self):
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}")
        if self.amount_ore is not None and not isinstance(self.amount_ore, int):
            raise TypeError("amounts are integer öre")
