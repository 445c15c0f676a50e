"""The banks' account information service, transactions, in the Berlin Group NextGenPSD2 shape
(consent based; stands in for every bank). The balances are ``bank.py``; this is the list of
transactions, which the portal only summarises.

Request: ``POST /bank/psd2/v1/transactions`` with ``{"psuId": "<12 digits>", "bookingStatus":
"booked", "dateFrom": "2026-08-01", "dateTo": "2026-11-25"}``. In NextGenPSD2 the PSU's identity
is a header and the account id is in the path; here, as everywhere in the sandbox, the person's
number is in the body and every account is answered at once. The sandbox ignores the dates and
answers everything stored::

    {"psuId", "accounts": [
      {"account": {"resourceId": "…", "iban": "SE…", "currency": "SEK", "name": "Lönekonto",
                   "ownerName": "…"},
       "transactions": {
         "booked": [{"transactionId": "…", "entryReference": "…",
                     "bookingDate": "2026-10-25", "valueDate": "2026-10-25",
                     "transactionAmount": {"amount": "-1250.00", "currency": "SEK"},
                     "creditorName": "…", "creditorAccount": {"iban": "…"},      # outgoing
                     "debtorName": "…", "debtorAccount": {"iban": "…"},          # incoming
                     "remittanceInformationUnstructured": "…",
                     "bankTransactionCode": "PMNT-RCDT-ESCT"}],
         "pending": [...same shape, no bookingDate...]},
       "_links": {"account": {"href": "/v1/accounts/…"}}}]}

Amounts are kronor strings with a dot decimal, negative for money out. No accounts: 200 with
``"accounts": []``. Errors (Berlin Group): ``{"tppMessages": [{"category": "ERROR", "code", "text"}]}``.
"""

from __future__ import annotations

from .bank import provider as bank
from .base import Provider

provider = Provider(
    "banktransaktioner",
    url_prefix="/bank/psd2",
    subject_field="psuId",
    errors=bank.errors,
    error_body=bank.error_body,
)


_no_accounts = provider.empty(accounts=[])


kontohandelser = provider.information_set(
    "kontohandelser",
    "/v1/transactions",
    nothing=_no_accounts,
    default_drift={"rename": {"accounts.transactions.booked": "bookedTransactions"}},
)
