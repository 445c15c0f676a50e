"""A bare Flask app rendering a 60-row Jinja table: the yardstick of ``portal bench pages``, served by the same
gunicorn configuration as the portal, so a page's ratio to it says how much the portal itself costs."""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

ROWS = 60
TEMPLATE = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<table><thead><tr><th>#</th><th>Namn</th><th>Belopp</th><th>Datum</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.number }}</td><td>{{ row.name }}</td>
<td>{{ "%.2f"|format(row.amount) }} kr</td><td>{{ row.day }}</td></tr>{% endfor %}</tbody></table>
</main></body></html>"""

app = Flask(__name__)
# A loaded template, compiled once and cached, as the portal's templates are.
app.jinja_env.loader = DictLoader({"table.html": TEMPLATE})
_rows = [
    {"number": i, "name": f"Rad {i}", "amount": i * 101.25, "day": f"2026-11-{1 + i % 28:02d}"} for i in range(ROWS)
]


@app.get("/")
def table():
    return render_template("table.html", title="60 rader", rows=_rows)
