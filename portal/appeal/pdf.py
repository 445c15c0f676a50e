"""The appeal as a PDF/A for the municipality's records and the court: Swedish headings (the municipality's and
the court's language) around the person's own words, as written."""

from __future__ import annotations

from portal import clock
from portal.case.pdf import OUTCOME_SV
from portal.exchange.pdf import ARCHIVED, language_sv, write_pdf
from portal.routing.services import municipality


def render_appeal(application, decision, appeal, signer_name: str) -> bytes:
    return write_pdf(
        "appeal.html",
        ARCHIVED,
        application=application,
        decision=decision,
        appeal=appeal,
        signer=signer_name,
        outcome=OUTCOME_SV[decision.outcome],
        municipality=municipality(application.municipality_code).name,
        decided_on=decision.decided_at.astimezone(clock.SWEDEN).date().isoformat(),
        sent_at=appeal.sent_at.astimezone(clock.SWEDEN).strftime("%Y-%m-%d %H:%M"),
        language=language_sv(appeal.language),
    )
