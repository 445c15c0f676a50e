"""The proposed calculation lines of one month, as plain data (no database, no request state).

Lines, in this order, each with a stable ``id`` (URL-safe, so a system can address it):

* **norm** — the riksnorm per person (``norm-person-<member>``; a couple has one amount for the pair,
  ``norm-couple-<member>-<member>``) and the household's common costs (``norm-household``), exactly as
  the indication computes them (age on the first day of the month, bands, couples, non-partners);
* **cost** — the reasonable costs outside the norm, one line per kind (``cost-<kind>``), the sum of what
  the applicant stated for the month of that kind (costs added on the application and, once the
  situation exists, the costs stated in its answers);
* **income** — the month's incomes per kind and member: fetched payments net of tax
  (``income-<member>-<provider>-<kind>``, the same figures as ``portal.information.totals``) and incomes
  the applicant stated (``income-stated-<member>-<kind>``).

The result is derived, never a line of its own: need (norm + costs) − income.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.indication.calculate import HouseholdMemberInput, calculate

NORM, COST, INCOME = "norm", "cost", "income"
GROUPS = (NORM, COST, INCOME)
LINE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(value: object) -> str:
    return _UNSAFE.sub("-", str(value).lower()).strip("-") or "x"


@dataclass(frozen=True)
class Member:
    member_id: int
    birth_date: date
    non_partner: bool = False  # shares the home, applies for themselves


@dataclass(frozen=True)
class StatedCost:
    kind: str
    amount_ore: int
    member_id: int | None = None
    ref: str | None = None  # the entry it comes from (e.g. "cost:12", "situation:rent")


@dataclass(frozen=True)
class FetchedIncome:
    member_id: int
    provider: str
    kind: str
    amount_ore: int  # net of tax
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StatedIncome:
    member_id: int | None
    kind: str
    amount_ore: int
    ref: str | None = None


@dataclass(frozen=True)
class ProposedLine:
    id: str
    group: str
    code: str
    amount_ore: int
    params: dict = field(default_factory=dict)
    member_ids: tuple[int, ...] = ()
    source: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    year: int
    derived_norm: bool
    lines: list[ProposedLine]

    @property
    def need_ore(self) -> int:
        return need(self.lines)

    @property
    def income_ore(self) -> int:
        return income(self.lines)

    @property
    def result_ore(self) -> int:
        return self.need_ore - self.income_ore


def need(lines) -> int:
    return sum(_amount(line) for line in lines if _group(line) in (NORM, COST))


def income(lines) -> int:
    return sum(_amount(line) for line in lines if _group(line) == INCOME)


def _group(line) -> str:
    return line["group"] if isinstance(line, dict) else line.group


def _amount(line) -> int:
    return line["amountOre"] if isinstance(line, dict) else line.amount_ore


def propose(
    month: date,
    members: list[Member],
    costs: list[StatedCost],
    fetched: list[FetchedIncome],
    stated: list[StatedIncome],
) -> Proposal:
    """The lines for ``month``. Raises ``NormUnavailable`` (before the earliest norm table) and
    ``ValueError`` (no members, a member born after the month) like the indication."""
    indication = calculate(month, [HouseholdMemberInput(m.birth_date, m.non_partner) for m in members], [], [])
    lines: list[ProposedLine] = []
    norm_source = {"kind": "norm", "year": indication.year_used}
    for line in indication.lines:
        ids = tuple(members[i].member_id for i in line.members)
        if line.code.startswith("personal_cost."):
            line_id = ("norm-couple-" if line.code == "personal_cost.couple" else "norm-person-") + "-".join(
                str(i) for i in ids
            )
        elif line.code.startswith("household_cost"):
            line_id = "norm-household"
        else:
            continue  # totals, a non-partner's zero line: said by the result and the notes, not a line to decide
        lines.append(ProposedLine(line_id, NORM, line.code, line.amount_ore, dict(line.params), ids, norm_source))

    by_kind: dict[str, list[StatedCost]] = {}
    for cost in costs:
        if cost.amount_ore < 0:
            raise ValueError(f"a cost must not be negative, got {cost.amount_ore}")
        by_kind.setdefault(cost.kind, []).append(cost)
    for kind, found in by_kind.items():
        members_of = tuple(sorted({c.member_id for c in found if c.member_id is not None}))
        lines.append(
            ProposedLine(
                f"cost-{slug(kind)}",
                COST,
                "cost",
                sum(c.amount_ore for c in found),
                {"kind": kind},
                members_of,
                {"kind": "applicant", "refs": [c.ref for c in found if c.ref]},
            )
        )

    grouped: dict[tuple, list[FetchedIncome]] = {}
    for item in fetched:
        grouped.setdefault((item.member_id, item.provider, item.kind), []).append(item)
    for (member_id, provider, kind), found in grouped.items():
        amount = sum(i.amount_ore for i in found)
        if amount <= 0:
            continue
        lines.append(
            ProposedLine(
                f"income-{member_id}-{slug(provider)}-{slug(kind)}"[:80],
                INCOME,
                "income.fetched",
                amount,
                {"provider": provider, "kind": kind},
                (member_id,),
                {"kind": "system", "provider": provider, "itemIds": sorted({i for f in found for i in f.item_ids})},
            )
        )
    stated_groups: dict[tuple, list[StatedIncome]] = {}
    for entry in stated:
        stated_groups.setdefault((entry.member_id, entry.kind), []).append(entry)
    for (member_id, kind), found in stated_groups.items():
        amount = sum(i.amount_ore for i in found)
        if amount <= 0:
            continue
        lines.append(
            ProposedLine(
                f"income-stated-{member_id or 0}-{slug(kind)}"[:80],
                INCOME,
                "income.stated",
                amount,
                {"kind": kind},
                (member_id,) if member_id else (),
                {"kind": "applicant", "refs": [i.ref for i in found if i.ref]},
            )
        )
    return Proposal(indication.year_used, bool(indication.derived_norm), lines)
