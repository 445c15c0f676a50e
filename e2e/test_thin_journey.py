"""The thin journey in the browser: log in, fetch folkbokföring, submit, the caseworker of the
right municipality registers it, the applicant sees it received. Swedish, Arabic and Persian, axe on
every page, a keyboard-only pass and a pass without JavaScript."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, expect_language, text, tr
from e2e.test_fetch_journey import no_open_application

pytestmark = pytest.mark.e2e


def applicant_sends(page, base_url, lang, who, axe=None, keyboard=False):
    t = text(lang)
    me = Person(page, keyboard=keyboard, axe=axe)
    no_open_application(who)  # one application per person and month: earlier journeys' cleared
    page.goto(base_url)
    choose_language(me, lang)
    expect_language(page, lang)
    me.check_page()
    me.activate(page.get_by_role("link", name=t["start"]))
    me.idp_login(who)
    me.check_page()
    me.activate(page.get_by_role("link", name=t["new"]))
    me.check_page()
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))  # agree to the folkbokföring fetch
    me.activate(page.get_by_role("button", name=t["continue"]))
    me.check_page()
    expect(page.locator("main dl")).to_contain_text("Uppsala")
    me.activate(page.get_by_role("link", name=t["check"]))
    me.check_page()

    # Sending without confirming: an error summary, nothing lost.
    me.activate(page.get_by_role("button", name=t["send"]))
    expect(page.get_by_role("heading", name=t["problem"])).to_be_visible()
    me.check_page()
    me.tick(page.get_by_label(t["confirm"]))
    me.activate(page.get_by_role("button", name=t["send"]))
    me.idp_login(who)  # signing: a fresh e-identification
    expect(page.locator("main dl")).to_contain_text(t["sent"])
    me.check_page()
    return page.locator("main dl dd").first.inner_text().strip()


def caseworker_registers(page, base_url, reference, axe=None, keyboard=False):
    worker = Person(page, keyboard=keyboard, axe=axe)
    page.goto(f"{base_url}/municipality/")
    worker.check_page()
    worker.activate(page.get_by_role("link", name="Logga in med ditt organisationskonto"))
    worker.idp_login("Per Handläggare")
    worker.check_page()
    worker.activate(page.get_by_role("link", name=reference))
    worker.check_page()
    worker.activate(page.get_by_role("button", name="Registrera ankomst"))
    expect(page.locator("main dl").first).to_contain_text(tr("sv", "Registered"))
    worker.check_page()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_thin_journey(stack, new_page, axe, lang):
    applicant = new_page()
    reference = applicant_sends(applicant, stack.base_url, lang, "Anders Testsson", axe=axe)
    assert re.fullmatch(r"EU-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)

    caseworker_registers(new_page(), stack.base_url, reference, axe=axe)

    other = new_page()
    other.goto(f"{stack.base_url}/auth/staff/login")
    Person(other).idp_login("Karin Handläggare")
    expect(other.get_by_role("heading", level=1)).to_contain_text("Stockholm")
    expect(other.get_by_role("link", name=reference)).to_have_count(0)

    applicant.reload()
    expect(applicant.locator("main dl")).to_contain_text(text(lang)["received"])
    Person(applicant, axe=axe).check_page()
    assert len(axe.pages) >= 12


def test_keyboard_only(stack, new_page):
    page = new_page()
    reference = applicant_sends(page, stack.base_url, "sv", "Anders Testsson", keyboard=True)
    caseworker_registers(new_page(), stack.base_url, reference, keyboard=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript(stack, new_page, lang):
    page = new_page(javascript=False)
    reference = applicant_sends(page, stack.base_url, lang, "Anders Testsson")
    caseworker_registers(new_page(javascript=False), stack.base_url, reference)
    page.reload()
    expect(page.locator("main dl")).to_contain_text(text(lang)["received"])


def test_failed_fetch_is_kept_and_retried_with_htmx(stack, new_page, axe):
    control = httpx.Client(base_url=stack.sandbox_url, headers={"Authorization": f"Bearer {stack.sandbox_token}"})
    control.post(
        "/_control/faults",
        json={
            "rules": [
                {
                    "provider": "skatteverket",
                    "person": "stockholm-sodermalm",
                    "kind": "status",
                    "status": 503,
                    "first": 1,
                }
            ]
        },
    ).raise_for_status()
    try:
        page = new_page()
        me = Person(page, axe=axe)
        no_open_application("Emma Sundberg")
        page.goto(f"{stack.base_url}/auth/login")
        me.idp_login("Emma Sundberg")
        me.activate(page.get_by_role("link", name=text("sv")["new"]))
        me.choose(page.get_by_role("radio").first)
        me.tick(page.get_by_role("checkbox"))
        me.activate(page.get_by_role("button", name=text("sv")["continue"]))
        expect(page.get_by_text("Vi kunde inte hämta dina uppgifter från folkbokföringen.")).to_be_visible()
        me.check_page()
        page.evaluate("window.notReloaded = true")
        with page.expect_response(lambda r: "/folkbokforing" in r.url):
            me.activate(page.get_by_role("button", name="Försök igen"))
        expect(page.locator("main dl")).to_contain_text("Stockholm")
        expect(page.get_by_role("link", name=text("sv")["check"])).to_be_visible()
        assert page.evaluate("window.notReloaded === true")  # swapped in place by htmx
        me.check_page()
    finally:
        control.delete("/_control/faults")


def test_logout_at_both_ends(stack, new_page, axe):
    page = new_page()
    me = Person(page, axe=axe)
    page.goto(f"{stack.base_url}/auth/login")
    me.idp_login("Anders Testsson")
    me.activate(page.get_by_role("button", name="Logga ut"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utloggad")
    me.check_page()
    page.goto(f"{stack.base_url}/overview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Testlegitimering")  # asked to log in again
