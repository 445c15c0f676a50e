"""Swedish bank account numbers: clearing number and account number, checked by bank and check digit.

Written by hand after Bankgirot's "Bankernas kontonummeruppgifter" (the banks' account number rules),
since no well-kept Python library does it (python-stdnum has no Swedish bank accounts; the small
packages on PyPI that do are single releases without upkeep). The table below is the list of clearing
ranges in that document. Two types:

- type 1: clearing number (4 digits) and a 7-digit account number; the check digit is the account's
  last digit, by modulus 11 over the clearing number's last three digits and the account (comment 1)
  or over all four clearing digits and the account (comment 2);
- type 2: the account number stands alone; modulus 10 over 10 digits (comment 1), modulus 11 over 9
  digits (comment 2, Handelsbanken), or modulus 10 over up to 10 digits (comment 3, Nordea's Plusgirot
  accounts and Swedbank's 8-series, whose clearing number has a fifth digit that is itself a check digit).

A bank may have accounts whose check digit is wrong (Bankgirot says so for Swedbank); such an account is
refused here and the applicant is told to check the number with the bank.
"""

from __future__ import annotations

from dataclasses import dataclass

# (first clearing, last clearing, bank, type, comment)
_RANGES: tuple[tuple[int, int, str, int, int], ...] = (
    (1100, 1199, "Nordea", 1, 1),
    (1200, 1399, "Danske Bank", 1, 1),
    (1400, 2099, "Nordea", 1, 1),
    (2300, 2399, "Ålandsbanken", 1, 2),
    (2400, 2499, "Danske Bank", 1, 1),
    (3000, 3299, "Nordea", 1, 1),
    (3300, 3300, "Nordea (personkonto)", 2, 1),
    (3301, 3399, "Nordea", 1, 1),
    (3400, 3409, "Länsförsäkringar Bank", 1, 1),
    (3410, 3781, "Nordea", 1, 1),
    (3782, 3782, "Nordea (personkonto)", 2, 1),
    (3783, 3999, "Nordea", 1, 1),
    (4000, 4999, "Nordea", 1, 2),
    (5000, 5999, "SEB", 1, 1),
    (6000, 6999, "Handelsbanken", 2, 2),
    (7000, 7999, "Swedbank", 1, 1),
    (8000, 8999, "Swedbank", 2, 3),
    (9020, 9029, "Länsförsäkringar Bank", 1, 2),
    (9040, 9049, "Citibank", 1, 2),
    (9060, 9069, "Länsförsäkringar Bank", 1, 1),
    (9070, 9079, "Multitude Bank", 1, 1),
    (9100, 9109, "Nordnet Bank", 1, 2),
    (9120, 9124, "SEB", 1, 1),
    (9130, 9149, "SEB", 1, 1),
    (9150, 9169, "Skandiabanken", 1, 2),
    (9170, 9179, "Ikano Bank", 1, 1),
    (9180, 9189, "Danske Bank", 2, 1),
    (9190, 9199, "DNB Bank", 1, 2),
    (9230, 9239, "Marginalen Bank", 1, 1),
    (9250, 9259, "SBAB", 1, 1),
    (9260, 9269, "DNB Bank", 1, 2),
    (9270, 9279, "ICA Banken", 1, 1),
    (9280, 9289, "Resurs Bank", 1, 1),
    (9300, 9349, "Sparbanken Öresund", 2, 1),
    (9390, 9399, "Landshypotek", 1, 2),
    (9400, 9449, "Forex Bank", 1, 1),
    (9460, 9469, "Santander Consumer Bank", 1, 1),
    (9470, 9479, "BNP Paribas", 1, 2),
    (9500, 9549, "Nordea (Plusgirot)", 2, 3),
    (9550, 9569, "Avanza Bank", 1, 2),
    (9570, 9579, "Sparbanken Syd", 2, 1),
    (9580, 9589, "Aion Bank", 1, 1),
    (9630, 9639, "Lån & Spar Bank Sverige", 1, 1),
    (9640, 9649, "Nordax Bank", 1, 2),
    (9650, 9659, "MedMera Bank", 1, 2),
    (9660, 9669, "Svea Bank", 1, 2),
    (9670, 9679, "JAK Medlemsbank", 1, 2),
    (9680, 9689, "Bluestep Finans", 1, 1),
    (9700, 9709, "Ekobanken", 1, 2),
    (9750, 9759, "Northmill Bank", 1, 2),
    (9780, 9789, "Klarna Bank", 1, 2),
    (9880, 9889, "Riksgälden", 2, 1),
    (9960, 9969, "Nordea (Plusgirot)", 2, 3),
)


