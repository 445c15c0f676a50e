"""One administrator registers a god man from the överförmyndare's decision after identifying again
(step-up); until a second administrator approves it (after identifying again too), the representative
can do nothing. Then the representative acts for the person represented, with the banner on every page;
the person represented is told and sees both administrators in their trail. Axe on every page, in
Swedish and in Arabic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, text, tr
from portal import clock

pytestmark = pytest.mark.e2e

CAST = {  # the person represented and the representative, one pair per language (the stack is shared)
    "sv": (("Sara Holm", "199912282382"), ("Daniel Mekonnen", "197911109291"), "ÖF 2026-777"),
    "ar": (("Jonas Ström", "199312162390"), ("Amina Yusuf", "199212252382"), "ÖF 2026-778"),
    "fa": (("Margareta Nilsson", "194408139089"), ("Per Ek", "197907179191"), "ÖF 2026-779"),
}


def administrator(new_page, stack, axe, lang, name):
    page = new_page()
    admin = Person(page, axe=axe, lang=lang)
    page.goto(f"{stack.base_url}/municipality/")
    choose_language(admin, lang)
    admin.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    admin.idp_login(name)
    admin.check_page()
    admin.activate(page.get_by_role("link", name=tr(lang, "Legal representatives (god man, förvaltare)")))
    admin.check_page()
    return page, admin


def citizen(new_page, stack, axe, lang, name):
    page = new_page()
    person = Person(page, axe=axe, lang=lang)
    page.goto(stack.base_url)
    choose_language(person, lang)
    person.activate(page.get_by_role("link", name=text(lang)["start"]))
    person.idp_login(name)
    return page, person


@pytest.mark.parametrize("lang", LANGUAGES)
def test_two_administrators_register_a_god_man_who_then_acts_for_the_person(stack, new_page, axe, lang):
    principal, representative, decision = CAST[lang]
    page, admin = administrator(new_page, stack, axe, lang, "Sara Förvaltare")
    # A mistake first: the form says what is wrong and keeps the rest.
    admin.choose(page.get_by_label(tr(lang, "God man"), exact=True))
    page.get_by_label(tr(lang, "The överförmyndare's decision reference")).fill(decision)
    page.get_by_label(tr(lang, "Personal identity number of the person represented")).fill("19991228-2381")
    register = page.get_by_role("button", name=tr(lang, "Identify yourself and register"))
    admin.activate(register)
    expect(page.get_by_role("heading", name=text(lang)["problem"])).to_be_visible()
    expect(page.get_by_label(tr(lang, "The överförmyndare's decision reference"))).to_have_value(decision)
    admin.check_page()
    page.get_by_label(tr(lang, "Personal identity number of the person represented")).fill(principal[1])
    page.get_by_label(tr(lang, "Name of the person represented")).fill(principal[0])
    page.get_by_label(tr(lang, "Personal identity number of the legal representative")).fill(representative[1])
    page.get_by_label(tr(lang, "Name of the legal representative")).fill(representative[0])
    expect(register).to_be_visible()  # the form is whole before its boxes are counted (``all()`` does not wait)
    for box in page.locator("fieldset input[type=checkbox]").all():
        admin.tick(box)
    page.get_by_label(tr(lang, "Valid from")).fill(clock.today().isoformat())
    page.get_by_label(tr(lang, "Valid until")).fill((clock.today() + timedelta(days=300)).isoformat())
    admin.activate(register)
    admin.idp_login("Sara Förvaltare")  # the step-up: she identifies again
    row = page.locator("main table tr", has_text=decision)
    expect(row).to_contain_text(tr(lang, "Waiting for a second administrator's approval"))
    expect(row).to_contain_text(tr(lang, "Another administrator approves or refuses it"))  # not her own
    admin.check_page()

    # Until a second administrator approves, the representative cannot act for the person.
    rep_page, rep = citizen(new_page, stack, axe, lang, representative[0])
    expect(rep_page.get_by_role("heading", level=1)).not_to_have_text(tr(lang, "Whose affairs do you want to handle?"))
    expect(rep_page.locator(".acting-for")).to_have_count(0)
    rep.check_page()

    # The second administrator approves, identifying again.
    other_page, other = administrator(new_page, stack, axe, lang, "Mats Drift")
    other_row = other_page.locator("main table tr", has_text=decision)
    other.activate(other_row.get_by_role("button", name=tr(lang, "Identify yourself and approve")))
    other.idp_login("Mats Drift")
    expect(other_page.locator("main table tr", has_text=decision)).to_contain_text(tr(lang, "In force"))
    expect(other_page.locator("main table tr", has_text=decision)).to_contain_text("Mats Drift")
    other.check_page()

    # Now the representative chooses to act for the person represented; every page says so.
    rep_page, rep = citizen(new_page, stack, axe, lang, representative[0])
    expect(rep_page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Whose affairs do you want to handle?"))
    rep.check_page()
    rep.choose(rep_page.get_by_label(principal[0], exact=False).first)
    rep.activate(rep_page.locator("main").get_by_role("button", name=tr(lang, "Continue")))
    banner = rep_page.locator(".acting-for")
    expect(banner).to_contain_text(tr(lang, "You are acting for %(name)s", name=principal[0]))
    rep.check_page()
    rep.activate(rep_page.locator("main").get_by_role("link").first)
    expect(banner).to_be_visible()
    rep.check_page()

    # The person represented is told, and their trail names both administrators.
    own, person = citizen(new_page, stack, axe, lang, principal[0])
    expect(own.locator("body")).to_contain_text(decision)
    person.check_page()
    own.goto(f"{stack.base_url}/mandates/trail")
    trail = own.locator("main table")
    expect(trail).to_contain_text(tr(lang, "%(name)s (administrator)", name="Sara Förvaltare"))
    expect(trail).to_contain_text(tr(lang, "%(name)s (administrator)", name="Mats Drift"))
    person.check_page()
