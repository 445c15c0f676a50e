"""Skatteverket. Today: folkbokföring (Navet-like person search).

Later sets (taxed income, tax-account payouts, F-skatt) are added here with
``provider.information_set(...)`` and a ``providers.skatteverket.<set>`` block per person file.
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
    "folkbokforing", "/folkbokforing/v1/personsok",
    default_drift={"rename": {"Folkbokforing": "FolkbokforingUppgifter"}},
)
