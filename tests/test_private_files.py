"""``send_private_file`` (portal/web/files.py), the one way a file with personal data leaves the portal:
its bytes' digest, an attachment's name as the person gave it, no cache, no sniffing. The routes' own tests
check it on each download (tests.support.private_file_checks)."""

from __future__ import annotations

import hashlib
import io

from portal.web.files import PRIVATE_NO_STORE, send_private_file
from tests.support import private_file_checks


class Sent:
    """A response as the test client sees it, for ``private_file_checks``."""

    def __init__(self, response):
        response.direct_passthrough = False
        self.status_code, self.headers, self.data = response.status_code, response.headers, response.get_data()


def test_bytes_are_sent_with_their_digest(app):
    with app.test_request_context():
        sent = Sent(send_private_file(b"%PDF-1.7 beslut", filename="beslut-2026-0001.pdf", mimetype="application/pdf"))
    private_file_checks(sent, b"%PDF-1.7 beslut")
    assert sent.headers["Content-Disposition"] == "attachment; filename=beslut-2026-0001.pdf"
    assert sent.headers["Content-Type"] == "application/pdf"


def test_a_name_with_swedish_letters_keeps_them_for_browsers_that_read_utf_8(app):
    with app.test_request_context():
        sent = Sent(send_private_file(b"x", filename="lönebesked nov.pdf", mimetype="application/pdf"))
    assert sent.headers["Content-Disposition"] == (
        "attachment; filename=\"lonebesked nov.pdf\"; filename*=UTF-8''l%C3%B6nebesked%20nov.pdf"
    )


def test_a_stored_file_is_streamed_with_the_digest_recorded_on_upload(app):
    data = b"\x89PNG stored bytes"
    with app.test_request_context():
        response = send_private_file(
            io.BytesIO(data),
            filename="hyra.png",
            mimetype="image/png",
            sha256=hashlib.sha256(data).hexdigest(),
            cache_control=PRIVATE_NO_STORE,
        )
        assert response.direct_passthrough  # streamed from storage, not read into memory
        sent = Sent(response)
    private_file_checks(sent, data, cache_control="private, no-store")
    assert "ETag" not in sent.headers and "Last-Modified" not in sent.headers
