"""Issue 17's journey after the decision: two decided cases are served, one to a person with a digital mailbox
and one on paper (the municipality's print queue shows it and the caseworker confirms it posted); the person
with the mailbox appeals within the deadline from the case page, signing with a fresh e-identification; the
caseworker finds the appeal with the "appealed" filter, reconsiders and forwards it. Swedish, Arabic and Persian (the
applicant and both caseworkers in the run's language), axe on every page.

The cases are seeded through the services and served by the same call the worker makes (``serve_pending``),
waited for by condition (the stack's own worker may serve them first), and purged afterwards with the code of
``portal cases purge``, so no other journey meets them."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, expect_language, text, tr, tr_pattern

pytestmark = pytest.mark.e2e

# Per language: (the applicant with a digital mailbox, their caseworker), (one without, their caseworker).
CAST = {
    "sv": (
        ("199006022397", "Anders Testsson", "Per Handläggare"),
        ("199504242398", "Erik Johansson", "Ulla Handläggare"),
    ),
    "ar": (
        ("199107172380", "Emma Sundberg", "Karin Handläggare"),
        ("199212252382", "Amina Yusuf", "Leila Handläggare"),
    ),
    "fa": (
        ("198705212382", "Sanna Berglund", "Nadia Handläggare"),
        ("194408139089", "Margareta Nilsson", "Maryam Handläggare"),
    ),
}
# What the person writes in the appeal: how the decision should change, and why it is wrong.
APPEAL = {
    "sv": ("Jag vill få bistånd till hyran.", "Kommunen räknade inte med min hyra."),
    "ar": ("أريد أن تمنحني البلدية مساعدة لدفع الإيجار.", "لم تحسب البلدية الإيجار الذي أدفعه."),
    "fa": ("می‌خواهم شهرداری برای اجاره‌بها به من کمک کند.", "شهرداری اجاره‌ای را که می‌پردازم حساب نکرد."),
}
DEADLINE_SECONDS = 90  # generous: CI shares two cores


def _wait(condition, what: str):
    ends = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < ends:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"waited {DEADLINE_SECONDS} s for {what}")


def seed(stack, lang):
    """A refused decision for each of the two people (next month: the month their other journeys do not use),
    served as the worker serves them; and a way to purge both."""
    from portal import clock, create_app
    from portal.application import services as applications
    from portal.delgivning import services as delgivning
    from portal.delivery.queries import in_inbox
    from portal.delivery.services import run_once
    from portal.extensions import db
    from tests import factories

    app = create_app(stack)
    found = {}
    with app.app_context(), app.test_request_context():
        for who in CAST[lang]:
            application = factories.submitted(factories.draft(who[0], applications.month_choices(clock.today())[-1]))
            # The stack's own worker may deliver it first: wait for the inbox, not for our call.
            _wait(
                lambda a=application: (
                    run_once() >= 0 and in_inbox(a, a.municipality_code) and (db.session.refresh(a) or a.inbox_id)
                ),
                "the delivery to the inbox",
            )
            factories.received(application)
            decision = factories.decided(application, outcome="refused", reasoning="Inkomsterna överstiger riksnormen.")
            found[who[0]] = (application.id, application.case_number, decision.id)
        for _application, _number, decision_id in found.values():
            _wait(
                lambda d=decision_id: (
                    delgivning.serve_pending() >= 0
                    and (db.session.expire_all() or delgivning.of_decision(d).status in ("served", "printing"))
                ),
                "the decision to be served or queued for post",
            )
        db.session.remove()

    def purge() -> None:
        from portal.archive import retention

        with app.app_context(), app.test_request_context():
            retention._purge_batch([a for a, _n, _d in found.values()], applications)
            db.session.remove()
            db.engine.dispose()

    return found, purge


def staff_logs_in(page, base_url, lang, name, axe) -> Person:
    worker = Person(page, axe=axe, lang=lang)
    page.goto(f"{base_url}/municipality/")
    choose_language(worker, lang)
    worker.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    worker.idp_login(name)
    return worker


@pytest.mark.parametrize("lang", LANGUAGES)
def test_served_digitally_and_by_post_then_appealed_reconsidered_and_forwarded(stack, new_page, axe, lang):
    (digital, digital_name, digital_worker), (paper, _paper_name, paper_worker) = CAST[lang]
    found, purge = seed(stack, lang)
    application_id, case_number, _decision_id = found[digital]
    paper_id, paper_number, _paper_decision = found[paper]
    try:
        # The decision without a digital mailbox is in the print queue; the caseworker confirms it posted.
        page = new_page()
        worker = staff_logs_in(page, stack.base_url, lang, paper_worker, axe)
        page.goto(f"{stack.base_url}/municipality/print-queue/")
        expect_language(page, lang)
        worker.check_page()
        row = page.locator("tr", has_text=paper_number)
        expect(row).to_have_count(1)
        worker.tick(row.get_by_role("checkbox"))
        worker.activate(page.get_by_role("button", name=tr(lang, "Confirm the chosen as sent")))
        expect(page.locator("[role=status]")).to_be_visible()
        expect(page.locator("tr", has_text=paper_number)).to_have_count(0)
        worker.check_page()

        # The person with a mailbox reads on the case page that the decision reached it, and appeals in time.
        page = new_page()
        me = Person(page, axe=axe, lang=lang)
        page.goto(f"{stack.base_url}/")
        choose_language(me, lang)
        me.activate(page.get_by_role("link", name=text(lang)["start"]))
        me.idp_login(digital_name)
        page.goto(f"{stack.base_url}/cases/{application_id}")
        expect(page.locator("html")).to_have_attribute("dir", direction(lang))
        me.check_page()
        appeal_link = page.locator("#appeal-link")
        expect(appeal_link).to_have_text(tr(lang, "Appeal the decision"))
        keyboard = Person(page, keyboard=True, lang=lang)
        keyboard.activate(appeal_link)
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Appeal the decision"))
        expect(page.locator("#appeal-deadline")).not_to_be_empty()
        me.check_page()
        wanted, why = APPEAL[lang]  # typed by the person, in their language
        page.get_by_label(tr(lang, "How do you want the decision to be changed?")).fill(wanted)
        page.get_by_label(tr(lang, "Why do you think the decision is wrong?")).fill(why)
        me.activate(page.get_by_role("button", name=tr(lang, "Sign and send the appeal")))
        me.idp_login(digital_name)  # the fresh e-identification that signs
        expect(page.locator("#appeal-status")).to_have_text(tr(lang, "The municipality is reconsidering the decision."))
        me.check_page()

        # The caseworker finds it with the filter, reconsiders and forwards it with the municipality's opinion.
        page = new_page()
        worker = staff_logs_in(page, stack.base_url, lang, digital_worker, axe)
        page.goto(f"{stack.base_url}/municipality/inbox")
        worker.activate(page.get_by_role("link", name=tr(lang, "Appealed"), exact=True))
        worker.check_page()
        worker.activate(page.locator(f"a[href='/municipality/inbox/{application_id}']").first)
        expect(page.locator("#appeal-state")).to_have_text(tr(lang, "To reconsider"))
        worker.check_page()
        worker.choose(page.get_by_label(tr(lang, "The decision is kept"), exact=True))
        page.get_by_label(tr(lang, "The reconsideration (what was considered, and what changes)")).fill(
            "Hyran är över kommunens skäliga nivå."
        )
        worker.activate(page.get_by_role("button", name=tr(lang, "Record the reconsideration")))
        expect(page.locator("#appeal-state")).to_have_text(tr(lang, "Reconsidered: to forward"))
        worker.check_page()
        page.get_by_label(tr(lang, "The municipality's opinion to the administrative court")).fill(
            "Kommunen vidhåller beslutet: hyran överstiger skälig nivå."
        )
        worker.activate(page.get_by_role("button", name=tr(lang, "Record as forwarded")))
        expect(page.locator("#appeal-state")).to_contain_text(
            tr_pattern(lang, "Forwarded to the administrative court on %(date)s")
        )
        worker.check_page()

        # The applicant follows it on the case page.
        page = me.page
        page.goto(f"{stack.base_url}/cases/{application_id}")
        expect(page.locator("#appeal-status")).to_contain_text("förvaltningsrätten")
        me.check_page()
    finally:
        purge()
