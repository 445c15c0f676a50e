"""Transportstyrelsen: vehicles the person owns (vägtrafikregistret).

Raw format (see ``devstack/sandbox/providers/transportstyrelsen.py``): ``POST
/transportstyrelsen/vagtrafikregister/v3/agarforfragan`` with ``{"personOrgNummer", "franDatum",
"tillDatum"}`` (ISO dates). The answer lists ``Fordon``, each with ``Agarforhallande`` (``Roll``
AGARE or BRUKARE, ``From``, ``Tom``); only vehicles the person owns (AGARE) during the period are
kept, with registration number, make and model, model year and since when.
"""

from __future__ import annotations

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, Item
from portal.providers.parse import code as _code
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date
from portal.providers.parse import unexpected_format

NAME = "transportstyrelsen"
OWNER, USER = "AGARE", "BRUKARE"
VEHICLE_TYPES = {"PB", "LB", "MC", "SLÄP", "HUSV", "MOPED", "TR", "SNOSK"}
STATUSES = {"ITRAFIK", "AVST"}


class Transportstyrelsen(Provider):
    name = NAME
    title = _l("Transportstyrelsen")
    purpose = _l(
        "To see which vehicles you own, because a vehicle is an asset that may have to be "
        "sold or counted before you can get ekonomiskt bistånd."
    )
    order = 70
    sets = (InfoSet("fordon", _l("Vehicles you own")),)
    labels = {
        "transportstyrelsen.fordon.vehicle": (
            _l("Vehicle owned"),
            _l(
                "A vehicle registered with you as owner. Its value is an asset; the municipality "
                "may ask whether you need it, for example for work."
            ),
        ),
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

    # A vehicle is an asset, but the register gives no value to add: a fact.
    figures = {f"{NAME}.fordon.vehicle": FACT}

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        if info_set != "fordon":
            raise KeyError(info_set)
        return "/transportstyrelsen/vagtrafikregister/v3/agarforfragan", {
            "personOrgNummer": personnummer,
            "franDatum": period.start.isoformat(),
            "tillDatum": period.end.isoformat(),
        }

    def normalise(self, info_set: str, raw: dict, period) -> list:
        if info_set != "fordon":
            raise KeyError(info_set)
        with unexpected_format(NAME):
            return self._fordon(raw, period)

    def _fordon(self, raw, period) -> list:
        items = []
        for vehicle in _get(raw, "Fordon", list):
            holding = _get(vehicle, "Agarforhallande", dict)
            role = _code(holding, "Roll", {OWNER, USER})
            start, end = _date(holding, "From"), _date(holding, "Tom", True)
            registration = _get(vehicle, "Registreringsnummer", str)
            make, model = _get(vehicle, "Fabrikat", str), _get(vehicle, "Handelsbeteckning", str, True)
            details = {
                "registration": registration,
                "make_model": f"{make} {model}".strip() if model else make,
                "model_year": _get(vehicle, "Modellar", int, True),
                "vehicle_type": _code(vehicle, "Fordonsslag", VEHICLE_TYPES),
                "status": _code(vehicle, "Fordonsstatus", STATUSES),
            }
            if role != OWNER or not period.overlaps(start, end):
                continue
            items.append(
                Item(
                    provider=NAME,
                    info_set="fordon",
                    kind=f"{NAME}.fordon.vehicle",
                    theme="assets",
                    period_start=start,
                    period_end=end,
                    details=details,
                )
            )
        return items


PROVIDER = Transportstyrelsen()
