"""Delgivning: serving the municipality's decision on the applicant (issue 17, point 1).

A decision is served by digital mail (Mina meddelanden: the national infrastructure's "is reachable"
lookup, then a secure message with the decision's PDF, whose receipt and date are kept) when the person
has a digital mailbox; otherwise, or when the lookup keeps failing, on paper: the municipality's print
queue gives a PDF/A batch for its post room and a "confirm sent" marks them served by post. The worker
does it in the background from an outbox record written with the decision
(docs/decisions/0010-delgivning-digital-mail-then-paper.md).
"""
