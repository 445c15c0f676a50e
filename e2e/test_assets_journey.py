"""The browser keeps the style sheets, scripts and fonts (portal/web/assets.py): on the second page it asks the
server for none of them, where before it revalidated about ten files on every page."""

from __future__ import annotations

import pytest

from e2e.journey import tr

pytestmark = pytest.mark.e2e

# Each static file the page used: its address and the bytes it cost on the wire (0 when taken from the cache;
# a revalidation costs at least its headers).
STATIC_RESOURCES = """() => performance.getEntriesByType("resource")
  .filter(entry => new URL(entry.name).pathname.startsWith("/static/"))
  .map(entry => [new URL(entry.name).pathname, entry.transferSize])"""


def test_the_second_page_takes_every_static_file_from_the_cache(stack, new_page):
    page = new_page()
    page.goto(stack.base_url)
    first = page.evaluate(STATIC_RESOURCES)
    assert {"/static/css/portal.css", "/static/css/fonts.css", "/static/js/portal.js"} <= {p for p, _ in first}
    assert any(size > 0 for _, size in first)  # the first page fetched them
    page.locator("footer").get_by_role("link", name=tr("sv", "Accessibility"), exact=True).click()
    page.wait_for_load_state("load")
    second = page.evaluate(STATIC_RESOURCES)
    assert {"/static/css/portal.css", "/static/js/portal.js"} <= {p for p, _ in second}
    assert [p for p, size in second if size > 0] == []
