"""Shared test helpers: the database per test, live HTTP servers, login through the real
test identity provider, and page checks on parsed HTML."""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import shutil
import socket
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal.database import upgrade

PG_ENV = "PORTAL_TEST_DATABASE_URL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Databases:
    """A migrated template once per run; each test gets a fresh copy of it (a file copy on
    SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL).

    On PostgreSQL creating and dropping a database cost about 0.05 s and 0.12 s, more under
    load, for each of over a thousand tests: a background thread keeps a copy ready ahead of the
    next test and drops used ones while the tests go on. Nothing a test sees changes: it still
    gets a database nobody has touched."""

    READY_AHEAD = 2

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pg_admin_url = os.environ.get(PG_ENV)
        if self.pg_admin_url:
            self._admin = create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            self.template = f"portal_tmpl_{uuid.uuid4().hex[:10]}"
            self._pg_execute(f'CREATE DATABASE "{self.template}"')
            upgrade(self._pg_url(self.template))
            self._ready: queue.Queue[str | BaseException] = queue.Queue()
            self._chores: queue.Queue[tuple[str, str] | None] = queue.Queue()
            self._in_use: set[str] = set()
            self._background = threading.Thread(target=self._keeper, name="test-databases", daemon=True)
            self._background.start()
            for _ in range(self.READY_AHEAD):
                self._chores.put(("create", ""))
        else:
            self.template_file = workdir / "template.sqlite3"
            upgrade(f"sqlite:///{self.template_file}")

    @property
    def dialect(self) -> str:
        return "postgresql" if self.pg_admin_url else "sqlite"

    def _pg_url(self, name: str) -> str:
        return make_url(self.pg_admin_url).set(database=name).render_as_string(hide_password=False)

    def _pg_execute(self, statement: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(statement))

    def _keeper(self) -> None:
        while (chore := self._chores.get()) is not None:
            kind, name = chore
            try:
                if kind == "create":
                    name = f"portal_t_{uuid.uuid4().hex[:12]}"
                    self._pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                    self._ready.put(name)
                else:
                    self._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except BaseException as error:  # handed to the test that waits, so it fails with the cause
                if kind == "create":
                    self._ready.put(error)
            finally:
                self._chores.task_done()

    def fresh(self) -> str:
        if self.pg_admin_url:
            self._chores.put(("create", ""))
            ready = self._ready.get(timeout=120)
            if isinstance(ready, BaseException):
                raise ready
            self._in_use.add(ready)
            return self._pg_url(ready)
        target = self.workdir / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.template_file, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        if self.pg_admin_url:
            name = make_url(url).database
            self._in_use.discard(name)
            self._chores.put(("drop", name))

    def close(self) -> None:
        if not self.pg_admin_url:
            return
        self._chores.join()
        self._chores.put(None)
        self._background.join(timeout=120)
        left = list(self._in_use)
        while not self._ready.empty():
            ready = self._ready.get_nowait()
            if isinstance(ready, str):
                left.append(ready)
        for name in [*left, self.template]:
            self._pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()


def soup(response_or_html) -> BeautifulSoup:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.get_data(as_text=True)
    return BeautifulSoup(html, "html.parser")


def page_checks(response, lang: str = "sv", direction: str = "ltr") -> BeautifulSoup:
    """What every page must be: one h1, a title, lang and dir, unique ids, a main landmark."""
    doc = soup(response)
    html = doc.find("html")
    assert html is not None and html.get("lang") == lang and html.get("dir") == direction
    assert len(doc.find_all("h1")) == 1, "exactly one h1"
    assert doc.title and doc.title.get_text(strip=True)
    assert doc.find("main") is not None
    ids = [tag["id"] for tag in doc.find_all(attrs={"id": True})]
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    assert not doc.find_all("script", src=False), "no inline scripts"
    assert not doc.find_all(attrs={"style": True}), "no inline styles"
    return doc


def private_file_checks(response, body: bytes | None = None, cache_control: str = "no-store") -> None:
    """A download of personal data (portal.web.files.send_private_file): its exact bytes (``body``) with
    their digest, an attachment, kept by no cache and never sniffed."""
    assert response.status_code == 200, response.status_code
    if body is not None:
        assert response.data == body
    digest = base64.b64encode(hashlib.sha256(response.data).digest()).decode()
    assert response.headers["Content-Digest"] == f"sha-256=:{digest}:"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == cache_control
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def h1(response) -> str:
    return soup(response).find("h1").get_text(" ", strip=True)


def csrf_from(response) -> str:
    field = soup(response).find("input", attrs={"name": "csrf_token"})
    return field["value"]


def idp_login(client, login_path: str, choose: dict) -> object:
    """Log in through the live test IdP: the portal client follows the redirect to the IdP,
    a plain HTTP session plays the browser there, and the code comes back to the portal."""
    return at_idp(client, client.get(login_path), choose)


def send_application(client, path: str, personnummer: str) -> object:
    """Confirm and sign (a fresh login at the IdP as ``personnummer``); returns the last response."""
    page = client.get(path)
    response = client.post(f"{path}/submit", data={"csrf_token": csrf_from(page), "confirm": "y"})
    if response.status_code != 302 or not response.location.startswith("http"):
        return response
    return at_idp(client, response, {"subject": personnummer})


def cosign_application(client, path: str, personnummer: str) -> object:
    """A co-applicant reads the joint application and signs it from their own login."""
    page = client.get(f"{path}/check")
    response = client.post(f"{path}/cosign", data={"csrf_token": csrf_from(page), "confirm": "y"})
    if response.status_code != 302 or not response.location.startswith("http"):
        return response
    return at_idp(client, response, {"subject": personnummer})


def at_idp(client, response, choose: dict) -> object:
    """Follow a redirect to the IdP, choose who identifies there, and bring the answer back."""
    assert response.status_code == 302, response.status_code
    browser = requests.Session()
    picker = browser.get(response.location, timeout=10)
    assert picker.status_code == 200, picker.text[:500]
    form = soup(picker.text).find("form", attrs={"method": lambda m: m and m.lower() == "post"})
    data = {field["name"]: field.get("value", "") for field in form.find_all("input", attrs={"type": "hidden"})}
    data.update(choose)
    action = form.get("action") or response.location
    if action.startswith("/"):
        parts = urlsplit(response.location)
        action = f"{parts.scheme}://{parts.netloc}{action}"
    answer = browser.post(action, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def sv(msgid: str, **params) -> str:
    """What a Swedish page says for ``msgid``, from the same catalog the portal uses, so
    assertions on words hold whatever the translation is."""
    from babel.support import Translations

    from portal.config import REPO_ROOT

    text = Translations.load(str(REPO_ROOT / "translations"), ["sv"]).gettext(msgid)
    return text % params if params else text
