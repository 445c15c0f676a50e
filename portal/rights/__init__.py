"""The person's rights and the pages the law requires (issue 18): the accessibility statement (lag
2018:1937) with its feedback form, the privacy notice (GDPR art. 13–14), and "who has read my data"
(art. 15, from the audit log)."""
