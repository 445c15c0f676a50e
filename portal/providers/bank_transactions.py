"""The person's bank transactions over the period, through the banks' account information
service in the Berlin Group NextGenPSD2 shape (what Swedish banks expose under PSD2). Consent
only: the set is extended, a unit of its own beside the balances.

Only a summary is kept, never the list: per month, incoming money by who sent it (someone who
sent at least :data:`NAMED_FROM` in a month is named; smaller senders are added up without
names), and each withdrawal of at least :data:`LARGE_WITHDRAWAL` with its date and kind (cash,
transfer or card), without who received it (bills paid by direct debit and standing orders are
regular costs, not withdrawals). Everyday spending, account numbers, transaction ids
and messages never leave this module; money moved between the person's own accounts is
neither. The municipality sees what the application needs: money
coming in from someone (support, undeclared pay, a sale) and large sums leaving the account. None of
it is added to the totals (the agencies and employers already report what they pay; an
incoming transfer may be one of those), so every kind is a fact.

Raw format (see ``devstack/sandbox/providers/bank_transactions.py``): ``POST
/bank/psd2/v1/transactions`` with ``{"psuId": "<12 digits>", "bookingStatus": "booked",
"dateFrom", "dateTo"}`` (ISO dates). The answer lists ``accounts``, each with its ``account``
reference and NextGenPSD2 ``transactions`` {``booked``: [{``transactionId``, ``bookingDate``,
``transactionAmount`` {``amount`` "-123.45" (dot decimal, kronor, negative = out), ``currency``},
``debtorName``/``creditorName``, ``bankTransactionCode`` (ISO 20022 domain-family-subfamily),
``remittanceInformationUnstructured``, …}], ``pending``: [...]}. Pending transactions are not kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

from portal import clock
from portal.i18n.lazy import _l
from portal.providers.base import InfoSet, Provider
from portal.providers.items import FACT, Item
from portal.providers.parse import Drift as _Drift
from portal.providers.parse import decimal_ore, unexpected_format
from portal.providers.parse import get as _get
from portal.providers.parse import iso_date as _date

NAME = "banktransaktioner"
SET = "kontohandelser"
# A sender of at least this much in a month is named; below it, senders are added up without
# names (a friend's Swish for a shared dinner is not the municipality's business).
NAMED_FROM = 100_000  # öre: 1,000 kronor
# A single withdrawal of at least this much is shown (with its date and kind, not who got it).
LARGE_WITHDRAWAL = 500_000  # öre: 5,000 kronor
_AMOUNT = re.compile(r"-?\d+\.\d{2}")
_CODE = re.compile(r"[A-Z]{4}-[A-Z]{4}-[A-Z]{4}")
CASH, TRANSFER, CARD = "CASH", "TRANSFER", "CARD"
# ISO 20022 bank transaction codes (domain-family-subfamily): what an outgoing one is. Bills paid
# by direct debit (autogiro) and standing orders are the regular costs (rent, electricity) the
# application states anyway, not withdrawals: None.
_OUTGOING = {
    "CCRD-CWDL": CASH,
    "ICDT-ESCT": TRANSFER,
    "ICDT-DMCT": TRANSFER,
    "ICDT-BOOK": TRANSFER,
    "CCRD-POSD": CARD,
    "ICDT-STDO": None,
    "IDDT-ESDD": None,
    "IDDT-BBDD": None,
}


def today() -> date:
    return clock.today()


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _ore(raw) -> int:
    money = _get(raw, "transactionAmount", dict)
    if _get(money, "currency", str) != "SEK":
        raise _Drift("transactionAmount")
    return decimal_ore(_get(money, "amount", str), _AMOUNT, "transactionAmount")


def _iban(reference) -> str:
    return "".join(_get(reference, "iban", str).split())


def last_day(period) -> date:
    return min(period.end, today())


class BankTransactions(Provider):
    name = NAME
    title = _l("Your banks: money in and out")
    purpose = _l(
        "Money that comes into your accounts from someone, and large sums that leave them, can change "
        "what you are entitled to. Only a summary is kept: not your everyday spending."
    )
    order = 91
    sets = (
        InfoSet(
            SET, _l("A summary of your bank transactions: who sent you money, and large withdrawals"), extended=True
        ),
    )
    labels = {
        "banktransaktioner.kontohandelser.incoming": (
            _l("Money into your accounts from one sender"),
            _l(
                "What one sender paid into your accounts during the month. It may be income, support from someone "
                "or money you already told us about."
            ),
        ),
        "banktransaktioner.kontohandelser.incoming_other": (
            _l("Smaller payments into your accounts"),
            _l(
                "Payments into your accounts during the month from senders who sent less than 1,000 kronor each, "
                "added up. Who sent them is not kept."
            ),
        ),
        "banktransaktioner.kontohandelser.withdrawal": (
            _l("Large withdrawal"),
            _l(
                "A single withdrawal or payment of 5,000 kronor or more from one of your accounts. The municipality "
                "may ask what it was for."
            ),
        ),
    }
    codes = {
        ("kind", CASH): _l("Cash withdrawal"),
        ("kind", TRANSFER): _l("Transfer"),
        ("kind", CARD): _l("Card payment"),
    }
    detail_labels = {
        "sender": _l("From"),
        "payments": _l("Number of payments"),
        "kind": _l("Kind"),
        "booked_on": _l("Date"),
    }
    figures = {f"{NAME}.{SET}.incoming": FACT, f"{NAME}.{SET}.incoming_other": FACT, f"{NAME}.{SET}.withdrawal": FACT}

    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        self.info_set(info_set)
        return "/bank/psd2/v1/transactions", {
            "psuId": personnummer,
            "bookingStatus": "booked",
            "dateFrom": period.start.isoformat(),
            "dateTo": last_day(period).isoformat(),
        }

    def nothing(self, info_set: str, raw: dict) -> bool:
        return isinstance(raw, dict) and raw.get("accounts") == []

    def normalise(self, info_set: str, raw: dict, period) -> list[Item]:
        self.info_set(info_set)
        with unexpected_format(NAME):
            return self._summary(raw, period)

    def _summary(self, raw, period) -> list[Item]:
        end = last_day(period)
        incoming: dict[tuple[date, str | None], list[int]] = defaultdict(list)
        withdrawals = []
        accounts = _get(raw, "accounts", list)
        own = {_iban(_get(account, "account", dict)) for account in accounts}
        for account in accounts:
            transactions = _get(account, "transactions", dict)
            _get(transactions, "pending", list)  # shape only: pending transactions are not kept
            for transaction in _get(transactions, "booked", list):
                booked = _date(transaction, "bookingDate")
                amount = _ore(transaction)
                code = _get(transaction, "bankTransactionCode", str)
                family = code[5:]
                if not _CODE.fullmatch(code) or (amount < 0 and family not in _OUTGOING):
                    raise _Drift("bankTransactionCode")
                side = "debtor" if amount > 0 else "creditor"
                counterpart = transaction.get(f"{side}Account")
                # Money moved between the person's own accounts neither comes in nor leaves.
                if not period.start <= booked <= end or (counterpart is not None and _iban(counterpart) in own):
                    continue
                month = booked.replace(day=1)
                if amount > 0:
                    sender = transaction.get("debtorName")
                    if sender is not None and not isinstance(sender, str):
                        raise _Drift("debtorName")
                    incoming[(month, sender or None)].append(amount)
                elif amount < 0 and _OUTGOING[family] is not None and -amount >= LARGE_WITHDRAWAL:
                    withdrawals.append((booked, -amount, _OUTGOING[family]))
        items = []
        smaller: dict[date, list[int]] = defaultdict(list)
        for (month, sender), amounts in sorted(incoming.items(), key=lambda e: (e[0][0], e[0][1] or "")):
            if sender is None or sum(amounts) < NAMED_FROM:
                smaller[month].extend(amounts)
                continue
            items.append(
                Item(
                    NAME,
                    SET,
                    f"{NAME}.{SET}.incoming",
                    "income",
                    month,
                    _month_end(month),
                    amount_ore=sum(amounts),
                    details={"sender": sender, "payments": len(amounts)},
                )
            )
        for month, amounts in sorted(smaller.items()):
            items.append(
                Item(
                    NAME,
                    SET,
                    f"{NAME}.{SET}.incoming_other",
                    "income",
                    month,
                    _month_end(month),
                    amount_ore=sum(amounts),
                    details={"payments": len(amounts)},
                )
            )
        for booked, amount, kind in sorted(withdrawals):
            items.append(
                Item(
                    NAME,
                    SET,
                    f"{NAME}.{SET}.withdrawal",
                    "assets",
                    booked,
                    booked,
                    amount_ore=amount,
                    details={"kind": kind, "booked_on": booked.isoformat()},
                )
            )
        return items


PROVIDER = BankTransactions()
