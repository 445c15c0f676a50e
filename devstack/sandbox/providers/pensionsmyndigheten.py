"""Pensionsmyndigheten: ålderspension, premiepension, bostadstillägg, efterlevandepension.

Request: ``POST /pensionsmyndigheten/api/v1/<set>`` with
``{"personnummer": "<12 digits>", "franManad": "202609", "tillManad": "202612"}``. The
sandbox ignores the months and answers with all stored months (back to January 2026).

Months are ``YYYYMM``, payment days ISO dates (``2026-10-19``), amounts integer öre.

Every set::

    {"personnummer": "...", "kundnummer": "...", "handlaggarId": "...",   # never kept
     "manadsutbetalningar": [{"manad": "202610", "utbetalningsdag": "2026-10-19",
                              "nettoOre": ..., "skattetabell": 33, "kontonummer": "...",
                              ...set fields...}]}

Set fields of a month: alderspension ``delar`` ([{"delkod": IP | TP | GP, "bruttoOre"}]) and
``skattOre``; premiepension ``bruttoOre``, ``skattOre`` and ``fondinnehav`` (never kept);
bostadstillagg ``beloppOre`` (tax-free), with a top-level ``beslut`` (housing cost and
decision: never kept); efterlevandepension ``formanstyp`` (OMSTALLNINGSPENSION, BARNPENSION,
EFTERLEVANDESTOD, ANKEPENSION), ``bruttoOre``, ``skattOre``, ``skattepliktig``, and a
top-level ``formaner``: [{"formanstyp", "giltigFrom", "giltigTom" (null while paid),
"status" (LOPANDE, UPPHORD), "avlidenPersonnummer", "avlidenNamn", "upphorOrsak"}] — the
deceased's data is never kept.

A person in the cast with nothing: 200 with empty lists. Outside the cast: 404. Errors:
``{"kod": "PM...", "text": "..."}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "pensionsmyndigheten",
    url_prefix="/pensionsmyndigheten",
    subject_field="personnummer",
    errors={
        400: ("PM1001", "Felaktig begäran."),
        401: ("PM1002", "Saknar behörighet."),
        404: ("PM1004", "Personen finns inte hos Pensionsmyndigheten."),
        429: ("PM1029", "För många anrop."),
        500: ("PM1500", "Tekniskt fel."),
        503: ("PM1503", "Tjänsten är stängd för underhåll."),
        504: ("PM1504", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"kod": code, "text": text},
)


def _nothing(info_set: str):
    extra = {"formaner": []} if info_set == "efterlevandepension" else {}
    return provider.empty(manadsutbetalningar=[], **extra)


for _name in ("alderspension", "premiepension", "bostadstillagg", "efterlevandepension"):
    provider.information_set(
        _name,
        f"/api/v1/{_name}",
        nothing=_nothing(_name),
        default_drift={"rename": {"manadsutbetalningar.manad": "period"}},
    )
del _name
