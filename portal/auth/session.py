"""Sessions kept on the server (docs/design.md, "Sessions").

The cookie carries only a random session id (256 bits); everything else — who logged in, their
role, municipality and unit, whom they act for, a login or signing in progress, the ID token kept
for logout — lives in the ``web_session`` table (or, where ``PORTAL_SESSION_REDIS_URL`` is set, in
Redis), found by the id's SHA-256. ``ServerSessionInterface`` is a Flask session interface, so
code using ``flask.session`` is unchanged. Every request reads the session again, so ending it
(logout, an administrator, a timeout) ends it in every portal process at once; a request already
running when it ends cannot bring it back (an update of a row that is gone inserts nothing).

Lifetime: the actor is loaded on every request; idle and absolute timeouts end it; a staff
member's role, municipality and unit are checked against the staff directory on every request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import cast

import redis
from flask import current_app, g, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Table, bindparam, delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from portal import clock
from portal.auth.actor import ANONYMOUS, CITIZEN, STAFF, Actor
from portal.auth.models import WebSession
from portal.auth.staff import StaffDirectory
from portal.extensions import db

log = logging.getLogger(__name__)

# Requests that must not count as activity (the timeout warning's own probe).
PASSIVE_ENDPOINTS = {"static", "auth.session_status"}
# An ended session's row is kept this long past its end (its cookie then shows "session expired"
# rather than a bare login page), and removed by the next new session's purge.
KEEP_AFTER_END = timedelta(days=1)
# last_seen is written at most this often (one write per click would be the alternative).
LAST_SEEN_RESOLUTION_SECONDS = 5
_MAX_COOKIE_LENGTH = 64  # token_urlsafe(32) is 43 characters; anything longer is not ours
_serializer = TaggedJSONSerializer()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _now_seconds() -> int:
    return int(clock.now().timestamp())


def _moment(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, sid: str | None = None):
        def on_update(this):
            this.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.new = sid is None
        self.modified = False
        self.rotate_requested = False

    def rotate(self) -> None:
        """A new id at the next save (login, step-up): an id seen before the change opens nothing."""
        self.rotate_requested = True
        self.modified = True


def _columns(data: dict, config) -> dict:
    """What the store keeps beside the values: whose session it is, and its timestamps."""
    now = _now_seconds()
    actor = data.get("actor") or {}
    login_at, last_seen = data.get("login_at", now), data.get("last_seen", now)
    if actor:
        ends = min(last_seen + config.session_idle_minutes * 60, login_at + config.session_absolute_minutes * 60)
    else:  # a login in progress
        ends = now + config.session_idle_minutes * 60
    acting = data.get("acting_for") or {}
    return {
        "actor_kind": actor.get("kind"),
        "actor_id": actor.get("id"),
        "role": actor.get("role"),
        "municipality_code": actor.get("municipality_code"),
        "unit": actor.get("unit"),
        "acting_for": acting.get("mandate_id") if isinstance(acting, dict) else None,
        "data": _serializer.dumps(dict(data)),
        "created_at": _moment(login_at),
        "last_seen_at": _moment(last_seen),
        "expires_at": _moment(ends),
    }


class DatabaseStore:
    """The ``web_session`` table. A session is read in the request's own transaction and saved on a
    connection of its own: after the view's work was committed (or not), never as part of it."""

    def __init__(self, db):
        self.db = db
        # The mapped class's table: typed as a plain FromClause by the declarative base.
        self.table = cast(Table, WebSession.__table__)
        # Built once, run on every request: building it (clauses, cache key) cost about as much as running it.
        self._load = select(self.table.c.data, self.table.c.expires_at).where(
            self.table.c.id_hash == bindparam("id_hash")
        )

    def load(self, id_hash: str) -> dict | None:
        # Read on the request's own database session, as its first statement (issue 15, point 5): the request
        # then takes one connection from the pool, not one for this read and another for its work.
        row = self.db.session.execute(self._load, {"id_hash": id_hash}).first()
        if row is None or _aware(row.expires_at) + KEEP_AFTER_END < clock.now():
            return None
        return _serializer.loads(row.data)

    def insert(self, id_hash: str, columns: dict) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.expires_at < clock.now() - KEEP_AFTER_END))
            conn.execute(insert(self.table).values(id_hash=id_hash, **columns))

    def update(self, id_hash: str, columns: dict) -> bool:
        with self.db.engine.begin() as conn:
            return (
                conn.execute(update(self.table).where(self.table.c.id_hash == id_hash).values(**columns)).rowcount == 1
            )

    def delete(self, id_hash: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.id_hash == id_hash))

    def delete_for_actor(self, actor_id: str) -> int:
        with self.db.engine.begin() as conn:
            return conn.execute(delete(self.table).where(self.table.c.actor_id == actor_id)).rowcount


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


