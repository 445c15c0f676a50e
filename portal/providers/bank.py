"""The banks, through one account information service: the person's own accounts and their
balances on one date (the end of the period applied for, or today if that is earlier). Consent
only: every set is extended.

Raw format (see ``devstack/sandbox/providers/bank.py``): ``POST /bank/kontoinformation/v1/saldon``
with ``{"kundId", "saldodatum"}`` (ISO date). The answer lists ``konton`` with the caller's
``roll`` (KONTOHAVARE, or FULLMAKTSHAVARE for someone else's account, which is not kept),
all ``kontohavare`` and the balance history ``saldon`` [{``datum``, ``bokfortSaldo``
{``belopp`` "12345.67" (dot decimal, kronor), ``valuta``}}]. The latest balance on or before the
date is kept; account numbers are kept only as their last four digits.
"""

from __future__ import annotations

import re
from datetime import date

from portal import clock
from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import ASSET_BALANCE, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import decimal_ore, unexpected_format
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date

NAME = "bank"
HOLDER, PROXY = "KONTOHAVARE", "FULLMAKTSHAVARE"
ACCOUNT_TYPES = {"TRANSAKTION", "SPAR", "ISK", "FORETAG", "KAPITAL"}
_AMOUNT = re.compile(r"-?\d+\.\d{2}")


def today() -> date:
    return clock.today()


def _ore(raw, key: str) -> int:
    money = _get(raw, key, dict)
    if _get(money, "valuta", str) != "SEK":
        raise _Drift(key)
    return decimal_ore(_get(money, "belopp", str), _AMOUNT, key)


def balance_date(period) -> date:
    return min(period.end, today())


class Bank(Provider):
    name = NAME
    title = _l("Your banks")
    purpose = _l(
        "To see the money in your own bank accounts, because savings and balances are "
        "assets that count before you can get ekonomiskt bistånd."
    )
    order = 90
    sets = (InfoSet("konton", _l("Your accounts and their balances"), extended=True),)
    labels = {
        "bank.konton.balance": (
            _l("Bank account balance"),
            _l("The money in one of your own accounts on the date shown. Money you have counts as an asset."),
        ),
    }
    detail_labels = {
        "bank": _l("Bank"),
        "account": _l("Account (last digits)"),
        "account_type": _l("Type of account"),
        "joint": _l("Shared with someone else"),
    }
    codes = {
        ("account_type", "TRANSAKTION"): _l("Everyday account"),
        ("account_type", "SPAR"): _l("Savings account"),
        ("account_type", "ISK"): _l("Investment savings account (ISK)"),
        ("account_type", "FORETAG"): _l("Business account"),
        ("account_type", "KAPITAL"): _l("Capital account"),
    }

    figures = {f"{NAME}.konton.balance": ASSET_BALANCE}

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        if info_set != "konton":
            raise KeyError(info_set)
        return "/bank/kontoinformation/v1/saldon", {
            "kundId": personnummer,
            "saldodatum": balance_date(period).isoformat(),
        }

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get("konton") == []

    def normalise(self, info_set: str, raw: dict, period) -> list:
        if info_set != "konton":
            raise KeyError(info_set)
        with unexpected_format(NAME):
            return self._konton(raw, period)

    def _konton(self, raw, period) -> list:
        on = balance_date(period)
        items = []
        for account in _get(raw, "konton", list):
            role = _get(account, "roll", str)
            if role not in (HOLDER, PROXY):
                raise _Drift("roll")
            account_type = _get(account, "kontotyp", str)
            if account_type not in ACCOUNT_TYPES:
                raise _Drift("kontotyp")
            number = "".join(c for c in _get(account, "kontonummer", str) if c.isdigit())
            holders = _get(account, "kontohavare", list)
            balances = [(_date(b, "datum"), _ore(b, "bokfortSaldo")) for b in _get(account, "saldon", list)]
            bank = _get(account, "bank", str)
            opened, closed = _date(account, "oppnat"), _date(account, "avslutat", True)
            if len(number) < 4:
                raise _Drift("kontonummer")
            known = [b for b in balances if b[0] <= on]
            if role != HOLDER or not known or (closed is not None and closed < period.start):
                continue
            day, amount = max(known)
            if not period.overlaps(day, day) or opened > on:
                continue
            items.append(
                Item(
                    provider=NAME,
                    info_set="konton",
                    kind=f"{NAME}.konton.balance",
                    theme="assets",
                    period_start=day,
                    period_end=day,
                    amount_ore=amount,
                    details={
                        "bank": bank,
                        "account": f"…{number[-4:]}",
                        "account_type": account_type,
                        "joint": len(holders) > 1,
                    },
                )
            )
        return items


PROVIDER = Bank()
