"""The indication (*indikation till besked*): a preliminary calculation, never a decision.

need   = riksnorm (personal costs of everyone in the application + common household costs)
         + the stated reasonable costs outside the norm (added as stated, no judgement here)
result = need − the household's incomes for the month (positive: a possible right to assistance)

Everything is integer öre. The full working is returned as :class:`Line` items with a stable
``code`` and the ``params`` its sentence needs; render with ``LINE_TEXT[line.code] % line.params``
and ``NOTE_TEXT[code]``. This module reads no Flask request state.

Rules, with their sources (socialtjänstförordningen (2001:937) 2 kap. 1 §, e.g. SFS 2020:1013;
Socialstyrelsen, Riksnormen för 2019 and 2017):

* **Age** is counted in whole years on the first day of the month applied for. A child born during
  the month counts as 0 years.
* **Children** 0–17 get the norm's child band (0, 1–2, 3, 4–6, 7–10, 11–14, 15–18). The amounts
  used are those for a child who eats all meals at home (the norm's main table); a lower amount
  exists for children 0–6 who eat lunch at preschool five days a week, which this module cannot
  know (note ``preschool_lunch``).
* **Young people 18–20** living at home with a parent get the 15–18 or 19–20 band (the 19–20 band
  is for *hemmavarande skolungdom*). The module cannot know who is a parent or who is at school; it
  counts an 18–20-year-old as living at home with a parent when another member of the application
  is at least 15 years older, otherwise as an adult (note ``young_adult_at_home``).
* **Adults**: one adult gets the *ensamstående* amount; two adults (spouses or sambos) get the
  *sambor* amount, which is one amount for the pair and lower than two single amounts. With more
  than two adults not flagged as non-partners, the first two in ``members`` order are taken as the
  couple and the others are treated as sharing the home without being partners (note
  ``extra_adults``).
* **Common household costs** by the number of persons in the home; above seven persons the norm
  adds, for each further person, the difference between the six- and seven-person amounts
  (``per_person_above_7`` in the data file). Note ``large_household``.
* **An adult sharing the home who is not a spouse or sambo** (``shares_household_as_non_partner``,
  e.g. an adult sibling or a friend): SFS 2020:1013, 2 kap. 1 §: "För en vuxen person som inte är
  att anse som sambo, men som ingår i hushållsgemenskap med flera personer, beräknas normen såsom
  personliga kostnader för ensamstående plus kvoten av de gemensamma kostnaderna för hushållet och
  antalet medlemmar i hushållet." Socialstyrelsen (Riksnormen 2017): "Denne person är ett eget
  ärende" – the example: 1 740 kr / 5 personer + 2 980 kr = 3 328 kr. So such a person is *not*
  part of this application: their personal costs are not counted here (they apply themselves), but
  they count in the size of the household, and the application is given its share of the common
  costs: cost for all N persons in the home × (persons in the application) / N, rounded to whole
  öre. A single applicant sharing with a non-partner thus gets the *ensamstående* amount plus
  ``household(N) / N`` exactly as the regulation says; for a family sharing with a non-partner the
  same per-person quotient is applied to each of its members. If every member is flagged, the
  first member is taken as the applicant. Note ``non_partner_sharing``.
* **Reasonable costs outside the norm** (rent, electricity, home insurance, work travel, union and
  a-kassa fees, childcare, medical, dental, other) are added as stated.
* **Incomes** (net, counted in the month) are subtracted.
* **Norm year**: the table of the month's year (official or derived, ``derived_norm`` and note
  ``norm_derived``); after the latest table the latest one is used (note ``norm_latest_year``);
  before the earliest table :class:`~portal.indication.riksnorm.NormUnavailable` is raised.
* **Pension age**: someone at the age for garantipension/äldreförsörjningsstöd (65 until 2022,
  66 in 2023–2025, 67 from 2026, following *riktåldern*) should first apply to Pensionsmyndigheten
  (note ``pension_age``); the norm itself has no separate amount for pensioners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from portal.i18n.lazy import _l
from portal.indication.riksnorm import NormUnavailable, band_for_age, band_label, table_for_month

__all__ = [
    "COST_CATEGORIES",
    "CostInput",
    "HouseholdMemberInput",
    "IncomeInput",
    "Indication",
    "Line",
    "LINE_TEXT",
    "NOTE_TEXT",
    "NormUnavailable",
    "calculate",
]

COST_CATEGORIES = (
    "rent",
    "electricity",
    "home_insurance",
    "work_travel",
    "union_fees",
    "akassa_fees",
    "childcare",
    "medical",
    "dental",
    "other",
)

PARENT_AGE_GAP = 15  # an 18–20-year-old with a member this much older counts as living at home


@dataclass(frozen=True)
class HouseholdMemberInput:
    birth_date: date
    shares_household_as_non_partner: bool = False  # an adult sharing the home, not spouse/sambo


@dataclass(frozen=True)
class CostInput:
    category: str  # one of COST_CATEGORIES
    amount_ore: int


@dataclass(frozen=True)
class IncomeInput:
    label: str
    amount_ore: int  # net monthly amount counted in the month


@dataclass(frozen=True)
class Line:
    code: str
    amount_ore: int
    params: dict = field(default_factory=dict)
    # Which of ``members`` (their indexes) a norm line is for, so the calculation lines (portal/calculation)
    # can say whose line it is; empty for lines about the household or totals.
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class Indication:
    year_used: int
    derived_norm: bool
    lines: list[Line]
    need_ore: int
    income_ore: int
    result_ore: int  # need − income; positive means a possible right to assistance
    notes: list[str]


LINE_TEXT = {
    "personal_cost.child": _l("Personal costs for a child aged %(age)s (age group %(band)s in the norm)"),
    "personal_cost.youth": _l(
        "Personal costs for a young person aged %(age)s living at home with a parent (age group %(band)s in the norm)"
    ),
    "personal_cost.single": _l("Personal costs for an adult aged %(age)s who is not living with a partner"),
    "personal_cost.couple": _l(
        "Personal costs for two adults living together as a couple, aged %(age_1)s and %(age_2)s"
    ),
    "non_partner_member": _l(
        "A person aged %(age)s shares your home but is not your partner: they count in the size of "
        "the household, but their own costs are not part of this application"
    ),
    "household_cost": _l("Common household costs for a household of %(size)s people"),
    "household_cost.large": _l(
        "Common household costs for a household of %(size)s people: the amount for 7 people plus "
        "%(extra_kr)s kr for each of the %(extra)s people above 7"
    ),
    "household_cost.share": _l(
        "Your share of the common household costs: %(size)s people share the home, the cost for "
        "%(size)s people is %(full_kr)s kr, and %(shares)s of the %(size)s parts are counted here"
    ),
    "norm_total": _l("Total according to the national norm (riksnormen) for %(year)s"),
    "cost.rent": _l("Rent or housing cost"),
    "cost.electricity": _l("Household electricity"),
    "cost.home_insurance": _l("Home insurance"),
    "cost.work_travel": _l("Travel to and from work"),
    "cost.union_fees": _l("Trade union fee"),
    "cost.akassa_fees": _l("Unemployment insurance fund fee (a-kassa)"),
    "cost.childcare": _l("Childcare fee"),
    "cost.medical": _l("Medical care and medicine"),
    "cost.dental": _l("Dental care"),
    "cost.other": _l("Other necessary costs"),
    "costs_total": _l("Total of your costs outside the norm"),
    "total_need": _l("Total need for the month"),
    "income": _l("Income: %(label)s"),
    "total_income": _l("Total income for the month"),
    "result": _l("Your need minus your income"),
}

NOTE_TEXT = {
    "indication_only": _l(
        "This is only an indication, not a decision. The municipality makes an individual "
        "assessment of your application."
    ),
    "norm_derived": _l(
        "The norm amounts for this year were worked out by raising an earlier year's official "
        "amounts by the government's official percentage. They can differ from the official "
        "amounts by a few kronor."
    ),
    "norm_latest_year": _l(
        "The norm for this month's year is not available yet, so the latest known amounts were used."
    ),
    "non_partner_sharing": _l(
        "Someone who shares your home is not your spouse or partner. They apply for themselves, "
        "and only your share of the common household costs is counted here."
    ),
    "extra_adults": _l(
        "There are more than two adults in the household. The first two were counted as a couple "
        "and the others as people who share the home without being partners."
    ),
    "large_household": _l("Your household has more than 7 people. The norm adds an amount for each person above 7."),
    "young_adult_at_home": _l(
        "A young person aged 18 to 20 was counted as living at home with a parent. If they live "
        "on their own or are not at school, the municipality may count them differently."
    ),
    "preschool_lunch": _l(
        "Children up to 6 years old were counted as eating all meals at home. If a child eats "
        "lunch at preschool on weekdays, the norm is slightly lower."
    ),
    "pension_age": _l(
        "Someone in the household has reached pension age. Apply first to the Swedish Pensions "
        "Agency for housing supplement and maintenance support for the elderly."
    ),
    "income_covers_need": _l(
        "Your income is as large as or larger than the need calculated here, so you may not be "
        "entitled to assistance for this month."
    ),
}


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _pension_age(year: int) -> int:
    if year <= 2022:
        return 65
    if year <= 2025:
        return 66
    return 67


def _kr(amount_kr: int) -> int:
    return amount_kr * 100


def _check_amount(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int number of öre, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def _divide_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def calculate(  # noqa: C901 - the norm's steps in the order the guidance gives them; split, the order is lost
    month: date, members: list[HouseholdMemberInput], costs: list[CostInput], incomes: list[IncomeInput]
) -> Indication:
    """The indication for ``month`` (any day in it) and the household ``members``.

    ``members`` are all persons living in the home, including adults sharing it who are not
    partners (flagged). Raises :class:`NormUnavailable` for a month before the earliest norm
    table and ``ValueError``/``TypeError`` for invalid input.
    """
    if not members:
        raise ValueError("an indication needs at least one household member")
    first_day = month.replace(day=1)
    table, latest_stand_in = table_for_month(first_day)
    next_month = (
        date(first_day.year + 1, 1, 1) if first_day.month == 12 else date(first_day.year, first_day.month + 1, 1)
    )

    ages: list[int] = []
    for m in members:
        if m.birth_date >= next_month:
            raise ValueError(f"a member born {m.birth_date} was not born in {first_day:%Y-%m}")
        ages.append(max(0, _age_on(m.birth_date, first_day)))

    notes: list[str] = ["indication_only"]
    if table.derived:
        notes.append("norm_derived")
    if latest_stand_in:
        notes.append("norm_latest_year")

    # Who is in this application, who shares the home without being part of it.
    in_case = [i for i, m in enumerate(members) if not m.shares_household_as_non_partner]
    if not in_case:
        in_case = [0]
    non_partners = [i for i in range(len(members)) if i not in in_case]

    children: list[int] = []
    youths: list[int] = []
    adults: list[int] = []
    for i in in_case:
        age = ages[i]
        if age < 18:
            children.append(i)
        elif age <= 20 and any(ages[j] - age >= PARENT_AGE_GAP for j in in_case if j != i):
            youths.append(i)
        else:
            adults.append(i)
    if len(adults) > 2:
        notes.append("extra_adults")
        extra = adults[2:]
        adults = adults[:2]
        non_partners = sorted(non_partners + extra)
        in_case = [i for i in in_case if i not in extra]

    lines: list[Line] = []
    norm_ore = 0
    for i in sorted(children + youths):
        band = band_for_age(ages[i])
        amount = _kr(table.children[band])
        code = "personal_cost.child" if i in children else "personal_cost.youth"
        lines.append(Line(code, amount, {"age": ages[i], "band": band_label(band)}, (i,)))
        norm_ore += amount
    if youths:
        notes.append("young_adult_at_home")
    if any(ages[i] <= 6 for i in children):
        notes.append("preschool_lunch")
    if len(adults) == 1:
        amount = _kr(table.single)
        lines.append(Line("personal_cost.single", amount, {"age": ages[adults[0]]}, (adults[0],)))
        norm_ore += amount
    elif len(adults) == 2:
        amount = _kr(table.cohabiting_pair)
        lines.append(
            Line(
                "personal_cost.couple",
                amount,
                {"age_1": ages[adults[0]], "age_2": ages[adults[1]]},
                (adults[0], adults[1]),
            )
        )
        norm_ore += amount
    for i in non_partners:
        lines.append(Line("non_partner_member", 0, {"age": ages[i]}, (i,)))

    size = len(members)
    full_ore = _kr(table.household_cost(size))
    if non_partners:
        notes.append("non_partner_sharing")
        shares = len(in_case)
        amount = _divide_half_up(full_ore * shares, size)
        lines.append(Line("household_cost.share", amount, {"size": size, "shares": shares, "full_kr": full_ore // 100}))
    elif size > 7:
        amount = full_ore
        lines.append(
            Line(
                "household_cost.large", amount, {"size": size, "extra": size - 7, "extra_kr": table.per_person_above_7}
            )
        )
    else:
        amount = full_ore
        lines.append(Line("household_cost", amount, {"size": size}))
    norm_ore += amount
    if size > 7:
        notes.append("large_household")
    lines.append(Line("norm_total", norm_ore, {"year": table.year}))

    costs_ore = 0
    for c in costs:
        if c.category not in COST_CATEGORIES:
            raise ValueError(f"unknown cost category {c.category!r}; use one of {COST_CATEGORIES}")
        amount = _check_amount(c.amount_ore, f"cost {c.category}")
        lines.append(Line(f"cost.{c.category}", amount, {}))
        costs_ore += amount
    if costs:
        lines.append(Line("costs_total", costs_ore, {}))
    need_ore = norm_ore + costs_ore
    lines.append(Line("total_need", need_ore, {}))

    income_ore = 0
    for inc in incomes:
        amount = _check_amount(inc.amount_ore, f"income {inc.label!r}")
        lines.append(Line("income", amount, {"label": inc.label}))
        income_ore += amount
    lines.append(Line("total_income", income_ore, {}))

    result_ore = need_ore - income_ore
    lines.append(Line("result", result_ore, {}))
    if result_ore <= 0:
        notes.append("income_covers_need")
    if any(ages[i] >= _pension_age(first_day.year) for i in in_case):
        notes.append("pension_age")

    return Indication(
        year_used=table.year,
        derived_norm=table.derived or latest_stand_in,
        lines=lines,
        need_ore=need_ore,
        income_ore=income_ore,
        result_ore=result_ore,
        notes=notes,
    )