class RedisStore:
    """Sessions in Redis: one key per session (expiring with it), and per person a set of their
    sessions' keys so an administrator can end them all."""

    def __init__(self, url: str, prefix: str = "portal:session:"):

        self.redis = redis.Redis.from_url(url, socket_timeout=5)
        self.prefix = prefix

    def _key(self, id_hash: str) -> str:
        return f"{self.prefix}s:{id_hash}"

    def _actor_key(self, actor_id: str) -> str:
        return f"{self.prefix}a:{actor_id}"

    def load(self, id_hash: str) -> dict | None:
        # redis-py types its answers for the sync and async clients at once; this one is sync.
        raw = cast(bytes | None, self.redis.get(self._key(id_hash)))
        return _serializer.loads(json.loads(raw)["data"]) if raw else None

    def _write(self, id_hash: str, columns: dict, *, new: bool) -> bool:
        ttl = max(1, int((columns["expires_at"] + KEEP_AFTER_END - clock.now()).total_seconds()))
        value = json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in columns.items()})
        written = self.redis.set(self._key(id_hash), value, ex=ttl, nx=new, xx=not new)
        if written and columns.get("actor_id"):
            actor_key = self._actor_key(columns["actor_id"])
            pipe = self.redis.pipeline()
            pipe.sadd(actor_key, id_hash)
            # The set lives as long as its longest session: lengthened, never shortened.
            pipe.expire(actor_key, ttl, nx=True)
            pipe.expire(actor_key, ttl, gt=True)
            pipe.execute()
        return bool(written)

    def insert(self, id_hash: str, columns: dict) -> None:
        self._write(id_hash, columns, new=True)

    def update(self, id_hash: str, columns: dict) -> bool:
        return self._write(id_hash, columns, new=False)

    def delete(self, id_hash: str) -> None:
        self.redis.delete(self._key(id_hash))

    def delete_for_actor(self, actor_id: str) -> int:
        actor_key = self._actor_key(actor_id)
        hashes = [h.decode() for h in cast(set[bytes], self.redis.smembers(actor_key))]
        ended = cast(int, self.redis.delete(*[self._key(h) for h in hashes])) if hashes else 0
        self.redis.delete(actor_key)
        return ended


def store_for(app):
    store = app.extensions.get("portal.session_store")
    if store is None:
        config = app.config["PORTAL"]
        store = RedisStore(config.session_redis_url) if config.session_redis_url else DatabaseStore(db)
        app.extensions["portal.session_store"] = store
    return store


class ServerSessionInterface(SessionInterface):
    def open_session(self, app, request):
        if app.static_url_path and request.path.startswith(f"{app.static_url_path}/"):
            return ServerSession()  # a page's styles and scripts need no session: no read per file
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) <= _MAX_COOKIE_LENGTH:
            data = store_for(app).load(_hash(sid))
            if data is not None:
                return ServerSession(data, sid=sid)
        return ServerSession()

    def save_session(self, app, session: ServerSession, response):
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        response.vary.add("Cookie")
        store = store_for(app)
        if not session:
            if session.sid:
                store.delete(_hash(session.sid))
            if session.sid or session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=self.get_cookie_secure(app),
                    httponly=self.get_cookie_httponly(app),
                    samesite=self.get_cookie_samesite(app),
                )
            return
        if not session.modified:
            return
        config = app.config["PORTAL"]
        if session.rotate_requested and session.sid:
            store.delete(_hash(session.sid))
            session.sid = None
        session.rotate_requested = False
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
            store.insert(_hash(session.sid), _columns(session, config))
            response.set_cookie(
                name,
                session.sid,
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app),
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
            )
        elif not store.update(_hash(session.sid), _columns(session, config)):
            # Ended meanwhile (logout in another tab or process, an administrator): it stays ended.
            response.delete_cookie(
                name,
                domain=domain,
                path=path,
                secure=self.get_cookie_secure(app),
                httponly=self.get_cookie_httponly(app),
                samesite=self.get_cookie_samesite(app),
            )


def end_sessions_of(actor_id: str) -> int:
    """End every session of a person (a citizen's person id, or a staff member's subject)."""
    return store_for(current_app).delete_for_actor(actor_id)


def rotate_session() -> None:
    """The current session goes on under a new id (login, step-up, signing)."""
    current = session
    assert isinstance(current, ServerSession)  # ServerSessionInterface opens every session
    current.rotate()


def start_session(actor: Actor, id_token: str | None = None) -> None:
    """A fresh session for a new login: nothing from before the login survives, under a new id."""
    session.clear()
    rotate_session()
    session.permanent = True
    now = _now_seconds()
    session["actor"] = actor.to_session()
    session["login_at"] = now
    session["last_seen"] = now
    if id_token:
        session["id_token"] = id_token  # for logout's id_token_hint; never leaves the server


def seconds_left() -> int:
    config = current_app.config["PORTAL"]
    now = clock.now().timestamp()
    idle_left = session.get("last_seen", 0) + config.session_idle_minutes * 60 - now
    absolute_left = session.get("login_at", 0) + config.session_absolute_minutes * 60 - now
    return max(0, int(min(idle_left, absolute_left)))


def _staff_still_as_logged_in(actor: Actor) -> bool:
    """The staff directory, now, says what the session says: same role, municipality and unit."""
    entry = current_app.extensions["portal.staff_directory"].lookup(actor.id)
    return entry is not None and (entry.role, entry.municipality_code, entry.unit) == (
        actor.role,
        actor.municipality_code,
        actor.unit,
    )


def load_actor() -> tuple[str, int] | None:
    g.request_id = str(uuid.uuid4())
    g.session_expired = False
    actor = Actor.from_session(session.get("actor"))
    if actor.is_authenticated and seconds_left() <= 0:
        session.clear()
        g.session_expired = True
        actor = ANONYMOUS
    elif actor.kind == STAFF and not _staff_still_as_logged_in(actor):
        log.warning("staff session ended sub=%s reason=staff_directory", actor.id)
        session.clear()
        actor = ANONYMOUS
    elif actor.is_authenticated and request.endpoint not in PASSIVE_ENDPOINTS:
        now = _now_seconds()
        if now - session.get("last_seen", 0) >= LAST_SEEN_RESOLUTION_SECONDS or now < session.get("last_seen", 0):
            session["last_seen"] = now
    g.actor = actor
    g.subject_id = actor.id if actor.kind == CITIZEN else None
    # A proxy (ombud) acting for the principal chosen, within the mandate in force right now.
    from portal.mandates.acting import resolve

    return resolve()


def init_app(app) -> None:
    app.session_interface = ServerSessionInterface()
    app.extensions["portal.staff_directory"] = StaffDirectory(app.config["PORTAL"].staff_directory)
