"""Skatteverket: folkbokföring (the population register), and the sets of ``PROVIDER``.

Raw format (Navet-like): ``Namn.Fornamn``, ``Folkbokforing.LanKod`` + ``KommunKod`` (two digits
each, together the SCB municipality code), ``Folkbokforingsadress``, ``Sekretessmarkering`` and
``SkyddadFolkbokforing`` as "J"/"N", ``Hushall`` with ``Relation`` codes and ``Fodelsedatum``
as YYYYMMDD.

Folkbokföring is fetched on its own at the start (``Skatteverket.folkbokforing``); it is not a set
of ``PROVIDER``. ``PROVIDER``'s sets (see ``devstack/sandbox/providers/skatteverket.py``):
``taxerad_inkomst`` (last year's taxed income), ``skattekonto`` (payouts from the tax account) and
``f_skatt`` (F-skatt and registered business). Dates are YYYYMMDD, amounts integer kronor,
yes/no as "J"/"N", as in folkbokföring.

``taxerad_inkomst`` is by definition about last year: it keeps the latest income year decided
by the end of the period applied for (not the period's months), and drops older years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider, ProviderClient, ProviderError
from portal.providers.items import FACT, INCOME_NET, Item
from portal.providers.parse import COMPACT_DAY, day, unexpected_format
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import get as _get

NAME = "skatteverket"
RELATIONS = {
    "MAKE": "spouse",
    "REGISTRERAD_PARTNER": "spouse",
    "SAMBO": "partner",
    "BARN": "child",
    "FORALDER": "parent",
}


@dataclass(frozen=True)
class Member:
    relation: str
    personnummer: str | None
    given_name: str
    family_name: str
    birth_date: date | None


@dataclass(frozen=True)
class Folkbokforing:
    """The applicant's registration, minimised: a protected person's address is not kept."""

    given_name: str
    family_name: str
    birth_date: date | None
    municipality_code: str
    protected: bool
    street: str | None = None
    postal_code: str | None = None
    post_town: str | None = None
    members: list[Member] = field(default_factory=list)


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        return None


def _personnummer(raw) -> str | None:
    return raw if isinstance(raw, str) and len(raw) == 12 and raw.isdigit() else None


def parse_folkbokforing(raw: dict) -> Folkbokforing:
    try:
        return _parse(raw)
    except (KeyError, TypeError, AttributeError):
        raise ProviderError(NAME, "unexpected_format") from None


def _parse(raw: dict) -> Folkbokforing:
    name = raw["Namn"]
    registration = raw["Folkbokforing"]
    code = f"{registration['LanKod']}{registration['KommunKod']}"
    if not (len(code) == 4 and code.isdigit()):
        raise ProviderError(NAME, "unexpected_format")
    protected = raw.get("Sekretessmarkering") == "J" or raw.get("SkyddadFolkbokforing") == "J"
    # A protected person's address and household are not kept, shown or sent (docs/design.md §8).
    address = {} if protected else (raw.get("Folkbokforingsadress") or {})
    members = (
        []
        if protected
        else [
            Member(
                relation=RELATIONS.get(m.get("Relation", ""), "other"),
                personnummer=_personnummer(m.get("Identitetsbeteckning")),
                given_name=m["Namn"]["Fornamn"],
                family_name=m["Namn"]["Efternamn"],
                birth_date=_date(m.get("Fodelsedatum")),
            )
            for m in raw.get("Hushall") or []
        ]
    )
    postal_code = (address.get("PostNr") or "").replace(" ", "") or None
    return Folkbokforing(
        given_name=name["Fornamn"],
        family_name=name["Efternamn"],
        birth_date=_date(raw.get("Fodelsedatum")),
        municipality_code=code,
        protected=protected,
        street=address.get("Utdelningsadress2"),
        postal_code=postal_code,
        post_town=address.get("Postort"),
        members=members,
    )


class Skatteverket:
    def __init__(self, client: ProviderClient):
        self.client = client

    def folkbokforing(self, personnummer: str) -> Folkbokforing:
        raw = self.client.post_json("/skatteverket/folkbokforing/v1/personsok", {"Identitetsbeteckning": personnummer})
        return parse_folkbokforing(raw)


# The provider sets: taxed income, tax-account payouts, F-skatt.

_PATHS = {
    "taxerad_inkomst": "/skatteverket/inkomst/v1/beskattningsbeslut",
    "skattekonto": "/skatteverket/skattekonto/v1/transaktioner",
    "f_skatt": "/skatteverket/registrering/v1/fskatt",
}
PAYOUT = "UTB"
PAYOUT_METHODS = {"AVI", "KONTO"}
LEGAL_FORMS = {"EF", "HB", "KB", "AB"}


def _ymd(raw, key: str, optional: bool = False) -> date | None:
    text = _get(raw, key, str, optional)
    return None if text is None else day(text, key, COMPACT_DAY)


def _kronor(raw, key: str) -> int:
    return _get(raw, key, int) * 100


def _yes(raw, key: str) -> bool:
    value = _get(raw, key, str)
    if value not in ("J", "N"):
        raise _Drift(key)
    return value == "J"


class SkatteverketSets(Provider):
    name = NAME
    title = _l("Skatteverket")
    purpose = _l(
        "To see last year's taxed income, money paid out from your tax account and whether "
        "you run a business, which all count when your right to ekonomiskt bistånd is assessed."
    )
    order = 10
    sets = (
        InfoSet("taxerad_inkomst", _l("Last year's taxed income")),
        InfoSet("skattekonto", _l("Payouts from the tax account")),
        InfoSet("f_skatt", _l("F-skatt and registered business")),
    )
    labels = {
        "skatteverket.taxerad_inkomst.employment": (
            _l("Taxed income from work and pension"),
            _l("Income from employment, pension and benefits last year, before tax. It shows your earlier income."),
        ),
        "skatteverket.taxerad_inkomst.business": (
            _l("Taxed income from business"),
            _l("Profit from your own business last year, before tax."),
        ),
        "skatteverket.taxerad_inkomst.capital": (
            _l("Taxed capital income"),
            _l("Interest, dividends and gains minus losses last year. It can show savings or assets."),
        ),
        "skatteverket.skattekonto.payout": (
            _l("Payout from the tax account"),
            _l(
                "Money Skatteverket paid you, for example a tax refund (skatteåterbäring). It counts "
                "as income in the month it was paid."
            ),
        ),
        "skatteverket.f_skatt.f_tax": (
            _l("F-skatt"),
            _l(
                "You are approved for F-skatt, which means you can run a business and bill for work. "
                "Income from the business counts."
            ),
        ),
        "skatteverket.f_skatt.business": (
            _l("Registered business"),
            _l("A business registered in your name. Its income and assets may count."),
        ),
    }
    detail_labels = {
        "income_year": _l("Income year"),
        "decided": _l("Decision date"),
        "method": _l("Paid by"),
        "vat_registered": _l("Registered for VAT"),
        "employer_registered": _l("Registered as employer"),
        "business_name": _l("Business name"),
        "legal_form": _l("Legal form"),
    }
    codes = {
        ("method", "AVI"): _l("Payment slip (avi), not to a bank account"),
        ("method", "KONTO"): _l("Bank account"),
        ("legal_form", "EF"): _l("Sole trader"),
        ("legal_form", "HB"): _l("Trading partnership"),
        ("legal_form", "KB"): _l("Limited partnership"),
        ("legal_form", "AB"): _l("Limited company"),
    }

    # Last year's taxed income describes the past, not this month's money: shown, never added.
    figures = {
        **{f"{NAME}.taxerad_inkomst.{k}": FACT for k in ("employment", "business", "capital")},
        f"{NAME}.skattekonto.payout": INCOME_NET,
        f"{NAME}.f_skatt.f_tax": FACT,
        f"{NAME}.f_skatt.business": FACT,
    }

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        body = {"Identitetsbeteckning": personnummer}
        if info_set == "skattekonto":
            body.update(FromDatum=period.start.strftime("%Y%m%d"), TomDatum=period.end.strftime("%Y%m%d"))
        elif info_set == "taxerad_inkomst":
            body["Inkomstar"] = period.month.year - 1
        elif info_set != "f_skatt":
            raise KeyError(info_set)
        return _PATHS[info_set], body

    def normalise(self, info_set: str, raw: dict, period) -> list:
        parse = {"taxerad_inkomst": self._taxerad_inkomst, "skattekonto": self._skattekonto, "f_skatt": self._f_skatt}[
            info_set
        ]
        with unexpected_format(NAME):
            return parse(raw, period)

    def _item(self, info_set, kind, theme, start, end, amount=None, gross=None, **details) -> Item:
        return Item(
            provider=NAME,
            info_set=info_set,
            kind=f"{NAME}.{info_set}.{kind}",
            theme=theme,
            period_start=start,
            period_end=end,
            amount_ore=amount,
            gross=gross,
            details=details,
        )

    def _taxerad_inkomst(self, raw, period) -> list:
        decisions = []
        for decision in _get(raw, "Beskattningsbeslut", list):
            year, decided = _get(decision, "Inkomstar", int), _ymd(decision, "Beslutsdatum")
            incomes = _get(decision, "Inkomster", dict)
            amounts = {
                key: _kronor(incomes, key)
                for key in ("OverskottTjanst", "OverskottNaringsverksamhet", "OverskottKapital", "UnderskottKapital")
            }
            decisions.append((year, decided, amounts))
        # Last year's: the latest income year decided by the end of the period, its latest decision.
        known = [d for d in decisions if d[1] <= period.end]
        if not known:
            return []
        year, decided, amounts = max(known, key=lambda d: (d[0], d[1]))
        start, end = date(year, 1, 1), date(year, 12, 31)
        common = {"income_year": year, "decided": decided.isoformat()}
        items = [
            self._item(
                "taxerad_inkomst", "employment", "income", start, end, amounts["OverskottTjanst"], True, **common
            )
        ]
        if amounts["OverskottNaringsverksamhet"]:
            items.append(
                self._item(
                    "taxerad_inkomst",
                    "business",
                    "income",
                    start,
                    end,
                    amounts["OverskottNaringsverksamhet"],
                    True,
                    **common,
                )
            )
        items.append(
            self._item(
                "taxerad_inkomst",
                "capital",
                "income",
                start,
                end,
                amounts["OverskottKapital"] - amounts["UnderskottKapital"],
                True,
                **common,
            )
        )
        return items

    def _skattekonto(self, raw, period) -> list:
        account = _get(raw, "Skattekonto", dict, optional=True)
        if account is None:
            return []
        items = []
        for row in _get(account, "Transaktioner", list):
            code = _get(row, "Transaktionskod", str)
            day, amount = _ymd(row, "Transaktionsdatum"), _kronor(row, "Belopp")
            if code != PAYOUT or not period.overlaps(day, day):
                continue
            method = _get(row, "Utbetalningssatt", str)
            if method not in PAYOUT_METHODS:
                raise _Drift("Utbetalningssatt")
            items.append(self._item("skattekonto", "payout", "income", day, day, abs(amount), None, method=method))
        return items

    def _f_skatt(self, raw, period) -> list:
        items = []
        approval = _get(raw, "FSkatt", dict, optional=True)
        vat = _get(raw, "Momsregistrering", dict, optional=True)
        employer = _get(raw, "Arbetsgivarregistrering", dict, optional=True)
        if approval is not None and _yes(approval, "Godkand"):
            start, end = _ymd(approval, "FromDatum"), _ymd(approval, "TomDatum", True)
            if period.overlaps(start, end):
                items.append(
                    self._item(
                        "f_skatt",
                        "f_tax",
                        "work",
                        start,
                        end,
                        vat_registered=vat is not None and _yes(vat, "Registrerad"),
                        employer_registered=employer is not None and _yes(employer, "Registrerad"),
                    )
                )
        for business in _get(raw, "Naringsverksamheter", list):
            form = _get(business, "Foretagsform", str)
            if form not in LEGAL_FORMS:
                raise _Drift("Foretagsform")
            start, end = _ymd(business, "StartDatum"), _ymd(business, "AvslutDatum", True)
            if period.overlaps(start, end):
                items.append(
                    self._item(
                        "f_skatt",
                        "business",
                        "work",
                        start,
                        end,
                        business_name=_get(business, "Firma", str),
                        legal_form=form,
                    )
                )
        return items


PROVIDER = SkatteverketSets()
