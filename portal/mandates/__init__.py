"""Proxies (ombud) and legal representatives: mandates (fullmakt), acting for a principal within
a mandate's scope, and the trail of everything done in the principal's name (docs/design.md §9)."""
