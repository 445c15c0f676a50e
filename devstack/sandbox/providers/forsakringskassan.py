"""Försäkringskassan: benefits paid per month (``api/formaner/v2/<set>``).

Request: ``POST /forsakringskassan/api/formaner/v2/<set>`` with
``{"personId": "<12 digits>", "fromDatum": "2026-08-01", "tomDatum": "2026-12-31"}``. The
sandbox ignores the window and answers with the whole stored history (back to January 2026),
as the agency's history service does.

Sets: ``bostadsbidrag``, ``barnbidrag``, ``underhallsstod``, ``sjukpenning``,
``foraldrapenning``, ``aktivitetsstod``, ``sjukersattning``, ``vardbidrag``,
``merkostnadsersattning``.

Answer (every set)::

    {"personId": "...", "formansslag": "SJUKPENNING", "arendeId": "FK-2026-...",
     "handlaggare": {"namn": "...", "enhet": "..."},            # never kept by the portal
     "utbetalningar": [
        {"utbetalningsdatum": "2026-10-23",                     # ISO date
         "avserManad": "2026-10",                               # the month paid for
         "bruttobelopp": "21 840,00", "skatteavdrag": "6 552,00", "nettobelopp": "15 288,00",
         "skattepliktig": true,                                 # kronor strings, comma decimal
         "mottagarkonto": "...", "utbetalningsreferens": "...", # never kept
         ...set fields...}]}

Set fields of a payment: barnbidrag ``antalBarn``; underhallsstod ``stodtyp``
(UNDERHALLSSTOD, FORLANGT_UNDERHALLSSTOD) and ``bidragsskyldig`` (the other parent: never
kept); sjukpenning ``omfattning`` (HEL, TRE_FJARDEDELAR, HALV, EN_FJARDEDEL) and ``dagar``;
foraldrapenning ``formanstyp`` (FORALDRAPENNING, TILLFALLIG_FORALDRAPENNING), ``omfattning``,
``dagar``, ``barnPersonId`` (never kept); aktivitetsstod ``ersattningstyp`` (AKTIVITETSSTOD,
ETABLERINGSERSATTNING, UTVECKLINGSERSATTNING), ``ersattningsniva`` (GRUNDNIVA,
INKOMSTRELATERAD, ETABLERING, UTVECKLING), ``dagbelopp``, ``dagar`` and ``nedsattning`` (null
or ``{"orsakskod", "avdragsdagar", "avdrag", "beslutAv", "anteckning"}``; orsakskod
AVSTANGNING_1_DAG, AVSTANGNING_5_DAGAR, AVSTANGNING_10_DAGAR, FRANVARO_UTAN_GILTIGT_SKAL,
AKTIVITETSRAPPORT_SAKNAS, DELTIDSARBETE); sjukersattning ``formanstyp`` (SJUKERSATTNING,
AKTIVITETSERSATTNING) and ``omfattning``; vardbidrag ``formanstyp`` (VARDBIDRAG,
OMVARDNADSBIDRAG) and ``omfattning``; merkostnadsersattning ``niva`` (NIVA_1 … NIVA_5).

bostadsbidrag also has ``ansokningar``: ``[{"ansokningsdatum", "avserFrom", "avserTom"
(null while open), "status" (MOTTAGEN, UNDER_HANDLAGGNING, KOMPLETTERING_BEGARD, BEVILJAD,
AVSLAGEN), "arendeId", "medsokande" {"personId", "namn"}, "handlaggare", "anteckning"}]``.
aktivitetsstod also has ``beslut``: ``[{"beslutsId", "beslutsdatum", "giltigFrom",
"giltigTom", "ersattningstyp", "ersattningsniva", "dagbelopp"}]``.

A person in the cast with nothing at Försäkringskassan: 200 with empty lists (Försäkringskassan
knows every insured person). Outside the cast: 404. Errors: ``{"felkod": "FK-...",
"meddelande": "..."}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "forsakringskassan",
    url_prefix="/forsakringskassan",
    subject_field="personId",
    errors={
        400: ("FK-400-OGILTIG_BEGARAN", "Begäran är ogiltig."),
        401: ("FK-401-EJ_AUKTORISERAD", "Klienten är inte auktoriserad."),
        404: ("FK-404-PERSON_OKAND", "Personen är okänd för Försäkringskassan."),
        429: ("FK-429-BEGRANSNING", "För många anrop. Försök igen senare."),
        500: ("FK-500-INTERNT_FEL", "Internt fel."),
        503: ("FK-503-EJ_TILLGANGLIG", "Tjänsten är tillfälligt otillgänglig."),
        504: ("FK-504-TIDSGRANS", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"felkod": code, "meddelande": text},
)

SETS = {
    "bostadsbidrag": "BOSTADSBIDRAG",
    "barnbidrag": "BARNBIDRAG",
    "underhallsstod": "UNDERHALLSSTOD",
    "sjukpenning": "SJUKPENNING",
    "foraldrapenning": "FORALDRAPENNING",
    "aktivitetsstod": "AKTIVITETSSTOD",
    "sjukersattning": "SJUKERSATTNING",
    "vardbidrag": "VARDBIDRAG",
    "merkostnadsersattning": "MERKOSTNADSERSATTNING",
}
EXTRA_LISTS = {"bostadsbidrag": "ansokningar", "aktivitetsstod": "beslut"}


def _nothing(info_set: str):
    extra = {EXTRA_LISTS[info_set]: []} if info_set in EXTRA_LISTS else {}
    return provider.empty(formansslag=SETS[info_set], utbetalningar=[], **extra)


for _name in SETS:
    provider.information_set(
        _name,
        f"/api/formaner/v2/{_name}",
        nothing=_nothing(_name),
        default_drift={"rename": {"utbetalningar.bruttobelopp": "belopp"}},
    )
del _name
