"""The decision document (beslut) the built-in inbox produces, in Swedish: the language of
the municipality's decisions. The applicant's page explains it in their own language. Laid out from
templates/pdf/decision.html as PDF/A-2a (the municipality archives it), tagged (portal/exchange/pdf.py)."""

from __future__ import annotations

from portal.exchange.pdf import ARCHIVED, write_pdf

OUTCOME_SV = {"granted": "Beviljas", "partly_granted": "Beviljas delvis", "refused": "Avslås",
              "dismissed": "Avvisas"}


def kronor(amount: int | None) -> str:
    return "–" if amount is None else f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def render_decision(application, decision) -> bytes:
    from portal.routing.services import municipality

    return write_pdf("decision.html", ARCHIVED, application=application, decision=decision,
                     municipality=municipality(application.municipality_code).name,
                     month=application.period.strftime("%Y-%m"), outcome=OUTCOME_SV[decision.outcome],
                     amount=kronor(decision.amount) if decision.amount is not None else None,
                     decided_at=decision.decided_at.isoformat())
