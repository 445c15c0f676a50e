"""Driving the browser like a person: by role and label, with a mouse or with the keyboard only."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

TEXT = {
    "sv": {
        "start": "Logga in och börja",
        "new": "Starta en ny ansökan",
        "continue": "Fortsätt",
        "send": "Skicka ansökan",
        "confirm": "Jag intygar att uppgifterna är riktiga och fullständiga så vitt jag vet",
        "problem": "Det finns ett problem",
        "idp_login": "Logga in",
        "sent": "Skickad – väntar på kommunen",
        "received": "Mottagen av kommunen",
        "language": "Svenska",
        "choose": "Välj vad vi får hämta",
        "check": "Kontrollera dina svar och skicka",
        "save_fetch": "Spara och hämta",
        "try_again": "Försök igen",
        "not_fetched": "Inte hämtad",
        "continue_app": "Fortsätt till ansökan",
        "information": "Kontrollera de hämtade uppgifterna",
    },
    "ar": {
        "start": "سجّل الدخول وابدأ",
        "new": "ابدأ طلبًا جديدًا",
        "continue": "متابعة",
        "send": "أرسل الطلب",
        "confirm": "أؤكد أن المعلومات صحيحة وكاملة على حد علمي",
        "problem": "توجد مشكلة",
        "idp_login": "تسجيل الدخول",
        "sent": "أُرسل – بانتظار البلدية",
        "received": "استلمته البلدية",
        "language": "العربية",
        "choose": "اختر ما يمكننا جلبه",
        "check": "راجع إجاباتك وأرسل الطلب",
        "save_fetch": "احفظ واجلب",
        "try_again": "حاول مرة أخرى",
        "not_fetched": "لم تُجلب",
        "continue_app": "المتابعة إلى الطلب",
        "information": "تحقق من المعلومات التي جُلبت",
    },
}


# The same words for any other language, from its catalog (issue 19): msgid of each TEXT key.
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
RIGHT_TO_LEFT = ("ar", "fa")


def text(lang: str) -> dict:
    """The journey's words in ``lang``: written out for Swedish and Arabic, from the catalog otherwise."""
    if lang in TEXT:
        return TEXT[lang]
    from portal.i18n.services import NATIVE_NAMES

    return {
        **{key: tr(lang, msgid) for key, msgid in MSGIDS.items()},
        "language": NATIVE_NAMES[lang],
        "idp_login": TEXT["sv"]["idp_login"],
    }


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

    def _focused(self, target: Locator) -> bool:
        return target.evaluate("el => el === document.activeElement")

    def _tab_to(self, target: Locator, limit: int = 60) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self._focused(target):
                return
        raise AssertionError(f"could not reach {target} with Tab")

    def activate(self, target: Locator) -> None:
        """Follow a link or press a button."""
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.press("Enter")
        else:
            target.click()

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


def tr(lang: str, msgid: str, **params) -> str:
    """The page's text for ``msgid`` in ``lang``, from the same catalogs the portal uses."""
    from babel.support import Translations

    from portal.config import REPO_ROOT

    text = Translations.load(str(REPO_ROOT / "translations"), [lang]).gettext(msgid)
    return text % params if params else text
