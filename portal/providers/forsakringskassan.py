"""Försäkringskassan: benefits paid per month, and a pending bostadsbidrag application.

Raw format (see ``devstack/sandbox/providers/forsakringskassan.py``): one endpoint per benefit,
``POST /forsakringskassan/api/formaner/v2/<set>`` with ``{"personId", "fromDatum", "tomDatum"}``
(ISO dates). The answer lists ``utbetalningar`` (``avserManad`` "YYYY-MM", ``utbetalningsdatum``
ISO, amounts as kronor strings with a comma decimal and a space as thousands separator,
``skattepliktig`` true/false) plus set-specific fields; bostadsbidrag adds ``ansokningar``,
aktivitetsstöd adds ``beslut``.
"""

from __future__ import annotations

import re
from datetime import date

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider, paid_and_taxed
from portal.providers.items import FACT, PAYMENT, TAX_WITHHELD, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import code as _code
from portal.providers.parse import day, decimal_ore, month, unexpected_format
from portal.providers.parse import get as _get

NAME = "forsakringskassan"
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_KRONOR = re.compile(r"-?\d{1,3}(?: \d{3})*,\d{2}")


def _ore(text) -> int:
    """ "1 234,50" kronor -> 123450 öre."""
    return decimal_ore(text, _KRONOR, "amount", point=",")


def _date(text) -> date:
    return day(text, "date")


def _optional_date(text) -> date | None:
    return None if text is None else _date(text)


def _month(text) -> tuple[date, date]:
    return month(text, _MONTH, "month")


EXTENTS = {"HEL", "TRE_FJARDEDELAR", "HALV", "EN_FJARDEDEL", "EN_ATTONDEL"}
APPLICATION_STATUSES = {"MOTTAGEN", "UNDER_HANDLAGGNING", "KOMPLETTERING_BEGARD", "BEVILJAD", "AVSLAGEN"}
ACTIVITY_TYPES = {"AKTIVITETSSTOD", "ETABLERINGSERSATTNING", "UTVECKLINGSERSATTNING"}
ACTIVITY_LEVELS = {"GRUNDNIVA", "INKOMSTRELATERAD", "ETABLERING", "UTVECKLING"}
REDUCTION_REASONS = {
    "AVSTANGNING_1_DAG",
    "AVSTANGNING_5_DAGAR",
    "AVSTANGNING_10_DAGAR",
    "FRANVARO_UTAN_GILTIGT_SKAL",
    "AKTIVITETSRAPPORT_SAKNAS",
    "DELTIDSARBETE",
}
PARENTAL_TYPES = {"FORALDRAPENNING": "foraldrapenning", "TILLFALLIG_FORALDRAPENNING": "tillfallig"}


def _payment_details(info_set: str, entry: dict) -> tuple[str, dict]:
    """The set's own fields of one payment: (kind suffix, details)."""
    details: dict = {}
    suffix = "payment"
    if info_set == "barnbidrag":
        details["children"] = _get(entry, "antalBarn", int)
    elif info_set == "underhallsstod":
        details["type"] = _code(entry, "stodtyp", {"UNDERHALLSSTOD", "FORLANGT_UNDERHALLSSTOD"})
    elif info_set == "sjukpenning":
        details["extent"] = _code(entry, "omfattning", EXTENTS)
        details["days"] = _get(entry, "dagar", int)
    elif info_set == "foraldrapenning":
        suffix = PARENTAL_TYPES[_code(entry, "formanstyp", set(PARENTAL_TYPES))]
        details["extent"] = _code(entry, "omfattning", EXTENTS)
        details["days"] = _get(entry, "dagar", int)
    elif info_set == "aktivitetsstod":
        details["type"] = _code(entry, "ersattningstyp", ACTIVITY_TYPES)
        details["level"] = _code(entry, "ersattningsniva", ACTIVITY_LEVELS)
        details["daily_amount_kr"] = _ore(_get(entry, "dagbelopp", str)) // 100
        details["days"] = _get(entry, "dagar", int)
        reduction = _get(entry, "nedsattning", dict, optional=True)
        if reduction is not None:
            details["reduction_reason"] = _code(reduction, "orsakskod", REDUCTION_REASONS)
            details["reduction_days"] = _get(reduction, "avdragsdagar", int)
    elif info_set == "sjukersattning":
        details["type"] = _code(entry, "formanstyp", {"SJUKERSATTNING", "AKTIVITETSERSATTNING"})
        details["extent"] = _code(entry, "omfattning", EXTENTS)
    elif info_set == "vardbidrag":
        details["type"] = _code(entry, "formanstyp", {"VARDBIDRAG", "OMVARDNADSBIDRAG"})
        details["extent"] = _code(entry, "omfattning", EXTENTS)
    elif info_set == "merkostnadsersattning":
        details["level"] = _code(entry, "niva", {"NIVA_1", "NIVA_2", "NIVA_3", "NIVA_4", "NIVA_5"})
    return suffix, details


