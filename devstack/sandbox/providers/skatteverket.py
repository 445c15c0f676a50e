"""Skatteverket: folkbokföring (Navet-like person search), taxed income, tax-account payouts
and F-skatt. Every request is ``POST`` with ``{"Identitetsbeteckning": "<12 digits>", …}``; dates
are YYYYMMDD strings, amounts integer kronor, yes/no "J"/"N".

- ``folkbokforing`` ``/skatteverket/folkbokforing/v1/personsok``: see ``devstack/testdata/README.md``.
- ``taxerad_inkomst`` ``/skatteverket/inkomst/v1/beskattningsbeslut`` (body also ``Inkomstar``,
  which the sandbox ignores: it answers every stored year)::

    {"Identitetsbeteckning", "Beskattningsbeslut": [{"Inkomstar": 2025, "Beslutsdatum": "20260814",
      "Beslutstyp": "GRUNDBESLUT" | "OMPROVNING", "Arendenummer", "Handlaggare",
      "Inkomster": {"OverskottTjanst", "OverskottNaringsverksamhet", "OverskottKapital",
                    "UnderskottKapital"},  # integer kronor
      "SlutligSkatt", "Arbetsgivare": [{"Organisationsnummer", "Namn", "Belopp"}]}]}

- ``skattekonto`` ``/skatteverket/skattekonto/v1/transaktioner`` (body also ``FromDatum``,
  ``TomDatum``, ignored: the whole year is answered)::

    {"Identitetsbeteckning", "Skattekonto": {"Saldo", "Saldodatum", "Transaktioner": [
      {"Transaktionsdatum", "Transaktionskod": "SLS" | "DEB" | "INB" | "RTA" | "UTB",
       "Transaktionstext", "Belopp" (negative = out of the account), "Utbetalningssatt":
       "AVI" | "KONTO" (UTB only, else null), "Verifikationsnummer", "Mottagarkonto"}]} | null}

- ``f_skatt`` ``/skatteverket/registrering/v1/fskatt``::

    {"Identitetsbeteckning", "FSkatt": {"Godkand": "J"/"N", "FromDatum", "TomDatum", "Beslutsnummer"} | null,
     "Momsregistrering": {"Registrerad", "FromDatum", "Redovisningsperiod"} | null,
     "Arbetsgivarregistrering": {"Registrerad", "FromDatum"} | null,
     "Naringsverksamheter": [{"Organisationsnummer", "Foretagsform": "EF" | "HB" | "KB" | "AB",
       "Firma", "SNIKod", "StartDatum", "AvslutDatum", "Postadress"}]}

A person in folkbokföring but with nothing in a set: 200 with an empty answer (no decisions,
``Skattekonto`` null, ``FSkatt`` null and no businesses). A number not in folkbokföring: 404
``PERSON_SAKNAS``. Errors: ``{"Felkod", "Feltext"}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "skatteverket",
    url_prefix="/skatteverket",
    subject_field="Identitetsbeteckning",
    errors={
        400: ("FELAKTIG_FRAGA", "Frågan är felaktigt formulerad."),
        401: ("EJ_BEHORIG", "Behörighet saknas."),
        404: ("PERSON_SAKNAS", "Personen finns inte i folkbokföringen."),
        429: ("FOR_MANGA_ANROP", "För många anrop."),
        500: ("TEKNISKT_FEL", "Ett tekniskt fel har inträffat."),
        503: ("TJANSTEN_EJ_TILLGANGLIG", "Tjänsten är inte tillgänglig."),
        504: ("TIDSGRANS_OVERSKRIDEN", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"Felkod": code, "Feltext": text},
)

folkbokforing = provider.information_set(
    "folkbokforing",
    "/folkbokforing/v1/personsok",
    default_drift={"rename": {"Folkbokforing": "FolkbokforingUppgifter"}},
)


taxerad_inkomst = provider.information_set(
    "taxerad_inkomst",
    "/inkomst/v1/beskattningsbeslut",
    default_drift={"rename": {"Beskattningsbeslut": "Beslut"}},
    nothing=provider.empty(Beskattningsbeslut=[]),
)
skattekonto = provider.information_set(
    "skattekonto",
    "/skattekonto/v1/transaktioner",
    default_drift={"rename": {"Skattekonto.Transaktioner": "Kontohandelser"}},
    nothing=provider.empty(Skattekonto=None),
)
f_skatt = provider.information_set(
    "f_skatt",
    "/registrering/v1/fskatt",
    default_drift={"rename": {"FSkatt": "Fskattsedel"}},
    nothing=provider.empty(FSkatt=None, Momsregistrering=None, Arbetsgivarregistrering=None, Naringsverksamheter=[]),
)
