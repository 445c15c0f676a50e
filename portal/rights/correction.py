"""Correcting fetched information (GDPR art. 16, issue 18 point 5): a fetched value is never changed in the
portal (it is sealed, docs/design.md §4); it is corrected at the source, by the authority or company that
holds it. For each source: who holds the information and where to ask. The application keeps the fetched
value with the person's comment, which the municipality sees beside it.

No provider offers a channel for sending a correction request from the portal yet, so the portal only
tells the person where to turn (``channel`` stays None until one does).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n.lazy import _l


@dataclass(frozen=True)
class Correction:
    holder: object  # who holds the information (lazy translated)
    how: object  # how to ask them (lazy translated)
    url: str | None = None  # their own website, where they describe how to ask
    channel: str | None = None  # a way to send the request from the portal: none offers one yet


_SKATTEVERKET = Correction(
    _l("Skatteverket"),
    _l(
        "Contact Skatteverket and say which information is wrong. For "
        "your address and household (folkbokföring) you may need to "
        "report a move or a change."
    ),
    "https://www.skatteverket.se",
)
# By the provider's code (portal/providers); sets a provider answers for others are held by the same authority.
SOURCES = {
    "skatteverket": _SKATTEVERKET,
    "arbetsgivardeklaration": Correction(
        _l("Your employer, through Skatteverket"),
        _l(
            "Pay and tax are what your employer reported to Skatteverket. Ask your employer to correct their "
            "report; Skatteverket can tell you what was reported."
        ),
        "https://www.skatteverket.se",
    ),
    "forsakringskassan": Correction(
        _l("Försäkringskassan"),
        _l("Contact Försäkringskassan about the benefit the information concerns."),
        "https://www.forsakringskassan.se",
    ),
    "csn": Correction(_l("CSN"), _l("Contact CSN about your student finance."), "https://www.csn.se"),
    "arbetsformedlingen": Correction(
        _l("Arbetsförmedlingen"),
        _l("Contact Arbetsförmedlingen, for example through your page with them or your contact person."),
        "https://arbetsformedlingen.se",
    ),
    "akassa": Correction(
        _l("Your unemployment insurance fund (a-kassa)"),
        _l("Contact your a-kassa: its name is shown with the information."),
        None,
    ),
    "pensionsmyndigheten": Correction(
        _l("Pensionsmyndigheten"),
        _l("Contact Pensionsmyndigheten about the pension or the housing supplement."),
        "https://www.pensionsmyndigheten.se",
    ),
    "transportstyrelsen": Correction(
        _l("Transportstyrelsen"),
        _l("Contact Transportstyrelsen if the vehicle register is wrong, for example a vehicle you have sold."),
        "https://www.transportstyrelsen.se",
    ),
    "bolagsverket": Correction(
        _l("Bolagsverket"), _l("Contact Bolagsverket about the company register."), "https://bolagsverket.se"
    ),
    "migrationsverket": Correction(
        _l("Migrationsverket"),
        _l("Contact Migrationsverket about your permit or your daily allowance."),
        "https://www.migrationsverket.se",
    ),
    "kronofogden": Correction(
        _l("Kronofogden"), _l("Contact Kronofogden about the debt or the case."), "https://kronofogden.se"
    ),
    "bank": Correction(_l("Your bank"), _l("Contact your bank about the account."), None),
    "banktransaktioner": Correction(_l("Your bank"), _l("Contact your bank about the account."), None),
}


def correction_for(provider_name: str | None) -> Correction | None:
    """Where to ask for a correction of what ``provider_name`` answered (``x_arenden`` sets: the same ``x``)."""
    if not provider_name:
        return None
    return SOURCES.get(provider_name) or SOURCES.get(provider_name.split("_")[0])
