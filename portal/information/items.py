"""The portal's own model of a fetched fact, the same for every provider.

A provider's normaliser turns its raw payload into these; the raw payload goes no further.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

THEMES = ("income", "housing", "work", "assets", "other")

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

    def __post_init__(self):
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r}")
        if self.amount_ore is not None and not isinstance(self.amount_ore, int):
            raise TypeError("amounts are integer öre")
