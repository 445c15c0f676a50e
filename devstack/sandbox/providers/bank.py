"""The banks' common account information service (consent based; stands in for every bank).

Request: ``POST /bank/kontoinformation/v1/saldon`` with
``{"kundId": "<12 digits>", "saldodatum": "YYYY-MM-DD"}``. The sandbox answers every stored
balance (month ends back to January and the latest); the portal keeps the one on the date::

    {"kundId", "forfragningsId": "…", "konton": [
      {"bank": "Swedbank", "bic": "SWEDSESS", "clearingnummer": "8327-9", "kontonummer": "914 357 823-1",
       "iban": "SE…", "kontonamn": "Lönekonto", "kontotyp": "TRANSAKTION" | "SPAR" | "ISK" |
       "FORETAG" | "KAPITAL", "roll": "KONTOHAVARE" | "FULLMAKTSHAVARE",
       "kontohavare": [{"personnummer", "namn"}], "oppnat": "YYYY-MM-DD", "avslutat": null,
       "saldon": [{"datum": "YYYY-MM-DD", "bokfortSaldo": {"belopp": "12345.67", "valuta": "SEK"},
                   "disponibeltSaldo": {"belopp", "valuta"}}],
       "kredit": {"beviljad": {"belopp", "valuta"}} | null}]}

Amounts are kronor strings with a dot decimal (no thousands separator). ``roll`` is the asking
person's role: FULLMAKTSHAVARE means someone else's account the person may use. No accounts:
200 with ``"konton": []``. Errors (Berlin Group style):
``{"tppMessages": [{"category": "ERROR", "code": "…", "text": "…"}]}``.
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "bank",
    url_prefix="/bank",
    subject_field="kundId",
    errors={
        400: ("FORMAT_ERROR", "Förfrågan kunde inte tolkas."),
        401: ("TOKEN_INVALID", "Ogiltig åtkomsttoken."),
        404: ("RESOURCE_UNKNOWN", "Inga konton hittades."),
        429: ("ACCESS_EXCEEDED", "För många förfrågningar."),
        500: ("INTERNAL_ERROR", "Internt fel."),
        503: ("SERVICE_UNAVAILABLE", "Tjänsten är inte tillgänglig."),
        504: ("TIMEOUT", "Banken svarade inte i tid."),
    },
    error_body=lambda code, text: {"tppMessages": [{"category": "ERROR", "code": code, "text": text}]},
)


_no_accounts = provider.empty(forfragningsId=None, konton=[])


konton = provider.information_set(
    "konton",
    "/kontoinformation/v1/saldon",
    default_drift={"rename": {"konton.saldon": "saldohistorik"}},
    nothing=_no_accounts,
)
