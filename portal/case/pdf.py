"""The decision document (beslut) the built-in inbox produces, in Swedish: the language of
the municipality's decisions. The applicant's page explains it in their own language. Laid out from
templates/pdf/decision.html as PDF/A-2a (the municipality archives it), tagged (portal/exchange/pdf.py)."""

from __future__ import annotations

from flask_babel import force_locale

from portal.calculation.text import GROUP, STATUS, line_text
from portal.case import labels
from portal.exchange.pdf import ARCHIVED, RTL_LANGUAGES, write_pdf
from portal.i18n.services import SUPPORTED, day, money
from portal.routing.services import municipality
from portal.submission.services import frozen_document

OUTCOME_SV = {"granted": "Beviljas", "partly_granted": "Beviljas delvis", "refused": "Avslås", "dismissed": "Avvisas"}


def kronor(amount: int | None) -> str:
    return "–" if amount is None else f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def render_decision(application, decision, language: str | None = None) -> bytes:
    """The decision in Swedish; ``language`` (default: the one the applicant signed in) adds a cover page."""
    language = language or _language(application)
    return write_pdf(
        "decision.html",
        ARCHIVED,
        locale=language,
        application=application,
        decision=decision,
        municipality=municipality(application.municipality_code).name,
        month=application.period.strftime("%Y-%m"),
        outcome=OUTCOME_SV[decision.outcome],
        amount=kronor(decision.amount) if decision.amount is not None else None,
        decided_at=decision.decided_at.isoformat(),
        lines=_lines_sv(decision),
        cover=_cover(application, decision, language) if language != "sv" else None,
    )


def _language(application) -> str:
    """The applicant's language: the one they signed the application in."""
    frozen = frozen_document(application)
    language = ((frozen.language if frozen is not None else None) or "sv").split("-")[0]
    return language if language in SUPPORTED else "sv"


def _lines_sv(decision) -> dict | None:
    """The final lines in Swedish, with the totals (the binding text)."""
    # portal.calculation.services imports portal.case.services (cycle)
    from portal.calculation.services import totals

    if not decision.calculation_lines:
        return None
    with force_locale("sv"):
        rows = [{**line, "text": line_text(line)} for line in decision.calculation_lines]
    return {"rows": rows, **totals(decision.calculation_lines)}


def _cover(application, decision, language: str) -> dict:
    """The translated cover page: what was decided, the lines and how to appeal, in the applicant's language
    (texts that take values are formatted here, in that language; fixed texts are in the template)."""
    # portal.calculation.services imports portal.case.services (cycle)
    from portal.calculation.services import totals

    with force_locale(language):
        rows = [
            {
                "text": line_text(line),
                "group": str(GROUP[line["group"]]),
                "status": str(STATUS[line["status"]]),
                "amount": money(line["amountOre"]),
                "proposed": money(line["proposedOre"]),
                "changed": line["amountOre"] != line["proposedOre"],
                "reason": line.get("reason"),
            }
            for line in decision.calculation_lines or []
        ]
        sums = totals(decision.calculation_lines) if decision.calculation_lines else None
        return {
            "language": language,
            "rtl": language in RTL_LANGUAGES,
            "outcome": str(labels.OUTCOME[decision.outcome]),
            "amount": money(decision.amount * 100) if decision.amount is not None else None,
            "period": (f"{day(decision.period_start)} – {day(decision.period_end)}" if decision.period_start else None),
            "decided_on": day(decision.decided_at.date()),
            "rows": rows,
            "need": money(sums["needOre"]) if sums else None,
            "income": money(sums["incomeOre"]) if sums else None,
            "result": money(sums["resultOre"]) if sums else None,
        }
