"""Static files a browser keeps until they change (portal/web/assets.py): addressed by their content, kept a
year at that address, revalidated at any other."""

from __future__ import annotations

import hashlib
import re

import pytest

from portal.config import REPO_ROOT
from portal.web import assets
from tests.support import soup


def digest(relative: str) -> str:
    return hashlib.sha256((REPO_ROOT / "static" / relative).read_bytes()).hexdigest()[:12]


def test_every_page_names_its_style_sheets_and_scripts_by_their_content(client):
    page = soup(client.get("/").get_data(as_text=True))
    named = [tag.get("href") or tag.get("src") for tag in page.find_all(["link", "script"])]
    static = [address for address in named if address and address.startswith("/static/")]
    assert {"/static/css/portal.css", "/static/css/fonts.css", "/static/js/portal.js"} <= {
        address.split("?")[0] for address in static
    }
    for address in static:
        path, version = re.fullmatch(r"/static/(.+)\?v=([0-9a-f]{12})", address).groups()
        assert version == digest(path)


def test_the_current_address_is_kept_a_year_and_any_other_is_revalidated(client):
    current = client.get(f"/static/css/portal.css?v={digest('css/portal.css')}")
    assert current.status_code == 200
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/css/portal.css?v=000000000000", "/static/css/portal.css"):
        response = client.get(stale)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", stale
    # A conditional request at the current address keeps the year too.
    again = client.get(
        f"/static/css/portal.css?v={digest('css/portal.css')}",
        headers={"If-None-Match": current.headers["ETag"]},
    )
    assert again.status_code == 304 and "max-age=31536000" in again.headers["Cache-Control"]


def test_fonts_named_by_the_style_sheet_are_kept_a_day(client):
    css = client.get("/static/css/fonts.css").get_data(as_text=True)
    font = re.search(r'url\("\.\./(fonts/[^"]+\.woff2)"\)', css).group(1)
    response = client.get(f"/static/{font}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=86400"


def test_a_changed_file_gets_a_new_address(tmp_path):
    sheet = tmp_path / "css" / "a.css"
    sheet.parent.mkdir()
    sheet.write_text("body { color: black }")
    first = assets.version(str(tmp_path), "css/a.css")
    sheet.write_text("body { color: #0b0c0c }")
    second = assets.version(str(tmp_path), "css/a.css")
    assert first and second and first != second
    assert second == hashlib.sha256(sheet.read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize("name", ["../pyproject.toml", "missing.css"])
def test_no_version_for_what_is_not_a_static_file(tmp_path, name):
    assert assets.version(str(tmp_path), name) is None
