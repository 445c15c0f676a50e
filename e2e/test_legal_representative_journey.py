"""An administrator registers a god man from the överförmyndare's decision; the representative
then acts for the person represented, with the banner on every page; the person represented is
told. Axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.journey import Person, tr
from portal import clock

pytestmark = pytest.mark.e2e

PRINCIPAL = ("Sara Holm", "199912282382")
REPRESENTATIVE = ("Daniel Mekonnen", "197911109291")


def test_administrator_registers_a_god_man_who_then_acts_for_the_person(stack, new_page, axe):
    lang = "sv"
    page = new_page()
    admin = Person(page, axe=axe, lang=lang)
    page.goto(f"{stack.base_url}/municipality/")
    admin.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    admin.idp_login("Sara Förvaltare")
    admin.check_page()
    admin.activate(page.get_by_role("link", name=tr(lang, "Legal representatives (god man, förvaltare)")))
    admin.check_page()
    # A mistake first: the form says what is wrong and keeps the rest.
    admin.choose(page.get_by_label(tr(lang, "God man"), exact=True))
    page.get_by_label(tr(lang, "The överförmyndare's decision reference")).fill("ÖF 2026-777")
    page.get_by_label(tr(lang, "Personal identity number of the person represented")).fill("19991228-2381")
    admin.activate(page.get_by_role("button", name=tr(lang, "Register")))
    expect(page.get_by_role("heading", name=TEXT_PROBLEM)).to_be_visible()
    expect(page.get_by_label(tr(lang, "The överförmyndare's decision reference"))).to_have_value("ÖF 2026-777")
    admin.check_page()
    page.get_by_label(tr(lang, "Personal identity number of the person represented")).fill(PRINCIPAL[1])
    page.get_by_label(tr(lang, "Name of the person represented")).fill(PRINCIPAL[0])
    page.get_by_label(tr(lang, "Personal identity number of the legal representative")).fill(REPRESENTATIVE[1])
    page.get_by_label(tr(lang, "Name of the legal representative")).fill(REPRESENTATIVE[0])
    for box in page.locator("fieldset input[type=checkbox]").all():
        admin.tick(box)
    page.get_by_label(tr(lang, "Valid from")).fill(clock.today().isoformat())
    page.get_by_label(tr(lang, "Valid until")).fill((clock.today() + timedelta(days=300)).isoformat())
    admin.activate(page.get_by_role("button", name=tr(lang, "Register")))
    expect(page.locator("table")).to_contain_text("ÖF 2026-777")
    admin.check_page()

    # The representative chooses to act for the person represented; every page says so.
    rep_page = new_page()
    rep = Person(rep_page, axe=axe, lang=lang)
    rep_page.goto(stack.base_url)
    rep.activate(rep_page.get_by_role("link", name="Logga in och börja"))
    rep.idp_login(REPRESENTATIVE[0])
    expect(rep_page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Whose affairs do you want to handle?"))
    rep.check_page()
    rep.choose(rep_page.get_by_label(PRINCIPAL[0], exact=False).first)
    rep.activate(rep_page.locator("main").get_by_role("button", name=tr(lang, "Continue")))
    banner = rep_page.locator(".acting-for")
    expect(banner).to_contain_text(tr(lang, "You are acting for %(name)s", name=PRINCIPAL[0]))
    rep.check_page()
    rep.activate(rep_page.locator("main").get_by_role("link").first)
    expect(banner).to_be_visible()
    rep.check_page()

    # The person represented is told.
    own = new_page()
    principal = Person(own, axe=axe, lang=lang)
    own.goto(stack.base_url)
    principal.activate(own.get_by_role("link", name="Logga in och börja"))
    principal.idp_login(PRINCIPAL[0])
    expect(own.locator("body")).to_contain_text("ÖF 2026-777")
    principal.check_page()


TEXT_PROBLEM = "Det finns ett problem"
