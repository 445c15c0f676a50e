"""The indication (indikation till besked): riksnorm + stated costs − incomes, with its working.

A pure domain module: no Flask request state. Use ``from portal.indication.calculate import
HouseholdMemberInput, CostInput, IncomeInput, Indication, calculate`` (rules in that module's
docstring) and :mod:`portal.indication.riksnorm` for the norm tables
(``portal/data/riksnorm/<year>.json``). Nothing is re-exported here so that the submodule name
``portal.indication.calculate`` is never shadowed by the function of the same name.
"""
