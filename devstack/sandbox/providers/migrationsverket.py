"""Migrationsverket: permits and LMA dagersättning from the person's dossier.

Requests (``POST``, subject field ``personnummer``):

- ``/migrationsverket/api/v1/tillstand`` ``{"personnummer"}``::

    {"personnummer", "dossiernummer": "24-512340", "handlaggare": "…", "medborgarskap": "SOM",
     "tillstand": [{"tillstandstyp": "UT" | "AT" | "UNDANTAG_AT", "varaktighet": "PERMANENT" |
       "TIDSBEGRANSAT", "grund": "SKYDD" | "ARBETE" | "ANKNYTNING" | "STUDIER" | "ASYLSOKANDE",
       "beslutsdatum": "YYYY-MM-DD", "giltigFrom": "YYYY-MM-DD", "giltigTom": "YYYY-MM-DD" | null,
       "kortnummer": "…", "beslutsfattare": "…"}],
     "asylarende": {"ansokningsdatum", "status", "ombud"}}

- ``/migrationsverket/api/v1/lma/dagersattning`` ``{"personnummer", "manader": ["YYYYMM", …]}``
  (the sandbox ignores ``manader`` and answers every month of the year)::

    {"personnummer", "lmaKortnummer": "…", "boende": {"form": "EBO" | "ABO", "adress": "…"},
     "utbetalningar": [{"manad": "YYYYMM", "ersattningstyp": "DAGERSATTNING" | "SARSKILT_BIDRAG",
       "dagar": 30, "dagbeloppOre": 7100, "beloppOre": 213000, "utbetald": "YYYY-MM-DD",
       "skattepliktig": false, "boendeform": "EBO", "anteckning": "…"}]}

Amounts are integer öre. No dossier for the person (a Swedish citizen, say): 404
``MIG-0404``. Errors: ``{"errorCode": "MIG-…", "errorMessage": "…", "correlationId": null}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "migrationsverket",
    url_prefix="/migrationsverket",
    subject_field="personnummer",
    errors={
        400: ("MIG-0400", "Felaktig begäran."),
        401: ("MIG-0401", "Ej behörig."),
        404: ("MIG-0404", "Ingen akt finns för personen."),
        429: ("MIG-0429", "För många anrop."),
        500: ("MIG-0500", "Tekniskt fel."),
        503: ("MIG-0503", "Tjänsten är inte tillgänglig."),
        504: ("MIG-0504", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"errorCode": code, "errorMessage": text, "correlationId": None},
)

tillstand = provider.information_set(
    "tillstand",
    "/api/v1/tillstand",
    default_drift={"rename": {"tillstand.giltigTom": "giltigTill"}},
)
dagersattning = provider.information_set(
    "dagersattning",
    "/api/v1/lma/dagersattning",
    default_drift={"rename": {"utbetalningar.beloppOre": "belopp"}},
)
