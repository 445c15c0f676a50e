"""Driving the browser like a person: by role and label, with a mouse or with the keyboard only."""

from __future__ import annotations

import re
from functools import cache

from playwright.sync_api import Locator, Page, expect

# The languages the journeys run in: Swedish, and right to left in Arabic and Persian (issue 19). Persian's
# runs carry the ``persian`` marker (e2e/conftest.py): bin/test runs them in its second lane.
LANGUAGES = ("sv", "ar", "fa")
RTL = frozenset({"ar", "fa"})


def is_rtl(lang: str) -> bool:
    return lang in RTL


def direction(lang: str) -> str:
    """What ``<html dir>`` says in ``lang``."""
    return "rtl" if is_rtl(lang) else "ltr"


# The words most journeys need, by the msgid their catalogs translate (issue 21: one source for every
# language, no hand-typed copies per language).
MSGIDS = {
    "start": "Log in and start",
    "new": "Start a new application",
    "continue": "Continue",
    "send": "Send application",
    "confirm": "I confirm that the information is correct and complete as far as I know",
    "problem": "There is a problem",
    "sent": "Sent – waiting for the municipality",
    "received": "Received by the municipality",
    "choose": "Choose what we may fetch",
    "check": "Check your answers and send",
    "save_fetch": "Save and fetch",
    "try_again": "Try again",
    "not_fetched": "Not fetched",
    "continue_app": "Continue to the application",
    "information": "Check the fetched information",
}


@cache
def text(lang: str) -> dict:
    """The journey's words in ``lang`` from its catalog, with the language's own name (the header's link)."""
    from portal.i18n.services import NATIVE_NAMES

    return {**{key: tr(lang, msgid) for key, msgid in MSGIDS.items()}, "language": NATIVE_NAMES[lang]}


def choose_language(me: Person, lang: str) -> None:
    """Swedish is the default; any other language is chosen by its own name in the header."""
    if lang != "sv":
        me.activate(
            me.page.locator("nav.language-switcher").get_by_role("link", name=text(lang)["language"], exact=True)
        )


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction(lang))


class Person:
    """Acts on a page with the mouse, or with the keyboard only (Tab, arrows, Space, Enter)."""

    def __init__(self, page: Page, keyboard: bool = False, axe=None, lang: str = "sv"):
        self.page = page
        self.lang = lang
        self.keyboard = keyboard
        self.axe = axe

    def check_page(self) -> None:
        expect(self.page.locator("h1")).to_have_count(1)
        if self.axe is not None:
            self.axe.check(self.page)

    def wait_for_answers(self, timeout: float = 60_000) -> None:
        """After "Save and fetch" or "Try again": every provider on the fetch page has answered or failed.

        The status list is waited for first: the consent page has no provider pending either, and "none
        pending" must not be read off a page being left. The deadline is generous (every provider, on a busy
        CI machine); it is a ceiling, never a measurement.
        """
        expect(self.page.locator("#fetch-status")).to_be_visible(timeout=timeout)
        expect(self.page.locator(".provider-status--pending")).to_have_count(0, timeout=timeout)

    def _focused(self, target: Locator) -> bool:
        return target.evaluate("el => el === document.activeElement")

    def _tab_to(self, target: Locator, limit: int = 60) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self._focused(target):
                return
        raise AssertionError(f"could not reach {target} with Tab")

    def activate(self, target: Locator) -> None:
        """Follow a link or press a button; a page it leads to is parsed whole before the journey goes on.

        Enter is pressed on the element the Tab key reached (``target.press``, not the page's keyboard): like
        a click, that waits for a navigation it starts. A navigation counts as started once the new page's
        first bytes arrive, so the journey then waits for the whole document: a step that counts elements
        (``all()``, ``count()``) does not wait, and once counted none on a page still being parsed.
        """
        if self.keyboard:
            self._tab_to(target)
            target.press("Enter")
        else:
            target.click()
        self.page.wait_for_load_state("domcontentloaded")

    def tick(self, target: Locator) -> None:
        """Tick a checkbox."""
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.press("Space")
        else:
            target.check()
        expect(target).to_be_checked()

    def choose(self, target: Locator) -> None:
        """Choose a radio button: Tab into its group, then arrows to it."""
        if not self.keyboard:
            target.check()
            return
        name = target.get_attribute("name")
        group = self.page.locator(f"input[type=radio][name='{name}']")
        for _ in range(60):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"document.activeElement.name === '{name}'"):
                break
        for _ in range(group.count() + 1):
            if self._focused(target):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        expect(target).to_be_checked()

    def idp_login(self, who: str) -> None:
        """At the test identity provider: choose who logs in."""
        self.check_page()
        self.choose(self.page.get_by_label(who, exact=True))
        self.activate(self.page.locator("#submit"))


def tr_pattern(lang: str, msgid: str) -> re.Pattern:
    """The page's text for ``msgid`` in ``lang`` when a placeholder's value is not the test's to know (a month,
    a date): each placeholder matches any text, wherever the language puts it (Persian: mid-sentence)."""
    return re.compile(".+".join(re.escape(part) for part in re.split(r"%\(\w+\)[sd]", tr(lang, msgid))))


def tr(lang: str, msgid: str, **params) -> str:
    """The page's text for ``msgid`` in ``lang``, from the same catalogs the portal uses."""
    from babel.support import Translations

    from portal.config import REPO_ROOT

    text = Translations.load(str(REPO_ROOT / "translations"), [lang]).gettext(msgid)
    return text % params if params else text


def leave_email(me, email):
    """From the overview: news by e-mail to ``email``; back on the overview."""
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "Your contact details for notifications")))
    me.check_page()
    page.get_by_label(tr(lang, "E-mail address")).fill(email)
    me.tick(page.get_by_label(tr(lang, "By e-mail")))
    me.activate(page.get_by_role("button", name=tr(lang, "Save")))
    expect(page.get_by_text(tr(lang, "Your contact details are saved."))).to_be_visible()
    me.check_page()
    me.activate(page.get_by_role("link", name=tr(lang, "Back to your applications")))
