"""Arbetsförmedlingen: the 6 SSBTEK sets and, with the person's consent, the 14 more SKR
asks for (docs/design.md §3; grouped into 7 sets; see ``portal/providers/arbetsformedlingen.py`` for the mapping).

Request: ``POST /arbetsformedlingen/ssbtek/v2/<set>`` (basic) or
``/arbetsformedlingen/samtycke/v1/<set>`` (consent) with
``{"personnummer": "<12 digits>", "franDatum": "YYYY-MM-DD", "tillDatum": "YYYY-MM-DD"}``.
The sandbox answers the whole stored history whatever the dates (so does the real service for
most sets): the portal filters.

Answer (ISO dates ``YYYY-MM-DD``, months ``YYYY-MM``), always with::

    "sokande": {"personnummer", "fornamn", "efternamn"},          # seed item 1
    "arende": {"arendeId", "handlaggare", "kontor", "kontorskod"}, # internal, not for the portal

then per set:

- ``inskrivning``: ``inskrivningsperioder`` [{``inskrivenFrom``, ``inskrivenTom`` | null, ``kontorskod``}]
- ``arbetsloshetskassa``: ``akassetillhorighet`` [{``akassaKod``, ``akassaNamn``, ``registreradFrom``,
  ``registreradTom`` | null, ``medlemsnummer``}]
- ``sokandekategori``: ``kategorier`` [{``kod`` ("11" öppet arbetslös, "12" förhinder, "21", "22",
  "41", "68", "69"), ``benamning``, ``from``, ``tom`` | null}]
- ``program``: ``programdeltagande`` [{``programkod`` (JOB, EP, UGA, AUB, PRAO, FI), ``programnamn``,
  ``from``, ``tom`` | null, ``anordnare``}]
- ``aktivitetsrapport``: ``senasteAktivitetsrapport`` {``inkomDatum``, ``avserManad``, ``kanal``} | null
- ``aktivitetsrapport_innehall``: ``aktivitetsrapporter`` [{``avserManad``, ``inkomDatum``,
  ``aktiviteter`` [{``aktivitetstyp`` (SOKT_ARBETE, ANSTALLNINGSINTERVJU, REKRYTERINGSTRAFF,
  PRAKTIK, STUDIER, OVRIGT), ``datum``, ``arbetsgivare``, ``yrke``, ``beskrivning``}]}]
- ``sanktioner``: ``sanktionsbeslut`` [{``beslutsdatum``, ``grund``, ``pafoljd`` (VARNING,
  AVSTANGNING, UTSKRIVNING, ATERKALLELSE), ``avstangningsdagar`` | null, ``avstangdFrom``,
  ``avstangdTom``, ``ersattning``, ``motivering`` (free text), ``beslutsfattare``}]
- ``avaktualisering``: ``avaktualiseringar`` [{``datum``, ``orsakskod``, ``orsakstext``, ``kommentar``}]
- ``anvisningar``: ``anvisningar`` [{``tjanst``, ``leverantor``, ``from``, ``tom``, ``beslutsdatum``,
  ``leverantorKontaktperson``}], ``programbeslut`` [{``programkod``, ``beslutsdatum``, ``from``, ``tom``,
  ``aktiviteter`` [{``aktivitet``, ``omfattningProcent``, ``from``, ``tom``, ``schema``}]}]
- ``handlingsplan``: ``handlingsplan`` {``upprattad``, ``senastReviderad``, ``sokinriktning``
  [{``yrke``, ``ssyk``}], ``sokomfattningProcent``, ``kravAntalSoktaJobbPerManad``,
  ``overenskommelse`` (free text)} | null, ``nastaPlaneringssamtal`` {``datum``, ``tid``, ``form``
  (BESOK, TELEFON, DISTANS), ``handlaggare``} | null
- ``stod_och_ratt``: ``arbetspraktik`` {``berattigad``, ``bedomd``}, ``funktionsnedsattning``
  {``kod``, ``registrerad``, ``underlag``} | null, ``jobbOchUtvecklingsgarantin`` {``inskrivenFrom``,
  ``forbrukadeDagar``, ``maxDagar``, ``per``} | null, ``sius`` {``berattigad``, ``bedomd``}
- ``ersattningsansokan``: ``ansokningar`` [{``stodtyp``, ``inkom``, ``status``, ``beslutsdatum``,
  ``kompletteringar`` [{``begard``, ``inkommen`` | null, ``avser``}]}]

A person not registered at Arbetsförmedlingen: 404 ``{"felkod": "AF-SOK-404", "meddelande": …}``.
Errors: ``{"felkod": "AF-…", "meddelande": "…", "tidpunkt": null}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "arbetsformedlingen",
    url_prefix="/arbetsformedlingen",
    subject_field="personnummer",
    errors={
        400: ("AF-REQ-400", "Begäran är felaktig."),
        401: ("AF-AUTH-401", "Klienten är inte behörig."),
        404: ("AF-SOK-404", "Personen är inte inskriven hos Arbetsförmedlingen."),
        429: ("AF-RATE-429", "För många anrop, försök igen senare."),
        500: ("AF-SYS-500", "Internt fel."),
        503: ("AF-SYS-503", "Tjänsten är tillfälligt otillgänglig."),
        504: ("AF-SYS-504", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"felkod": code, "meddelande": text, "tidpunkt": None},
)

_BASIC = {
    "inskrivning": "inskrivningsperioder",
    "arbetsloshetskassa": "akassetillhorighet",
    "sokandekategori": "kategorier",
    "program": "programdeltagande",
    "aktivitetsrapport": "senasteAktivitetsrapport",
}
_EXTENDED = {
    "aktivitetsrapport_innehall": "aktivitetsrapporter",
    "sanktioner": "sanktionsbeslut",
    "avaktualisering": "avaktualiseringar",
    "anvisningar": "anvisningar",
    "handlingsplan": "handlingsplan",
    "stod_och_ratt": "arbetspraktik",
    "ersattningsansokan": "ansokningar",
}

for _name, _key in _BASIC.items():
    provider.information_set(_name, f"/ssbtek/v2/{_name}", default_drift={"rename": {_key: f"{_key}Lista"}})
for _name, _key in _EXTENDED.items():
    provider.information_set(_name, f"/samtycke/v1/{_name}", default_drift={"rename": {_key: f"{_key}Lista"}})
