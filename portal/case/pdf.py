"""The decision document (beslut) the built-in inbox produces, in Swedish: the language of
the municipality's decisions. The applicant's page explains it in their own language."""

from __future__ import annotations

from portal.exchange.pdf import _Pdf, month_sv, when

OUTCOME_SV = {"granted": "Beviljas", "partly_granted": "Beviljas delvis", "refused": "Avslås",
              "dismissed": "Avvisas"}


def kronor(amount: int | None) -> str:
    return "–" if amount is None else f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def render_decision(application, decision) -> bytes:
    from portal.routing.services import municipality

    name = municipality(application.municipality_code).name
    pdf = _Pdf(f"Beslut {application.case_number or application.reference}")
    pdf.set_title(f"Beslut om ekonomiskt bistånd {application.case_number or application.reference}")
    pdf.doc_title(f"Beslut om ekonomiskt bistånd – {name}")
    pdf.field("Ärendenummer", application.case_number or "–")
    pdf.field("Ansökans referens", application.reference)
    pdf.field("Ansökan gäller", month_sv(application.period.strftime("%Y-%m")))
    pdf.field("Beslut", OUTCOME_SV[decision.outcome])
    if decision.amount is not None:
        pdf.field("Belopp", kronor(decision.amount))
        pdf.field("Period", f"{decision.period_start:%Y-%m-%d} – {decision.period_end:%Y-%m-%d}")
    pdf.field("Beslutsdatum", when(decision.decided_at.isoformat()))
    pdf.field("Beslutsfattare", decision.decided_by)
    pdf.heading("Motivering")
    pdf.para(decision.reasoning or "–")
    pdf.heading("Lagrum")
    pdf.para("4 kap. 1 § socialtjänstlagen (2001:453).")
    if decision.outcome != "granted":
        pdf.heading("Hur du överklagar")
        pdf.para("Du kan överklaga beslutet hos förvaltningsrätten. Skriv vilket beslut du överklagar, hur du vill "
                 "att det ändras och varför. Skicka överklagandet till socialtjänsten i kommunen inom tre veckor "
                 "från den dag du fick del av beslutet.")
    pdf.ln(3)
    pdf.para(f"Kontrollsumma för ansökan finns i ansökans kvittens. Beslutet gäller ärende "
             f"{application.case_number or application.reference}.", size=8, grey=True)
    return bytes(pdf.output())
