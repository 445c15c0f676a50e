"""Kronofogden's debtor information (gäldenärsuppgifter): debts in enforcement, wage
garnishment (utmätning) and debt restructuring (skuldsanering).

Request: ``POST /kronofogden/galdenar/v1/skulder`` (or ``/utmatning``, ``/skuldsanering``) with
``{"galdenarId": "<12 digits>", "urval": {"franDatum": "20260801", "tillDatum": "20261130"}}``.
The sandbox ignores ``urval`` and answers with everything stored. Dates in answers are ISO,
amounts whole kronor as integers.

Someone in the cast Kronofogden has nothing about: 200 ``{"galdenarId", "registrerad": false}``
for every set. A person not in the cast: 404 ``GALDENAR_SAKNAS``.

skulder::

    {"galdenarId", "registrerad": true, "uttagsdatum": "2026-11-25", "summaKr": 48210,
     "mal": [{"malnummer": "A-123456-26", "handlaggare": "…", "anteckning": "…",     # never kept
              "borgenar": {"namn": "Skatteverket", "typ": "ALLMAN" | "ENSKILD", "orgnr": "…"},
              "status": "AKTIV" | "PRESKRIBERAD" | "AVSLUTAD",
              "registreratDatum": "2026-03-10", "avslutatDatum": null,
              "ursprungligtBeloppKr": 31000, "kvarAttBetalaKr": 28450}]}

utmatning::

    {"galdenarId", "registrerad": true, "utmatningsbeslut": [
        {"beslutsdatum": "2026-06-12", "giltigFran": "2026-07-01", "giltigTill": null,
         "betalare": {"namn": "Bygg & Montage AB", "orgnr": "…"},
         "inkomsttyp": "LON" | "PENSION" | "ERSATTNING", "manadsbeloppKr": 3200,
         "forbehallsbeloppKr": 11800, "malnummer": ["…"], "handlaggare": "…"}]}       # last three never kept

skuldsanering (a person in the cast without a case: ``registrerad: false`` as above)::

    {"galdenarId", "registrerad": true, "arende": {
        "arendenummer": "…", "handlaggare": "…",                                      # never kept
        "status": "ANSOKAN" | "INLEDD" | "BESLUTAD" | "AVSLAGEN" | "AVSLUTAD",
        "ansokningsdatum": "2026-05-04", "beslutsdatum": null,
        "betalningsplan": {"startdatum", "slutdatum", "manadsbeloppKr"} | null,
        "borgenarer": [{"namn", "fordranKr"}]}}                                       # never kept

Errors: ``{"felkod": "…", "felmeddelande": "…"}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "kronofogden",
    url_prefix="/kronofogden",
    subject_field="galdenarId",
    errors={
        400: ("FELAKTIG_FRAGA", "Frågan saknar giltigt personnummer."),
        401: ("EJ_BEHORIG", "Behörighet saknas."),
        404: ("GALDENAR_SAKNAS", "Personen finns inte i registret."),
        429: ("FOR_MANGA_FRAGOR", "För många frågor."),
        500: ("TEKNISKT_FEL", "Tekniskt fel."),
        503: ("EJ_TILLGANGLIG", "Tjänsten är inte tillgänglig."),
        504: ("TIDSGRANS", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"felkod": code, "felmeddelande": text},
)


_not_registered = provider.empty(registrerad=False)


skulder = provider.information_set(
    "skulder",
    "/galdenar/v1/skulder",
    nothing=_not_registered,
    default_drift={"rename": {"mal.kvarAttBetalaKr": "aterstaendeBelopp"}},
)
utmatning = provider.information_set(
    "utmatning",
    "/galdenar/v1/utmatning",
    nothing=_not_registered,
    default_drift={"rename": {"utmatningsbeslut.giltigFran": "fromDatum"}},
)
skuldsanering = provider.information_set(
    "skuldsanering",
    "/galdenar/v1/skuldsanering",
    nothing=_not_registered,
    default_drift={"rename": {"arende.status": "arendestatus"}},
)
