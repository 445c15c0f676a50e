"""The indication (indikation till besked): riksnorm + stated costs − incomes, with its working.

A pure domain module: no Flask request state. See :mod:`portal.indication.calculate` for the rules
and :mod:`portal.indication.riksnorm` for the norm tables (``portal/data/riksnorm/<year>.json``).
"""

from portal.indication.calculate import (
    COST_CATEGORIES,
    LINE_TEXT,
    NOTE_TEXT,
    CostInput,
    HouseholdMemberInput,
    IncomeInput,
    Indication,
    Line,
    calculate,
)
from portal.indication.riksnorm import NormUnavailable

__all__ = [
    "COST_CATEGORIES", "CostInput", "HouseholdMemberInput", "IncomeInput", "Indication", "Line",
    "LINE_TEXT", "NOTE_TEXT", "NormUnavailable", "calculate",
]
