"""Archive and retention (issue 17, point 4): a case exported as an archive package (a ZIP with the
documents as PDF/A, the exchange documents as frozen and an XML description after Riksarkivet's FGS
Ärendehantering, as far as applies), and gallring: finished cases purged once their municipality's
retention has run out. docs/decisions/0009-archive-package-and-retention.md."""
