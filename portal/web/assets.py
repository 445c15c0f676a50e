"""Static files a browser keeps until they change.

Every page names the same style sheets, scripts and fonts; revalidated on each page (Flask's default,
``no-cache``), that is about ten round trips a page before anything is drawn, on the slow mobile connections
many applicants use. So ``url_for('static', ...)`` adds ``v``, the first hex digits of the file's SHA-256, and a
request whose ``v`` is the file's as it is now may be kept for a year: a changed file gets a new address, so
nothing stale is ever shown. A request without it, or with an old one, is revalidated as before. The fonts are
named by the style sheet with relative addresses that cannot carry ``v``; they are kept a day (a font's file
changes only with a new subset, and a day-old font draws the same letters)."""

from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, request
from werkzeug.security import safe_join

YEAR_SECONDS = 365 * 24 * 3600
FONT_SECONDS = 24 * 3600
KEPT = f"public, max-age={YEAR_SECONDS}, immutable"
FONTS_KEPT = f"public, max-age={FONT_SECONDS}"
_VERSION_DIGITS = 12
# By path: the file's (mtime, size) when hashed and the hash. A changed file (a deployment, or editing while the
# demo runs) is seen by its stat and hashed again.
_versions: dict[str, tuple[tuple[int, int], str]] = {}


def version(static_folder: str, filename: str) -> str | None:
    path = safe_join(static_folder, filename)
    if path is None:
        return None  # outside the folder: Flask's own view refuses it
    try:
        stat = os.stat(path)
    except OSError:
        return None  # no such file: the address stays as it is and the request gets its 404
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    with open(path, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()[:_VERSION_DIGITS]
    _versions[path] = (stamp, digest)
    return digest


def add_version(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    digest = version(current_app.static_folder or "", values["filename"])
    if digest is not None:
        values["v"] = digest


def keep_unchanged(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    wanted = request.args.get("v")
    if wanted is not None and wanted == version(current_app.static_folder or "", filename):
        response.headers["Cache-Control"] = KEPT
    elif filename.startswith("fonts/") and wanted is None:
        response.headers["Cache-Control"] = FONTS_KEPT
    return response


def register(app: Flask) -> None:
    app.url_defaults(add_version)
    app.after_request(keep_unchanged)
