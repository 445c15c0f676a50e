"""A proxy (ombud) in the browser: Margareta Nilsson gives Lars Berglund a "prepare + submit"
mandate, signed with her e-identification; Lars accepts, switches to act for her, consents,
fetches, adds the rent and sends the application with his own e-identification; Margareta
sees the trail and revokes; Lars's next click is refused with a clear message. Swedish,
Arabic and Persian, axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, text, tr
from e2e.test_application_journey import add_cost, task
from e2e.test_fetch_journey import consent_to, no_open_application
from e2e.test_submit_journey import CONFIRM
from portal import clock
from portal.consent.services import units

pytestmark = pytest.mark.e2e

PRINCIPAL, PROXY, PROXY_NUMBER = "Margareta Nilsson", "Lars Berglund", "19640415-3832"


def log_in(page, base_url, lang, who, axe) -> Person:
    me = Person(page, axe=axe, lang=lang)
    page.goto(base_url)
    choose_language(me, lang)
    me.activate(page.get_by_role("link", name=text(lang)["start"]))
    me.idp_login(who)
    me.check_page()
    return me


def link(me, msgid, **params):
    me.activate(me.page.get_by_role("link", name=tr(me.lang, msgid, **params)).first)
    me.check_page()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_proxy_prepares_and_sends_then_loses_access_when_revoked(stack, new_page, axe, lang):
    # Margareta gives Lars a mandate, confirmed with a fresh e-identification.
    margareta = log_in(new_page(), stack.base_url, lang, PRINCIPAL, axe)
    her = margareta.page
    link(margareta, "Mandates: who may act for you")
    link(margareta, "Give someone a mandate")
    her.get_by_label(tr(lang, "The personal identity number of the person you give the mandate to")).fill(PROXY_NUMBER)
    margareta.tick(
        her.get_by_label(
            tr(lang, "Prepare an application: consent, fetch information, add supplements, comments and attachments")
        )
    )
    margareta.tick(her.get_by_label(tr(lang, "Sign and send applications on my behalf")))
    her.get_by_label(tr(lang, "Valid until")).fill((clock.today() + timedelta(days=60)).isoformat())
    margareta.activate(her.get_by_role("button", name=tr(lang, "Continue and sign")))
    margareta.idp_login(PRINCIPAL)
    margareta.check_page()
    expect(her.locator("main table").first).to_contain_text(tr(lang, "Waiting for the person to accept"))

    # Lars logs in: the invitation waits; he accepts and acts for her.
    lars = log_in(new_page(), stack.base_url, lang, PROXY, axe)
    his = lars.page
    expect(his.get_by_role("heading", level=1)).to_have_text(tr(lang, "Whose affairs do you want to handle?"))
    link(lars, "Answer the invitations")
    lars.activate(his.get_by_role("button", name=tr(lang, "Accept")))
    lars.check_page()
    link(lars, "Act for someone else")
    lars.choose(his.get_by_label(PRINCIPAL, exact=True))
    lars.activate(his.get_by_role("button", name=text(lang)["continue"]))
    lars.check_page()
    banner = his.locator("#acting-for-title")
    expect(banner).to_have_text(tr(lang, "You are acting for %(name)s", name=PRINCIPAL))

    # In her name: start, consent, fetch, add the rent, send with his own e-identification (one application
    # per person and month: what an earlier run left for her month is cleared first).
    no_open_application(PRINCIPAL)
    lars.activate(his.get_by_role("link", name=text(lang)["new"]))
    lars.choose(his.get_by_role("radio").first)
    lars.tick(his.get_by_role("checkbox"))
    lars.activate(his.get_by_role("button", name=text(lang)["continue"]))
    lars.check_page()
    expect(banner).to_be_visible()
    link(lars, "Choose what we may fetch")
    consent_to(lars, [str(u.provider.title) for u in units() if u.scope == "basic"][:3])
    lars.wait_for_answers()
    lars.check_page()
    link(lars, "Continue to the application")
    task(lars, lang, "Your costs")
    add_cost(lars, lang, "Rent", "5 200")
    link(lars, "Back to the application")
    link(lars, "Check your answers and send")
    lars.tick(his.get_by_label(tr(lang, CONFIRM)))
    lars.activate(his.get_by_role("button", name=tr(lang, "Send application")))
    lars.idp_login(PROXY)  # the proxy signs as himself
    lars.check_page()
    expect(his.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    expect(banner).to_be_visible()

    # Margareta sees everything done in her name, then revokes.
    her.reload()
    link(margareta, "See everything done in your name")
    trail = her.locator("main table")
    expect(trail).to_contain_text(PROXY)
    expect(trail).to_contain_text(tr(lang, "Sent %(what)s", what=tr(lang, "your application")))
    expect(trail).to_contain_text(tr(lang, "Gave consent: %(what)s", what=tr(lang, "a consent to fetch information")))
    link(margareta, "Back to your mandates")
    margareta.activate(her.get_by_role("button", name=tr(lang, "Revoke")))
    margareta.check_page()
    expect(her.locator("main table").first).to_contain_text(tr(lang, "Revoked"))

    # Lars's next click is refused, and says why.
    lars.activate(his.get_by_role("link", name=tr(lang, "Back to your applications")).first)
    expect(his.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your mandate has ended"))
    expect(his.locator("main")).to_contain_text(
        tr(lang, "You can no longer act for %(name)s: they have revoked the mandate. Nothing was done.", name=PRINCIPAL)
    )
    lars.check_page()
    expect(his.locator("#acting-for-title")).to_have_count(0)
