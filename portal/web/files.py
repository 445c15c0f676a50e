"""Sending a file that holds personal data (an attachment, a decision, the application document, an
archive package, a copy of one's data): the one way every download of the portal and the API is sent."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from typing import IO
from urllib.parse import quote

from flask import Response, current_app, send_file

# The person's own pages; the API says ``private`` too, as it always has for its receivers.
NO_STORE = "no-store"
PRIVATE_NO_STORE = "private, no-store"


def send_private_file(
    content: bytes | IO[bytes],
    *,
    filename: str,
    mimetype: str,
    sha256: str | None = None,
    cache_control: str = NO_STORE,
) -> Response:
    """``content`` as a download named ``filename``: kept by no cache, never sniffed into something a
    browser would run, and with its SHA-256 (RFC 9530 ``Content-Digest``) so the receiver can check the
    bytes. The digest of bytes is computed here; a stored file's comes as ``sha256`` (hex), the one
    recorded when it was checked on upload."""
    if isinstance(content, bytes):
        response = current_app.response_class(content, mimetype=mimetype)
        response.headers.set("Content-Disposition", "attachment", **_names(filename))
        sha256 = hashlib.sha256(content).hexdigest()
    else:
        # A stored file is streamed, not read into memory; conditional answers and ETags are for caches,
        # which may not keep it.
        response = send_file(
            content,
            mimetype=mimetype,
            as_attachment=True,
            download_name=filename,
            max_age=0,
            conditional=False,
            etag=False,
        )
    if sha256:
        response.headers["Content-Digest"] = f"sha-256=:{sha256_base64(sha256)}:"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache_control
    return response


def sha256_base64(hex_digest: str) -> str:
    """A SHA-256 kept as hex, in the base64 that the digest headers carry."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def _names(filename: str) -> dict[str, str]:
    """The disposition's file name as ``send_file`` writes it: ASCII as is; otherwise an ASCII fallback
    and the UTF-8 name (RFC 6266), so "lönebesked.pdf" keeps its letters."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": f"UTF-8''{quote(filename, safe='!#$&+-.^_`|~')}"}
    return {"filename": filename}
