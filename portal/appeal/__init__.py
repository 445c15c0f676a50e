"""Appeal (överklagande) of the municipality's decision (issue 17, point 2).

From the decision, the applicant (or their ombud with the submit scope) writes which decision, what they want
changed and why, and signs by step-up like sending; the appeal is frozen as a document version of the case
(JSON and PDF), listed in the timeline and the API, and pushed to a webhook inbox. The deadline is three weeks
from the served date (``deadline.py``); a late appeal is accepted and marked late for the municipality to judge.
The municipality reconsiders (omprövning: changes or keeps the decision) and forwards it to förvaltningsrätten
with its opinion; the court transfer itself is outside the portal (docs/decisions/0011-appeal.md).
"""
