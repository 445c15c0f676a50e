"""The floor page of ``portal bench pages`` (devstack/bare.py) does what it claims, on both databases: it opens
only for a live server-side session, and each request leaves one audit record committed, so its figures are
those of a page that reads the session and records the read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from devstack.bare import SESSION_COOKIE
from devstack.bare import app as bare_app
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.support import csrf_from

pytestmark = pytest.mark.integration

MARIA = "196108283166"


def _floor_records() -> int:
    db.session.rollback()  # see what the floor's own connection committed
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "bench_floor")
    )


def test_floor_reads_the_session_and_commits_one_audit_record_per_request(app, client, login, config):
    login(MARIA)
    cookie = client.get_cookie(SESSION_COOKIE).value
    bare_app.config["FLOOR_DATABASE_URL"] = config.database_url
    floor = bare_app.test_client(use_cookies=False)

    assert floor.get("/floor").status_code == 403  # no session, nothing read
    assert floor.get("/floor", headers={"Cookie": f"{SESSION_COOKIE}=not-a-session"}).status_code == 403
    assert _floor_records() == 0

    for expected in (1, 2):
        answer = floor.get("/floor", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
        assert answer.status_code == 200
        assert answer.data.count(b"<tr>") == 61  # the bare page's table: a head row and 60
        assert _floor_records() == expected

    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/contact-details"))})
    assert floor.get("/floor", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}).status_code == 403
    assert _floor_records() == 2
