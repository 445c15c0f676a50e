"""Consent (medgivande): what the applicant lets the portal fetch, from whom, about whom, why."""
