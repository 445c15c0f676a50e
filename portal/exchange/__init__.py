"""The exchange document: what a municipality receives (docs/design.md §6).

``document`` builds one application as a JSON document that follows the published JSON Schema
(``schema/application-1.2.0.json``, served by ``routes`` at
``/exchange/schema/application-1.2.0.json``, older versions beside it), validates it and gives its canonical bytes and
digest; ``pdf`` renders the same content for people in Swedish, and the applicant's receipt.
The same document serves the built-in inbox, the webhook push and the pull API.
"""
