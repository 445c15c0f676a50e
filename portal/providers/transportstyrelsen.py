"""Transportstyrelsen: vehicles the person owns (vägtrafikregistret).

Raw format (see ``portal/sandbox/providers/transportstyrelsen.py``): ``POST
/transportstyrelsen/vagtrafikregister/v3/agarforfragan`` with ``{"personOrgNummer", "franDatum",
"tillDatum"}`` (ISO dates). The answer lists ``Fordon``, each with ``Agarforhallande`` (``Roll``
AGARE or BRUKARE, ``From``, ``Tom``); only vehicles the person owns (AGARE) during the period are
kept, with registration number, make and model, model year and since when.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.information.items import Item
from portal.providers.base import InfoSet, Provider, ProviderError

NAME = "transportstyrelsen"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
OWNER, USER = "AGARE", "BRUKARE"
VEHICLE_TYPES = {"PB", "LB", "MC", "SLÄP", "HUSV", "MOPED", "TR", "SNOSK"}
STATUSES = {"ITRAFIK", "AVST"}


class _Drift(Exception):
    pass


def _get(raw, key: str, kind, optional: bool = False):
    if not isinstance(raw, dict) or key not in raw:
        raise _Drift(key)
    value = raw[key]
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Drift(key)
    return value


def _date(raw, key: str, optional: bool = False) -> date | None:
    text = _get(raw, key, str, optional)
    if text is None:
        return None
    if not _ISO_DATE.fullmatch(text):
        raise _Drift(key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Drift(key) from None


def _code(raw, key: str, allowed: set[str]) -> str:
    value = _get(raw, key, str)
    if value not in allowed:
        raise _Drift(key)
    return value


class Transportstyrelsen(Provider):
    name = NAME
    title = _l("Transportstyrelsen")
    purpose = _l("To see which vehicles you own, because a vehicle is an asset that may have to be "
                 "sold or counted before you can get ekonomiskt bistånd.")
    order = 70
    sets = (InfoSet("fordon", _l("Vehicles you own")),)
    labels = {
        "transportstyrelsen.fordon.vehicle": (
            _l("Vehicle you own"),
            _l("A vehicle registered with you as owner. Its value is an asset; the municipality "
               "may ask whether you need it, for example for work.")),
    }
    detail_labels = {
        "registration": _l("Registration number"),
        "make_model": _l("Make and model"),
        "model_year": _l("Model year"),
        "vehicle_type": _l("Type of vehicle"),
        "status": _l("Status"),
    }
    codes = {
        ("vehicle_type", "PB"): _l("Car"),
        ("vehicle_type", "LB"): _l("Lorry or van"),
        ("vehicle_type", "MC"): _l("Motorcycle"),
        ("vehicle_type", "SLÄP"): _l("Trailer"),
        ("vehicle_type", "HUSV"): _l("Caravan"),
        ("vehicle_type", "MOPED"): _l("Moped"),
        ("vehicle_type", "TR"): _l("Tractor"),
        ("vehicle_type", "SNOSK"): _l("Snowmobile"),
        ("status", "ITRAFIK"): _l("In use"),
        ("status", "AVST"): _l("Off the road (avställd)"),
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        if info_set != "fordon":
            raise KeyError(info_set)
        return "/transportstyrelsen/vagtrafikregister/v3/agarforfragan", {
            "personOrgNummer": personnummer, "franDatum": period.start.isoformat(),
            "tillDatum": period.end.isoformat()}

    def normalise(self, info_set: str, raw: dict, period) -> list:
        if info_set != "fordon":
            raise KeyError(info_set)
        try:
            return self._fordon(raw, period)
        except (_Drift, KeyError, TypeError, ValueError, AttributeError):
            raise ProviderError(NAME, "unexpected_format") from None

    def _fordon(self, raw, period) -> list:
        items = []
        for vehicle in _get(raw, "Fordon", list):
            holding = _get(vehicle, "Agarforhallande", dict)
            role = _code(holding, "Roll", {OWNER, USER})
            start, end = _date(holding, "From"), _date(holding, "Tom", True)
            registration = _get(vehicle, "Registreringsnummer", str)
            make, model = _get(vehicle, "Fabrikat", str), _get(vehicle, "Handelsbeteckning", str, True)
            details = {"registration": registration,
                       "make_model": f"{make} {model}".strip() if model else make,
                       "model_year": _get(vehicle, "Modellar", int, True),
                       "vehicle_type": _code(vehicle, "Fordonsslag", VEHICLE_TYPES),
                       "status": _code(vehicle, "Fordonsstatus", STATUSES)}
            if role != OWNER or not period.overlaps(start, end):
                continue
            items.append(Item(provider=NAME, info_set="fordon", kind=f"{NAME}.fordon.vehicle", theme="assets",
                              period_start=start, period_end=end, details=details))
        return items


PROVIDER = Transportstyrelsen()