class AccountError(ValueError):
    """Why a clearing or account number is refused: ``reason`` is one of the keys of ``REASONS``
    in forms.py (the translated message)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Account:
    bank: str
    clearing: str  # 4 digits, or 5 for Swedbank's 8-series
    number: str  # digits only, without the clearing number

    @property
    def display(self) -> str:
        return f"{self.clearing}-{self.number}"


def digits(text: str | None) -> str:
    """Only the digits (of any script) of what was typed; spaces, dashes and dots are separators."""
    out = []
    for ch in text or "":
        if ch.isdigit():
            out.append(str(int(ch)))
        elif not (ch.isspace() or ch in "-–.,"):
            raise AccountError("characters")
    return "".join(out)


def _mod11(number: str) -> bool:
    # Weights 1, 2, 3, ... 10, 1, 2 from the right; the sum with the check digit is divisible by 11.
    total = sum(int(d) * (i % 10 + 1) for i, d in enumerate(reversed(number)))
    return total % 11 == 0


def _mod10(number: str) -> bool:
    # Luhn: every second digit from the right (the check digit excluded) doubled, digit sums added.
    total = 0
    for i, d in enumerate(reversed(number)):
        value = int(d) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def bank_for(clearing: str) -> tuple[str, int, int]:
    """The bank, type and comment of a clearing number (its first four digits)."""
    if len(clearing) not in (4, 5):
        raise AccountError("clearing_length")
    first_four = int(clearing[:4])
    for low, high, bank, kind, comment in _RANGES:
        if low <= first_four <= high:
            if len(clearing) == 5 and not (kind == 2 and comment == 3 and first_four >= 8000):
                raise AccountError("clearing_length")
            return bank, kind, comment
    raise AccountError("clearing_unknown")


def check(clearing_text: str, account_text: str) -> Account:
    """The account if the clearing number is a bank's and the account number is valid for it; else
    ``AccountError`` naming what is wrong."""
    clearing = digits(clearing_text)
    number = digits(account_text)
    if not clearing:
        raise AccountError("clearing_missing")
    bank, kind, comment = bank_for(clearing)
    if len(clearing) == 5 and not _mod10(clearing):
        raise AccountError("clearing_check")
    if not number:
        raise AccountError("account_missing")
    if kind == 1:
        # A 7-digit account; some people type it with leading zeros to 7.
        if len(number) > 7 or len(number) < 7:
            raise AccountError("account_length")
        checked = (clearing[1:4] if comment == 1 else clearing[:4]) + number
        if not _mod11(checked):
            raise AccountError("account_check")
    elif comment == 2:  # Handelsbanken: 9 digits, modulus 11
        if len(number) != 9:
            raise AccountError("account_length")
        if not _mod11(number):
            raise AccountError("account_check")
    elif comment == 1:  # 10 digits, modulus 10
        if len(number) != 10:
            raise AccountError("account_length")
        if not _mod10(number):
            raise AccountError("account_check")
    else:  # comment 3: up to 10 digits, modulus 10
        if not 2 <= len(number) <= 10:
            raise AccountError("account_length")
        if not _mod10(number):
            raise AccountError("account_check")
    return Account(bank=bank, clearing=clearing, number=number)
