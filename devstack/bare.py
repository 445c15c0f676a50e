"""The yardsticks of ``portal bench pages``, served by the same gunicorn configuration as the portal, so a page's
ratio to them says how much the portal itself costs.

- ``/``: a bare Flask app rendering a 60-row Jinja table (issue 15's reference page).
- ``/floor``: the same page plus the least a logged-in page of the portal must do in the database on every
  request, and nothing else: read the server-side session row by the cookie's hash (every request reads it, so a
  logout ends the session in every process at once), then add an audit record of the read and commit it before
  anything is shown (every read of personal data is audit-logged). Both through SQLAlchemy Core on the portal's
  own tables, with the portal's engine options, no ORM object and no template work beyond the table. The ratio of
  this page to the bare one is the ceiling of any logged-in page's ratio on the same machine and database.
"""

from __future__ import annotations

import hashlib
import os
import uuid

from flask import Flask, abort, current_app, render_template, request
from flask.json.tag import TaggedJSONSerializer
from jinja2 import DictLoader
from sqlalchemy import Engine, create_engine, insert, select

from portal.audit.models import AuditEvent
from portal.auth.models import WebSession
from portal.db import utcnow

ROWS = 60
TEMPLATE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<table><thead><tr><th>#</th><th>Namn</th><th>Belopp</th><th>Datum</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.number }}</td><td>{{ row.name }}</td>
<td>{{ "%.2f"|format(row.amount) }} kr</td><td>{{ row.day }}</td></tr>{% endfor %}</tbody></table>
</main></body></html>"""
# The portal's session cookie outside production (portal.config.Config.cookie_name).
SESSION_COOKIE = "portal_session"

app = Flask(__name__)
# A loaded template, compiled once and cached, as the portal's templates are.
app.jinja_env.loader = DictLoader({"table.html": TEMPLATE})
# The bench sets it for its in-process figures; under gunicorn it comes from the portal's own variable.
app.config["FLOOR_DATABASE_URL"] = os.environ.get("PORTAL_DATABASE_URL")
_rows = [
    {"number": i, "name": f"Rad {i}", "amount": i * 101.25, "day": f"2026-11-{1 + i % 28:02d}"} for i in range(ROWS)
]
_engines: dict[str, Engine] = {}
_serializer = TaggedJSONSerializer()


def _engine() -> Engine:
    # Made in the serving process (after gunicorn's fork), once: a pool is not shared across processes.
    url = current_app.config["FLOOR_DATABASE_URL"]
    if url not in _engines:
        _engines[url] = create_engine(url, pool_pre_ping=True)  # the portal's engine options (Config.flask_settings)
    return _engines[url]


@app.get("/")
def table():
    return render_template("table.html", title="60 rader", rows=_rows)


@app.get("/floor")
def floor():
    session_id = request.cookies.get(SESSION_COOKIE) or ""
    with _engine().connect() as connection:
        kept = connection.execute(
            select(WebSession.actor_kind, WebSession.actor_id, WebSession.data, WebSession.expires_at).where(
                WebSession.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
            )
        ).first()
        # The session's values are read as the portal reads them (Flask's tagged JSON): whoever logged in.
        if kept is None or kept.expires_at <= utcnow() or not _serializer.loads(kept.data).get("actor"):
            abort(403)
        connection.execute(
            insert(AuditEvent).values(
                at=utcnow(),
                actor_type=kept.actor_kind,
                actor_id=kept.actor_id,
                subject_id=None,
                action="read",
                object_type="bench_floor",
                object_id=None,
                purpose="portal bench pages: the floor of a logged-in page",
                request_id=str(uuid.uuid4()),
            )
        )
        connection.commit()
    return render_template("table.html", title="60 rader", rows=_rows)
