"""Bolagsverket's company information: a person's assignments (funktionärsuppdrag) in
registered organisations.

Request: ``POST /bolagsverket/foretagsinformation/v1/funktionarsuppdrag`` with
``{"personidentitetsnummer": "<12 digits>", "avserPeriod": {"fromDatum": "2026-08-01",
"tomDatum": "2026-11-30"}}``. The sandbox ignores ``avserPeriod`` and answers everything stored.
ISO dates::

    {"personidentitetsnummer", "hamtad": "2026-11-25T09:12:00+01:00",
     "funktionarsuppdrag": [
       {"organisation": {"organisationsnummer": "559012-7734", "namn": "…",
                         "organisationsform": {"kod": "AB" | "EF" | "HB" | "KB" | "EK" | "BRF", "klartext"},
                         "status": {"kod": "AKTIV" | "LIKVIDATION" | "KONKURS" | "AVREGISTRERAD",
                                    "datum": "2026-01-15" | null, "klartext"},
                         "registreringsdatum", "postadress": {…}},                  # never kept
        "roller": [{"kod": "INNEHAVARE" | "BOLAGSMAN" | "KOMPLEMENTAR" | "VD" | "ORDF" | "LEDAMOT" |
                           "SUPPLEANT", "klartext", "fran": "2021-05-03", "till": null}],
        "firmateckning": "…",                                                     # never kept
        "ovrigaFunktionarer": [{"namn", "personidentitetsnummer", "roll"}]}]}      # never kept

Someone in the cast with no assignments: 200 with ``"funktionarsuppdrag": []``. A number not in
the cast: 404 ``PERSON_EJ_FUNNEN``. Errors: ``{"fel": {"kod", "beskrivning"}}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "bolagsverket",
    url_prefix="/bolagsverket",
    subject_field="personidentitetsnummer",
    errors={
        400: ("OGILTIG_FORFRAGAN", "Förfrågan saknar giltigt personidentitetsnummer."),
        401: ("OBEHORIG", "Klienten saknar behörighet."),
        404: ("PERSON_EJ_FUNNEN", "Personen finns inte i registret."),
        429: ("FOR_MANGA_ANROP", "För många anrop."),
        500: ("INTERNT_FEL", "Internt fel."),
        503: ("TJANST_OTILLGANGLIG", "Tjänsten är inte tillgänglig."),
        504: ("TIDSGRANS", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"fel": {"kod": code, "beskrivning": text}},
)


_no_assignments = provider.empty(hamtad=None, funktionarsuppdrag=[])


roller = provider.information_set(
    "roller",
    "/foretagsinformation/v1/funktionarsuppdrag",
    nothing=_no_assignments,
    default_drift={"rename": {"funktionarsuppdrag.roller": "befattningar"}},
)
