"""Calculation lines (issue 16, point 3): the lines a caseworker decides on.

A package of its own rather than a part of ``portal.indication``: the indication is the applicant's
preliminary figure before sending and stays a pure, stateless calculation; the lines are a case record
with a life after sending (proposed and frozen in the exchange document when the application is sent,
accepted or changed by the municipality with a reason, kept as a history, carried by the decision).
The lines reuse the indication's rules for the norm (``portal.indication.calculate``) and the fetched
figures of ``portal.information.totals``, so the three never disagree about the same amounts.

``lines`` computes proposed lines (pure); ``proposal`` gathers an application's inputs for them (what the
exchange document freezes); ``services`` reads and changes them for a case; ``text``
says a line in the current language; ``routes`` has the inbox's accept/change and the applicant's
decision page.
"""
