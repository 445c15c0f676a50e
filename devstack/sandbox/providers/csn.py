"""CSN: studiemedel and studiestartsstöd.

Request: ``POST /csn/api/v1/studiemedel`` or ``/csn/api/v1/studiestartsstod`` with
``{"Personnummer": "<12 digits>", "Tidsperiod": {"Fran": "20260801", "Till": "20261231"}}``.
The sandbox ignores ``Tidsperiod`` and answers with every stored period.

Dates are ``YYYYMMDD`` strings; amounts are integer kronor.

studiemedel::

    {"Personnummer": "...", "Kundnummer": "...", "Handlaggare": "...",   # never kept
     "Studieperioder": [
        {"PeriodFran": "20260824", "PeriodTill": "20270117", "Termin": "HT2026",
         "Studietakt": 100, "Veckor": 21,
         "Larosate": "...", "Utbildning": "...", "Beslutsnummer": "...", # never kept
         "Utbetalningar": [
            {"Utbetalningsdatum": "20260925", "AvserFran": "20260901", "AvserTill": "20260930",
             "Bidrag": 3644, "Tillaggsbidrag": 0, "Lan": 8520, "Tillaggslan": 0,
             "Merkostnadslan": 0, "Kontonummer": "..."}]}],
     "Aterbetalning": {"Arsbelopp": ..., "Skuld": ...}}              # never kept

studiestartsstod::

    {"Personnummer": "...", "Kundnummer": "...",
     "Utbetalningar": [{"Utbetalningsdatum", "AvserFran", "AvserTill", "Studietakt",
                        "Bruttobelopp", "Skatteavdrag", "Nettobelopp", "Kontonummer"}]}

Someone who is not a CSN customer, or has no studiestartsstöd: 404
``{"status": 404, "felkod": "KUND_SAKNAS", "felmeddelande": "..."}`` (every error has that
shape).
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "csn",
    url_prefix="/csn",
    subject_field="Personnummer",
    errors={
        400: ("OGILTIG_FRAGA", "Frågan kunde inte tolkas."),
        401: ("OBEHORIG", "Klienten saknar behörighet."),
        404: ("KUND_SAKNAS", "Det finns inga uppgifter om personen hos CSN."),
        429: ("FOR_MANGA_FRAGOR", "För många frågor, försök igen senare."),
        500: ("SYSTEMFEL", "Systemfel hos CSN."),
        503: ("UR_DRIFT", "Tjänsten är ur drift."),
        504: ("TIDSGRANS", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {
        "status": {
            "OGILTIG_FRAGA": 400,
            "OBEHORIG": 401,
            "KUND_SAKNAS": 404,
            "FOR_MANGA_FRAGOR": 429,
            "SYSTEMFEL": 500,
            "UR_DRIFT": 503,
            "TIDSGRANS": 504,
        }.get(code, 500),
        "felkod": code,
        "felmeddelande": text,
    },
)

studiemedel = provider.information_set(
    "studiemedel", "/api/v1/studiemedel", default_drift={"rename": {"Studieperioder": "Studiemedelsperioder"}}
)
studiestartsstod = provider.information_set(
    "studiestartsstod", "/api/v1/studiestartsstod", default_drift={"rename": {"Utbetalningar.Bruttobelopp": "Belopp"}}
)