def request_body(personnummer: str, period) -> dict:
    """Försäkringskassan's question about a person over a period, the same for every endpoint."""
    return {"personId": personnummer, "fromDatum": period.start.isoformat(), "tomDatum": period.end.isoformat()}


class Forsakringskassan(Provider):
    name = NAME
    title = _l("Försäkringskassan")
    purpose = _l(
        "Benefits from Försäkringskassan count as income, and a pending bostadsbidrag "
        "application affects how much help you can get."
    )
    order = 20
    sets = (
        InfoSet("bostadsbidrag", _l("Bostadsbidrag (housing allowance) and applications")),
        InfoSet("barnbidrag", _l("Barnbidrag (child allowance)")),
        InfoSet("underhallsstod", _l("Underhållsstöd (maintenance support)"), for_children=True),
        InfoSet("sjukpenning", _l("Sjukpenning (sickness benefit)")),
        InfoSet("foraldrapenning", _l("Föräldrapenning and tillfällig föräldrapenning (parental benefit)")),
        InfoSet("aktivitetsstod", _l("Aktivitetsstöd and etableringsersättning")),
        InfoSet("sjukersattning", _l("Sjukersättning and aktivitetsersättning")),
        InfoSet("vardbidrag", _l("Vårdbidrag and omvårdnadsbidrag (care allowance)")),
        InfoSet("merkostnadsersattning", _l("Merkostnadsersättning (additional cost allowance)")),
    )
    labels = {
        "forsakringskassan.bostadsbidrag.payment": (
            _l("Bostadsbidrag"),
            _l("Bostadsbidrag: money from Försäkringskassan towards your rent. It counts as income."),
        ),
        "forsakringskassan.bostadsbidrag.application": (
            _l("Application for bostadsbidrag"),
            _l("You have applied for bostadsbidrag. The municipality may ask you to wait for the decision."),
        ),
        "forsakringskassan.barnbidrag.payment": (
            _l("Barnbidrag"),
            _l("Barnbidrag: money for your children from Försäkringskassan. It counts as income."),
        ),
        "forsakringskassan.underhallsstod.payment": (
            _l("Underhållsstöd"),
            _l("Underhållsstöd: money for a child whose other parent does not live with them. It counts as income."),
        ),
        "forsakringskassan.sjukpenning.payment": (
            _l("Sjukpenning"),
            _l("Sjukpenning: money from Försäkringskassan when you are too ill to work. It counts as income."),
        ),
        "forsakringskassan.foraldrapenning.foraldrapenning": (
            _l("Föräldrapenning"),
            _l("Föräldrapenning: money when you stay at home with your child. It counts as income."),
        ),
        "forsakringskassan.foraldrapenning.tillfallig": (
            _l("Tillfällig föräldrapenning"),
            _l("Tillfällig föräldrapenning: money when you stay at home with a sick child. It counts as income."),
        ),
        "forsakringskassan.aktivitetsstod.payment": (
            _l("Aktivitetsstöd or etableringsersättning"),
            _l(
                "Money from Försäkringskassan while you take part in a programme at Arbetsförmedlingen. "
                "It counts as income."
            ),
        ),
        "forsakringskassan.aktivitetsstod.decision": (
            _l("Decision on aktivitetsstöd or etableringsersättning"),
            _l("Försäkringskassan has decided that you get this money per day from this date."),
        ),
        "forsakringskassan.sjukersattning.payment": (
            _l("Sjukersättning or aktivitetsersättning"),
            _l(
                "Money from Försäkringskassan when illness keeps you from working for a long time. It counts as income."
            ),
        ),
        "forsakringskassan.vardbidrag.payment": (
            _l("Vårdbidrag or omvårdnadsbidrag"),
            _l("Money for caring for a child with a disability or illness. It counts as income."),
        ),
        "forsakringskassan.merkostnadsersattning.payment": (
            _l("Merkostnadsersättning"),
            _l("Money for extra costs because of a disability. The municipality takes these costs into account."),
        ),
    }
    for _set in ("sjukpenning", "foraldrapenning", "aktivitetsstod", "sjukersattning", "vardbidrag"):
        labels[f"forsakringskassan.{_set}.tax"] = (
            _l("Tax deducted by Försäkringskassan"),
            _l("The tax taken from the payment. What you got is the amount before tax minus this tax."),
        )
    del _set
    codes = {
        ("status", "MOTTAGEN"): _l("Received, not yet processed"),
        ("status", "UNDER_HANDLAGGNING"): _l("Being processed, no decision yet"),
        ("status", "KOMPLETTERING_BEGARD"): _l("Försäkringskassan has asked for more information"),
        ("status", "BEVILJAD"): _l("Granted"),
        ("status", "AVSLAGEN"): _l("Refused"),
        ("extent", "HEL"): _l("Full"),
        ("extent", "TRE_FJARDEDELAR"): _l("Three quarters"),
        ("extent", "HALV"): _l("Half"),
        ("extent", "EN_FJARDEDEL"): _l("One quarter"),
        ("extent", "EN_ATTONDEL"): _l("One eighth"),
        ("type", "UNDERHALLSSTOD"): _l("Underhållsstöd"),
        ("type", "FORLANGT_UNDERHALLSSTOD"): _l("Extended underhållsstöd (for a student aged 18–20)"),
        ("type", "AKTIVITETSSTOD"): _l("Aktivitetsstöd"),
        ("type", "ETABLERINGSERSATTNING"): _l("Etableringsersättning"),
        ("type", "UTVECKLINGSERSATTNING"): _l("Utvecklingsersättning"),
        ("type", "SJUKERSATTNING"): _l("Sjukersättning"),
        ("type", "AKTIVITETSERSATTNING"): _l("Aktivitetsersättning"),
        ("type", "VARDBIDRAG"): _l("Vårdbidrag"),
        ("type", "OMVARDNADSBIDRAG"): _l("Omvårdnadsbidrag"),
        ("level", "GRUNDNIVA"): _l("Basic level"),
        ("level", "INKOMSTRELATERAD"): _l("Based on earlier income"),
        ("level", "ETABLERING"): _l("Establishment level"),
        ("level", "UTVECKLING"): _l("Development level"),
        ("level", "NIVA_1"): _l("Level 1"),
        ("level", "NIVA_2"): _l("Level 2"),
        ("level", "NIVA_3"): _l("Level 3"),
        ("level", "NIVA_4"): _l("Level 4"),
        ("level", "NIVA_5"): _l("Level 5"),
        ("reduction_reason", "AVSTANGNING_1_DAG"): _l("Arbetsförmedlingen stopped the payment for 1 day"),
        ("reduction_reason", "AVSTANGNING_5_DAGAR"): _l("Arbetsförmedlingen stopped the payment for 5 days"),
        ("reduction_reason", "AVSTANGNING_10_DAGAR"): _l("Arbetsförmedlingen stopped the payment for 10 days"),
        ("reduction_reason", "FRANVARO_UTAN_GILTIGT_SKAL"): _l("Absence without a valid reason"),
        ("reduction_reason", "AKTIVITETSRAPPORT_SAKNAS"): _l("The activity report was not sent in"),
        ("reduction_reason", "DELTIDSARBETE"): _l("Part-time work"),
    }
    detail_labels = {
        "paid_on": _l("Paid on"),
        "applied_on": _l("Applied on"),
        "status": _l("Status"),
        "children": _l("Number of children"),
        "type": _l("Type"),
        "extent": _l("Extent"),
        "days": _l("Days paid"),
        "level": _l("Level"),
        "daily_amount_kr": _l("Amount per day, kronor"),
        "reduction_reason": _l("Reason for reduction"),
        "reduction_days": _l("Days without payment"),
    }

    figures = {
        **{
            f"{NAME}.{s}.payment": PAYMENT
            for s in (
                "bostadsbidrag",
                "barnbidrag",
                "underhallsstod",
                "sjukpenning",
                "aktivitetsstod",
                "sjukersattning",
                "vardbidrag",
                "merkostnadsersattning",
            )
        },
        f"{NAME}.foraldrapenning.foraldrapenning": PAYMENT,
        f"{NAME}.foraldrapenning.tillfallig": PAYMENT,
        **{
            f"{NAME}.{s}.tax": TAX_WITHHELD
            for s in ("sjukpenning", "foraldrapenning", "aktivitetsstod", "sjukersattning", "vardbidrag")
        },
        # an application's status, and a decision's amount per day (a rate, not a payment)
        f"{NAME}.bostadsbidrag.application": FACT,
        f"{NAME}.aktivitetsstod.decision": FACT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return f"/forsakringskassan/api/formaner/v2/{info_set}", request_body(personnummer, period)

    def nothing(self, info_set: str, raw: dict) -> bool:
        if not isinstance(raw, dict):
            return False
        lists = ["utbetalningar"] + {"bostadsbidrag": ["ansokningar"], "aktivitetsstod": ["beslut"]}.get(info_set, [])
        return all(raw.get(key) == [] for key in lists)

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            return self._normalise(info_set, raw, period)

    def _normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        if not isinstance(raw, dict):
            raise _Drift("root")
        items: list[Item] = []
        for entry in _get(raw, "utbetalningar", list):
            start, end = _month(_get(entry, "avserManad", str))
            paid_on = _date(_get(entry, "utbetalningsdatum", str))
            gross = _ore(_get(entry, "bruttobelopp", str))
            tax = _ore(_get(entry, "skatteavdrag", str))
            taxable = _get(entry, "skattepliktig", bool)
            suffix, details = _payment_details(info_set, entry)
            if not period.overlaps(start, end):
                continue
            details = {"paid_on": paid_on.isoformat(), **details}
            items += paid_and_taxed(
                NAME,
                info_set,
                f"{NAME}.{info_set}.{suffix}",
                start,
                end,
                gross,
                tax if taxable else 0,
                details,
                {"paid_on": paid_on.isoformat()},
                gross=taxable,
            )
        if info_set == "bostadsbidrag":
            for application in _get(raw, "ansokningar", list):
                applied_on = _date(_get(application, "ansokningsdatum", str))
                start = _date(_get(application, "avserFrom", str))
                end = _optional_date(_get(application, "avserTom", str, optional=True))
                status = _code(application, "status", APPLICATION_STATUSES)
                if period.overlaps(start, end):
                    items.append(
                        Item(
                            NAME,
                            info_set,
                            f"{NAME}.bostadsbidrag.application",
                            "housing",
                            start,
                            end,
                            details={"status": status, "applied_on": applied_on.isoformat()},
                        )
                    )
        if info_set == "aktivitetsstod":
            for decision in _get(raw, "beslut", list):
                start = _date(_get(decision, "giltigFrom", str))
                end = _optional_date(_get(decision, "giltigTom", str, optional=True))
                kind = _code(decision, "ersattningstyp", ACTIVITY_TYPES)
                level = _code(decision, "ersattningsniva", ACTIVITY_LEVELS)
                daily = _ore(_get(decision, "dagbelopp", str))
                if period.overlaps(start, end):
                    items.append(
                        Item(
                            NAME,
                            info_set,
                            f"{NAME}.aktivitetsstod.decision",
                            "work",
                            start,
                            end,
                            amount_ore=daily,
                            gross=True,
                            details={"type": kind, "level": level},
                        )
                    )
        return items


PROVIDER = Forsakringskassan()
