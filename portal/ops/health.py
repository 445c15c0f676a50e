"""``/ready`` (may this node take traffic?) and ``/metrics`` (Prometheus, token only). ``/health`` (the process
answers) is ``portal.web.routes.health``. Both are cheap and say nothing about any person: readiness names
only the check that failed and the kind of error."""

from __future__ import annotations

import logging
from functools import cache

from alembic.script import ScriptDirectory
from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text

from portal.auth.access import requires
from portal.database import alembic_config
from portal.extensions import db, oauth
from portal.ops import metrics as prometheus

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@cache
def head_revisions() -> frozenset[str]:
    """The migrations' head, read once per process from the migration scripts the code ships."""

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _database() -> None:
    db.session.execute(text("SELECT 1"))


def _migrations() -> None:
    current = frozenset(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    if current != head_revisions():
        raise RuntimeError("not at head")


def _seal_key() -> None:
    sealer = current_app.extensions.get("portal.sealer")
    if sealer is None or not sealer.jwks().get("keys"):
        raise RuntimeError("no seal key")


def _identity_provider() -> None:
    """Both OIDC clients have the IdP's metadata (Authlib fetches it once and keeps it)."""

    for name in ("citizen", "staff"):
        metadata = getattr(oauth, name).load_server_metadata()
        if not metadata.get("authorization_endpoint"):
            raise RuntimeError("no metadata")


CHECKS = {
    "database": _database,
    "migrations": _migrations,
    "seal_key": _seal_key,
    "identity_provider": _identity_provider,
}


def readiness() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "skipped"  # it reads the database
            continue
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a readiness probe reports, it does not fail
            log.warning("not ready check=%s error=%s", name, type(exc).__name__)
            results[name] = f"failed: {type(exc).__name__}"
            db.session.rollback()
    db.session.remove()
    return results


@bp.get("/ready")
@requires("public")
def ready():
    checks = readiness()
    failing = [name for name, state in checks.items() if state != "ok"]
    return jsonify(status="not ready" if failing else "ready", checks=checks), 503 if failing else 200


@bp.get("/metrics")
@requires("public")  # the bearer token below, not a login: Prometheus has no session
def metrics():
    if not prometheus.authorised(request.headers.get("Authorization")):
        abort(404)  # not configured, or a wrong token: the path does not say it exists
    # current_app is a LocalProxy, typed as the Flask app it stands for.
    return Response(prometheus.exposition(current_app._get_current_object()), mimetype="text/plain; version=0.0.4")  # pyright: ignore[reportAttributeAccessIssue]
