"""Arbetslöshetskassorna: one API in front of all a-kassor (membership and benefit).

Request: ``POST /akassa/api/v1/medlemskap`` or ``/akassa/api/v1/ersattning`` with
``{"identitetsnummer": "<12 digits>", "period": {"from": "2026-09-01", "tom": "2026-12-31"}}``.
The sandbox ignores ``period`` and answers with everything stored.

Dates are ISO; amounts kronor as decimal strings with a point and no separator (``"18720.00"``).

medlemskap (someone in the cast who is not a member: 200 with ``"medlemskap": []``)::

    {"identitetsnummer": "...", "medlemskap": [
        {"kassa": {"kod": "UNIONEN", "namn": "Unionens arbetslöshetskassa"},
         "intradesdatum": "2014-03-01", "uttradesdatum": null,
         "medlemsnummer": "...", "avgiftsstatus": "BETALD", "manadsavgift": "160.00"}]}  # never kept

ersattning (no benefit case: 404 ``INGET_ARENDE``)::

    {"identitetsnummer": "...", "kassa": {"kod", "namn"},
     "arendenummer": "...", "handlaggare": "...", "anteckningar": [...],    # never kept
     "ersattningsperiod": {"startdatum": "2026-06-08", "slutdatum": null,
                           "ersattningstyp": "INKOMSTBASERAD" | "GRUNDBELOPP",
                           "dagpenning": "1200.00", "dagarForbrukade": 104, "dagarTotalt": 300,
                           "arbetsgivare": [...]},                          # never kept
     "utbetalningar": [{"utbetalningsdatum": "2026-10-30",
                        "avser": {"from": "2026-10-01", "tom": "2026-10-31"},
                        "brutto": "25200.00", "skatt": "7560.00", "netto": "17640.00",
                        "ersattningsdagar": 21, "kontonummer": "..."}]}

Errors: ``{"error": {"code": "...", "message": "..."}}`` (the shared API's envelope).
"""

from __future__ import annotations

from .base import Provider

provider = Provider(
    "akassa",
    url_prefix="/akassa",
    subject_field="identitetsnummer",
    errors={
        400: ("OGILTIG_BEGARAN", "Begäran saknar giltigt identitetsnummer."),
        401: ("EJ_BEHORIG", "Klienten saknar behörighet."),
        404: ("INGET_ARENDE", "Ingen a-kassa har något ärende om personen."),
        429: ("BEGRANSAD", "För många anrop."),
        500: ("TEKNISKT_FEL", "Tekniskt fel."),
        503: ("EJ_TILLGANGLIG", "En eller flera a-kassor svarar inte."),
        504: ("TIDSGRANS", "Tidsgränsen överskreds."),
    },
    error_body=lambda code, text: {"error": {"code": code, "message": text}},
)


_not_a_member = provider.empty(medlemskap=[])


medlemskap = provider.information_set(
    "medlemskap",
    "/api/v1/medlemskap",
    nothing=_not_a_member,
    default_drift={"rename": {"medlemskap.intradesdatum": "medlemSedan"}},
)
ersattning = provider.information_set(
    "ersattning", "/api/v1/ersattning", default_drift={"rename": {"utbetalningar.brutto": "bruttobelopp"}}
)
