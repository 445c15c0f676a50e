"""Skatteverket's employer declarations at individual level (arbetsgivardeklaration på
individnivå): what each employer reported paying the person, month by month. A separate
endpoint of Skatteverket's service, with its own consent unit in the portal, so it is its own
sandbox provider under Skatteverket's URL and error format.

Request: ``POST /skatteverket/arbetsgivardeklaration/v1/individuppgifter`` with
``{"Identitetsbeteckning": "<12 digits>", "FromRedovisningsmanad": "202608",
"TomRedovisningsmanad": "202611"}``. The sandbox ignores the months and answers everything
stored. Months YYYYMM, dates YYYYMMDD, amounts integer kronor::

    {"Identitetsbeteckning", "Individuppgifter": [
      {"Redovisningsmanad": "202610",
       "Arbetsgivare": {"Organisationsnummer": "556…", "Namn": "…"},
       "Specifikationsnummer": 1, "Inlamningsdatum": "20261110",                  # never kept
       "Arbetsplats": {"Adress", "Ort"},                                          # never kept
       "KontantErsattning": 24500,        # FK011, cash pay before tax
       "AvdragenSkatt": 6350,             # FK001, tax withheld
       "Formaner": [{"Typ": "BILFORMAN" | "KOSTFORMAN" | "BOSTADSFORMAN" | "OVRIG",
                     "Belopp": 3100}],    # FK012-FK019, taxable benefits
       "Borttagen": "J" | "N"}]}          # J: withdrawn by the employer (a correction follows)

Someone in the cast no employer has reported for: 200 with ``"Individuppgifter": []``. A number
not in folkbokföring: 404 ``PERSON_SAKNAS``. Errors: ``{"Felkod", "Feltext"}``, as Skatteverket's.
"""

from __future__ import annotations

from .base import Provider
from .skatteverket import provider as skatteverket

provider = Provider(
    "arbetsgivardeklaration",
    url_prefix="/skatteverket/arbetsgivardeklaration",
    subject_field="Identitetsbeteckning",
    errors=skatteverket.errors,
    error_body=skatteverket.error_body,
)


_none_reported = provider.empty(Individuppgifter=[])


lon = provider.information_set(
    "lon",
    "/v1/individuppgifter",
    nothing=_none_reported,
    default_drift={"rename": {"Individuppgifter.KontantErsattning": "FK011"}},
)
