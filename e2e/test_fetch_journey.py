"""Consent and fetch in the browser: one provider failing then retried, no bank data without
consent, and a co-applicant consenting from their own login. Swedish, Arabic and Persian, axe clean."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, text, tr, tr_pattern
from portal.consent.services import units

pytestmark = pytest.mark.e2e


def no_open_application(who: str) -> None:
    """One application per person and month (issue 15): starting again leads to the month's application.
    The journeys share one database and the cast, so a journey that starts a new application first clears
    what earlier journeys left for this person: drafts go as the daily purge removes old drafts, a sent
    application not yet decided is withdrawn as the applicant can withdraw it."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from e2e.conftest import CURRENT
    from portal import create_app
    from portal.application.models import Application
    from portal.application.services import purge_stale_drafts
    from portal.application.states import OPEN_CASE
    from portal.auth.models import Person as Citizen
    from portal.case.services import withdraw
    from portal.db import utcnow
    from portal.extensions import db

    given, family = who.split(" ", 1)
    app = create_app(CURRENT["stack"])
    with app.app_context(), app.test_request_context():
        people = select(Citizen.id).where(Citizen.given_name == given, Citizen.family_name == family)
        db.session.execute(
            update(Application)
            .where(Application.applicant_id.in_(people), Application.status.in_(("draft", "awaiting_cosign")))
            .values(status="draft", updated_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
        purge_stale_drafts()
        for sent in db.session.scalars(
            select(Application).where(Application.applicant_id.in_(people), Application.status.in_(OPEN_CASE))
        ).all():
            withdraw(sent, "e2e: a new journey")
        db.session.remove()
        db.engine.dispose()


def start(page, base_url, lang, who, axe):
    t = text(lang)
    no_open_application(who)
    me = Person(page, axe=axe, lang=lang)
    page.goto(base_url)
    choose_language(me, lang)
    me.activate(page.get_by_role("link", name=t["start"]))
    me.idp_login(who)
    me.activate(page.get_by_role("link", name=t["new"]))
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=t["continue"]))
    me.check_page()
    me.activate(page.get_by_role("link", name=t["choose"]))
    me.check_page()
    return me


def consent_to(me, titles):
    for title in titles:
        # A unit's title as the page shows it (a new provider's English msgid differs from its Swedish name)
        me.tick(me.page.get_by_role("checkbox", name=tr(me.lang, title), exact=True))
    me.activate(me.page.get_by_role("button", name=text(me.lang)["save_fetch"]))


@pytest.fixture
def faults(stack):
    control = httpx.Client(base_url=stack.sandbox_url, headers={"Authorization": f"Bearer {stack.sandbox_token}"})
    control.delete("/_control/faults")
    yield control
    control.delete("/_control/faults")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_consent_fetch_one_failing_then_retry(stack, new_page, axe, faults, lang):
    basic = [u for u in units() if u.scope == "basic"]
    failing = next(u.provider for u in basic if u.provider.name == "akassa")
    faults.post(
        "/_control/faults",
        json={
            "rules": [
                {
                    "provider": failing.name,
                    "set": "medlemskap",
                    "person": "single-adult",
                    "kind": "status",
                    "status": 503,
                    "first": 3,
                }
            ]
        },
    )
    page = new_page()
    me = start(page, stack.base_url, lang, "Anders Testsson", axe)
    consent_to(me, [str(u.provider.title) for u in basic])
    status = page.locator(".provider-status--failed")
    expect(status).to_have_count(1, timeout=15_000)
    expect(status).to_contain_text(str(failing.title))
    me.check_page()
    # What could not be fetched may be shown with a paper from the agency instead: the documents page says so.
    title = tr(me.lang, str(failing.title))
    me.activate(status.get_by_role("link", name=tr_pattern(lang, "Or attach a paper from %(provider)s instead")))
    statement = tr(lang, "A statement, decision or payment notice from %(provider)s", provider=title)
    expect(page.get_by_role("heading", level=2, name=statement)).to_be_visible()
    me.check_page()
    page.go_back()
    me.activate(status.get_by_role("button"))
    expect(page.locator(".provider-status--failed")).to_have_count(0, timeout=15_000)
    me.wait_for_answers()
    me.check_page()
    me.activate(page.get_by_role("link", name=text(lang)["continue_app"]))
    me.check_page()
    me.activate(page.get_by_role("link", name=text(lang)["information"]))
    # The summary first (issue 15): the month's income, the bank accounts and what is missing.
    summary = page.locator("#summary")
    expect(summary).to_be_visible()
    expect(summary.locator("dt").first).to_contain_text(tr_pattern(lang, "Income in %(month)s"))
    expect(summary).to_contain_text(tr(lang, "Missing"))
    expect(summary).to_contain_text(tr(lang, "Nothing"))  # the failed fetch was retried
    me.check_page()
    # Facts that need nothing are collapsed; opened with a click (or Enter), no JavaScript needed.
    facts = page.locator("details.details").first
    expect(facts).not_to_have_attribute("open", "")
    me.activate(facts.locator("summary"))
    expect(facts.locator("h4.source", has_text=str(failing.title)).first).to_be_visible()
    expect(facts.locator(".item").first).to_be_visible()
    me.check_page()


def test_no_bank_consent_no_bank_data(stack, new_page, axe):
    bank = next(u for u in units() if u.provider.name == "bank")
    others = [u for u in units() if u.provider.name != "bank" and u.scope == "basic"]
    page = new_page()
    me = start(page, stack.base_url, "sv", "Anders Testsson", axe)
    consent_to(me, [str(u.provider.title) for u in others])
    me.wait_for_answers()
    expect(page.locator(".provider-status", has_text=str(bank.provider.title))).to_have_count(0)
    me.activate(page.get_by_role("link", name=text("sv")["continue_app"]))
    me.activate(page.get_by_role("link", name=text("sv")["information"]))
    expect(page.get_by_text(f"Från {bank.provider.title}")).to_have_count(0)
    expect(page.locator(".item").first).to_be_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_co_applicant_consents_from_own_login(stack, new_page, axe, lang):
    basic = [str(u.provider.title) for u in units() if u.scope == "basic"]
    maria_page = new_page()
    maria = start(maria_page, stack.base_url, "sv", "Maria Lindqvist", axe)
    expect(maria_page.locator(".notice")).to_contain_text("Johan Lindqvist")
    consent_to(maria, basic)
    maria.wait_for_answers()
    expect(maria_page.get_by_role("heading", name="Johan Lindqvist")).to_have_count(0)

    johan_page = new_page()
    johan = Person(johan_page, axe=axe, lang=lang)
    johan_page.goto(stack.base_url)
    choose_language(johan, lang)
    johan.activate(johan_page.get_by_role("link", name=text(lang)["start"]))
    johan.idp_login("Johan Lindqvist")
    johan.check_page()
    johan.activate(johan_page.locator("a[href$='/consent']").first)
    johan.check_page()
    consent_to(johan, basic)
    johan.wait_for_answers()
    expect(johan_page.get_by_role("heading", name="Johan Lindqvist")).to_be_visible()
    johan.check_page()
