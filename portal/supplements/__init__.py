"""Supplements: what the applicant adds to the application themselves — own incomes, costs,
assets and a free text to the municipality (docs/design.md §5, §7). Entered values are the
applicant's (source ``applicant``); fetched values are never changed here."""
