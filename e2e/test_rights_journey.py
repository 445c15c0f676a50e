"""The pages the law requires and the person's rights in the browser (issue 18), in Swedish, Arabic and Persian, axe
on every page: the footer's links reached with the keyboard only, the accessibility statement, a problem
reported without logging in (a mistake first: a clear error, nothing typed lost; then the operator gets
it by e-mail), the privacy notice, and "who has read my data" for a logged-in person, also without
JavaScript.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, text, tr

pytestmark = pytest.mark.e2e

OPERATOR = "tillganglighet@egna-utrymmet.localhost"  # the demo's PORTAL_ACCESSIBILITY_EMAIL
PERSON = {"sv": "Anders Testsson", "ar": "Amina Yusuf", "fa": "Daniel Mekonnen"}


def footer_link(page, lang, msgid):
    return page.locator("footer").get_by_role("link", name=tr(lang, msgid), exact=True)


def type_into(me: Person, field, text: str) -> None:
    if me.keyboard:
        me._tab_to(field)
        me.page.keyboard.press("Control+A")
        me.page.keyboard.type(text)
    else:
        field.fill(text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statement_feedback_and_privacy_from_the_footer(stack, new_page, axe, lang):
    page = new_page()
    me = Person(page, keyboard=True, axe=axe, lang=lang)
    page.goto(stack.base_url)
    choose_language(me, lang)
    expect(page.locator("html")).to_have_attribute("dir", direction(lang))
    me.check_page()

    me.activate(footer_link(page, lang, "Accessibility"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Accessibility of Egna utrymmet"))
    expect(page.locator("a[href='https://www.digg.se/tdosanmalan']")).to_have_count(1)
    me.check_page()

    me.activate(page.get_by_role("link", name=tr(lang, "Report a problem"), exact=True))
    me.check_page()
    problem = page.get_by_label(tr(lang, "What did not work?"))
    where = page.get_by_label(tr(lang, "Which page or document was it? (optional)"))
    contact = page.get_by_label(tr(lang, "Your e-mail address, if you want an answer (optional)"))
    type_into(me, where, "Startsidan")
    type_into(me, contact, "inte-en-adress")
    me.activate(page.get_by_role("button", name=tr(lang, "Send the report")))
    expect(page.get_by_role("heading", name=text(lang)["problem"])).to_be_visible()
    expect(page.locator("main")).to_contain_text(tr(lang, "Describe the problem you met"))
    expect(page.locator("main")).to_contain_text(
        tr(lang, "Enter an e-mail address in the right format, like name@example.com")
    )
    expect(where).to_have_value("Startsidan")
    expect(contact).to_have_value("inte-en-adress")
    me.check_page()

    report = f"Fokus syns inte på knappen ({lang})."
    type_into(me, problem, report)
    type_into(me, contact, "svar@example.org")
    me.activate(page.get_by_role("button", name=tr(lang, "Send the report")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Thank you for your report"))
    me.check_page()
    mails = [
        mail
        for mail in httpx.get(f"{stack.demo_mailbox_url}/mails.json").json()["mails"]
        if OPERATOR in mail["recipients"] and report in mail["body"]
    ]
    assert len(mails) == 1 and "svar@example.org" in mails[0]["body"]

    me.activate(footer_link(page, lang, "Personal data"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "How we handle your personal data"))
    expect(page.get_by_role("heading", name=tr(lang, "Your rights"))).to_be_visible()
    me.check_page()


def readers_page(stack, page, lang, axe=None):
    me = Person(page, axe=axe, lang=lang)
    page.goto(stack.base_url)
    choose_language(me, lang)
    me.activate(page.get_by_role("link", name=text(lang)["start"]))
    me.idp_login(PERSON[lang])
    me.check_page()
    me.activate(footer_link(page, lang, "Who has read my data"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Who has read my data"))
    me.check_page()
    expect(page.get_by_label(tr(lang, "Month"))).to_be_visible()
    me.activate(page.get_by_role("button", name=tr(lang, "Show")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Who has read my data"))
    me.check_page()
    # A month typed into the address that is not one: a clear error, in the page's language.
    page.goto(f"{stack.base_url}/my-data/readers?month=someday")
    expect(page.locator("main")).to_contain_text(tr(lang, "Choose a month from the list"))
    me.check_page()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_who_has_read_my_data(stack, new_page, axe, lang):
    readers_page(stack, new_page(), lang, axe=axe)
    readers_page(stack, new_page(javascript=False), lang)  # the same without JavaScript (axe needs it)
