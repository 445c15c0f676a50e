"""Every enabled language through the thin journey's key pages (issue 19): chosen in the header by its
own name, the page in that language and direction, axe on each page, and no Swedish interface word
left untranslated. The whole flow, sending included, runs in test_thin_journey.py; here each language
visits each key page once, so eight languages stay within the journeys' time budget."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.journey import Person, expect_language, text
from e2e.test_fetch_journey import no_open_application
from portal.i18n import glossary
from portal.i18n.services import NATIVE_NAMES, SUPPORTED

pytestmark = pytest.mark.e2e

# Common words of the portal's Swedish interface: on a page in another language any of them, outside a
# name, a Swedish term of the glossary or text someone typed, is a message left untranslated.
SWEDISH_WORDS = (
    "Skicka",
    "Fortsätt",
    "Ansökan",
    "ansökan",
    "ansökningar",
    "Tillbaka",
    "Spara",
    "Logga",
    "Hämta",
    "hämtade",
    "Ändra",
    "Kontrollera",
    "Välj",
    "Avbryt",
    "Försök",
    "Beslut",
    "beslut",
    "kommunen",
    "uppgifter",
    "Uppgifter",
    "inkomster",
    "kostnader",
    "hushållet",
    "Meddelanden",
    "och",
    "eller",
    "inte",
    "är",
    "att",
    "dina",
    "för",
    "från",
    "vill",
    "måste",
    "här",
)
_WORDS = re.compile(r"(?<!\w)(" + "|".join(SWEDISH_WORDS) + r")(?!\w)")
# What the scan leaves out: names and agencies (isolated in <bdi>), text marked Swedish, what people
# typed (dir=auto), the language menu (each language in itself) and the hidden small-screen copy of it.
_PAGE_TEXT = """() => {
  const skip = 'bdi, body [lang="sv"], [dir="auto"], nav.language-switcher, script, style, template';
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skip) || !node.parentElement.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""


def swedish_left(page) -> list[str]:
    words = page.evaluate(_PAGE_TEXT)
    for term in glossary.load():
        if term.rule == "1":
            words = term.english().sub(" ", words)
    return sorted(set(_WORDS.findall(words)))


@pytest.mark.parametrize("lang", SUPPORTED)
def test_key_pages_in_each_language(stack, new_page, axe, lang):
    t = text(lang)
    page = new_page()
    me = Person(page, axe=axe)

    def looks_right():
        expect_language(page, lang)
        me.check_page()
        if lang != "sv":
            assert swedish_left(page) == [], page.url
        else:  # the scan finds what it looks for
            assert swedish_left(page), page.url

    def go(target):
        with page.expect_navigation():  # the next page, not the one still showing (same lang, one h1)
            me.activate(target)

    no_open_application("Anders Testsson")
    page.goto(stack.base_url)
    if lang != "sv":
        go(page.locator("nav.language-switcher").get_by_role("link", name=NATIVE_NAMES[lang], exact=True))
    looks_right()
    go(page.get_by_role("link", name=t["start"]))
    me.idp_login("Anders Testsson")
    expect(page).to_have_url(re.compile("^" + re.escape(stack.base_url)))
    looks_right()  # the overview
    go(page.get_by_role("link", name=t["new"]))
    looks_right()
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))
    go(page.get_by_role("button", name=t["continue"]))
    expect(page.locator("main dl")).to_contain_text("Uppsala")
    looks_right()  # the application, with the folkbokföring fetched
    go(page.get_by_role("link", name=t["check"]))
    looks_right()  # check your answers
    assert len(axe.pages) >= 5


def test_the_language_menu_is_compact_on_a_small_screen(stack, browser, axe):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(stack.base_url)
        links = page.locator("nav.language-switcher").get_by_role("link")
        expect(links).to_have_count(0)  # folded away: the header stays short
        page.locator(".language-switcher__compact summary").click()
        expect(links).to_have_count(len(SUPPORTED))
        Person(page, axe=axe).check_page()
        last = SUPPORTED[-1]
        links.filter(has_text=NATIVE_NAMES[last]).click()
        expect(page.locator("html")).to_have_attribute("lang", last)
    finally:
        context.close()
