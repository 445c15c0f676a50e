"""Transportstyrelsen: vehicles in the road traffic register (vägtrafikregistret) by owner.

Request: ``POST /transportstyrelsen/vagtrafikregister/v3/agarforfragan`` with
``{"personOrgNummer": "<12 digits>", "franDatum": "YYYY-MM-DD", "tillDatum": "YYYY-MM-DD"}``.
The register answers every vehicle linked to the person in the last years, sold ones too::

    {"Sokbegrepp": {"personOrgNummer", "Namn"}, "AntalTraffar": 2, "Fordon": [
      {"Registreringsnummer": "ABC123", "Fordonsslag": "PB" | "LB" | "MC" | "SLÄP" | "HUSV" | …,
       "Fabrikat": "VOLVO", "Handelsbeteckning": "V70" | null, "Modellar": 2012 | null,
       "Fordonsar": 2011, "ForstaRegistrering": "2011-11-03", "Fordonsstatus": "ITRAFIK" | "AVST",
       "Chassinummer", "Agarforhallande": {"Roll": "AGARE" | "BRUKARE", "From": "YYYY-MM-DD",
       "Tom": "YYYY-MM-DD" | null, "Kreditgivare": {"Organisationsnummer", "Namn"} | null,
       "TidigareAgare": […]}, "Fordonsskatt": {"ArsbeloppKr", "Betald"},
       "Besiktning": {"Senaste", "SenastSkaBesiktigas"}}]}

No vehicles: 200 with ``"AntalTraffar": 0, "Fordon": []``. Errors:
``{"fel": {"kod": "TS-…", "beskrivning": "…"}}``.
"""

from __future__ import annotations

from flask import request

from .base import Provider, json_response

provider = Provider(
    "transportstyrelsen",
    url_prefix="/transportstyrelsen",
    subject_field="personOrgNummer",
    errors={
        400: ("TS-4000", "Ogiltig förfrågan."),
        401: ("TS-4010", "Saknar behörighet till vägtrafikregistret."),
        404: ("TS-4040", "Inga uppgifter hittades."),
        429: ("TS-4290", "För många förfrågningar."),
        500: ("TS-5000", "Tekniskt fel i vägtrafikregistret."),
        503: ("TS-5030", "Vägtrafikregistret är inte tillgängligt."),
        504: ("TS-5040", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"fel": {"kod": code, "beskrivning": text}},
)


def _no_vehicles():
    body = request.get_json(silent=True) or {}
    return json_response(
        {"Sokbegrepp": {"personOrgNummer": body.get("personOrgNummer"), "Namn": None}, "AntalTraffar": 0, "Fordon": []}
    )


fordon = provider.information_set(
    "fordon",
    "/vagtrafikregister/v3/agarforfragan",
    default_drift={"rename": {"Fordon.Agarforhallande": "Agare"}},
    nothing=_no_vehicles,
)
