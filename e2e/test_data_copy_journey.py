"""A copy of my data in the browser (issue 18, point 4), in Swedish, Arabic and Persian, by keyboard only, axe on every
page: from the footer, ask for the copy, watch it being prepared (htmx polls), download the ZIP and find the
JSON and PDF in it; without JavaScript the refresh link shows it ready."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, text, tr, tr_pattern

pytestmark = pytest.mark.e2e

PERSON = {"sv": "Anders Testsson", "ar": "Amina Yusuf", "fa": "Daniel Mekonnen"}


def logged_in(stack, page, lang, keyboard=False, axe=None) -> Person:
    me = Person(page, keyboard=keyboard, axe=axe, lang=lang)
    page.goto(stack.base_url)
    choose_language(me, lang)
    me.activate(page.get_by_role("link", name=text(lang)["start"]))
    me.idp_login(PERSON[lang])
    me.check_page()
    me.activate(page.locator("footer").get_by_role("link", name=tr(lang, "A copy of my data"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "A copy of my data"))
    expect(page.locator("html")).to_have_attribute("dir", direction(lang))
    me.check_page()
    return me


def check_package(data: bytes, given_name: str) -> None:
    package = zipfile.ZipFile(io.BytesIO(data))
    assert {"data.json", "data.pdf", "data-copy-1.1.0.schema.json"} <= set(package.namelist())
    assert json.loads(package.read("data.json"))["person"]["givenName"] == given_name
    assert package.read("data.pdf").startswith(b"%PDF-")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ask_for_a_copy_watch_it_and_download_it_by_keyboard(stack, new_page, axe, lang):
    page = new_page()
    me = logged_in(stack, page, lang, keyboard=True, axe=axe)
    me.activate(page.get_by_role("button", name=tr(lang, "Prepare a copy of my data")))
    expect(page.get_by_role("heading", name=tr(lang, "Your copies"))).to_be_visible()
    me.check_page()  # waiting or already prepared: the status, the progress bar, the refresh link
    download_link = page.locator("main a[href$='/download']").first
    expect(download_link).to_be_visible(timeout=60_000)  # htmx swaps it in; no reload
    expect(download_link).to_contain_text(tr_pattern(lang, "Download the copy (ZIP, %(size)s kB)"))
    me.check_page()
    with page.expect_download() as download:
        me.activate(download_link)
    check_package(Path(download.value.path()).read_bytes(), PERSON[lang].split()[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_the_refresh_link_shows_the_copy_ready(stack, new_page, lang):
    page = new_page(javascript=False)
    me = logged_in(stack, page, lang)
    me.activate(page.get_by_role("button", name=tr(lang, "Prepare a copy of my data")))
    for _ in range(30):  # each round is a page load: the worker prepares a copy within a few of them
        if page.locator("main a[href$='/download']").count():
            break
        refresh = page.get_by_role("link", name=tr(lang, "Update the page to see if the copy is ready"))
        expect(refresh.first).to_be_visible()
        refresh.first.click()
        page.wait_for_load_state()
    download_link = page.locator("main a[href$='/download']").first
    expect(download_link).to_be_visible()
    response = page.request.get(stack.base_url + download_link.get_attribute("href"))
    assert response.status == 200
    check_package(response.body(), PERSON[lang].split()[0])
