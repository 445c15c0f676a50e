"""The applicant's situation (issue 16): housing, work, children, other adults, debts, one-off needs,
the payout account, interpreter and contact, asked as short question pages with skip logic, and the
documents the answers call for. See docs/design.md, "The applicant's situation"."""
