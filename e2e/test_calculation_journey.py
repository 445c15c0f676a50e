"""Issue 16 point 3 and issue 17 point 3 in the browser: the caseworker sees the calculation lines the
portal proposed, accepts one, changes the rent (a missing reason is refused first, what was typed kept) and
decides; the applicant reads the decision explained in their language, with the lines and the reason for the
change. Swedish, Arabic and Persian (the caseworker's pages too), axe on every page; the caseworker's part runs without
JavaScript, as the lines need none.

The application is seeded through the services (sending is other journeys' subject) for the last month the
start form offers, and purged afterwards with the code of ``portal cases purge``, so no other journey meets it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, expect_language, text, tr

pytestmark = pytest.mark.e2e

# Per language: the applicant (personnummer, name at the IdP) and the caseworker of their municipality.
CAST = {
    "sv": ("199107172380", "Emma Sundberg", "Karin Handläggare"),
    "ar": ("199212252382", "Amina Yusuf", "Leila Handläggare"),
    "fa": ("199006022397", "Anders Testsson", "Nadia Handläggare"),
}
DEADLINE_SECONDS = 90  # generous: CI shares two cores


def _wait(condition, what: str):
    ends = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < ends:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {DEADLINE_SECONDS} s for {what}")


def seed(stack, personnummer: str):
    """A sent and registered application with a rent of 6 500 kr stated; and a way to purge it."""
    from portal import clock, create_app
    from portal.application import services as applications
    from portal.delivery.queries import in_inbox
    from portal.delivery.services import run_once
    from portal.extensions import db
    from portal.supplements import services as supplements
    from tests import factories

    app = create_app(stack)
    with app.app_context(), app.test_request_context():
        application = factories.draft(personnummer, applications.month_choices(clock.today())[-1])
        supplements.add(
            application,
            "costs",
            {"category": "rent", "description": None, "amount_ore": 650000, "month": application.period},
        )
        factories.submitted(application)
        _wait(
            lambda: (
                run_once() >= 0
                and in_inbox(application, application.municipality_code)
                and (db.session.refresh(application) or application.inbox_id)
            ),
            "the delivery to the inbox",
        )
        factories.received(application)
        found = application.id, application.members[0].id
        db.session.remove()
    return found, lambda: purge(stack, [found[0]])


def purge(stack, application_ids: list[str]) -> None:
    """Remove applications as ``portal cases purge`` does, so no other journey meets them."""
    from portal import create_app
    from portal.application import services as applications
    from portal.archive import retention
    from portal.extensions import db

    app = create_app(stack)
    with app.app_context(), app.test_request_context():
        retention._purge_batch(list(application_ids), applications)
        db.session.remove()
        db.engine.dispose()


def logs_in(page, base_url, lang, name, axe, staff: bool) -> Person:
    person = Person(page, axe=axe, lang=lang)
    page.goto(f"{base_url}/municipality/" if staff else f"{base_url}/")
    choose_language(person, lang)
    if staff:
        person.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    else:
        person.activate(page.get_by_role("link", name=text(lang)["start"]))
    person.idp_login(name)
    return person


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_caseworker_changes_a_line_and_the_applicant_reads_why(stack, new_page, axe, lang):
    personnummer, applicant_name, caseworker_name = CAST[lang]
    (application_id, member_id), purge = seed(stack, personnummer)
    try:
        # The caseworker's pages pass axe (which needs JavaScript) before the work below is done without it.
        page = new_page()
        checker = logs_in(page, stack.base_url, lang, caseworker_name, axe, staff=True)
        page.goto(f"{stack.base_url}/municipality/inbox/{application_id}")
        checker.check_page()
        page.goto(f"{stack.base_url}/municipality/inbox/{application_id}/lines/cost-rent")
        checker.check_page()

        # The caseworker, without JavaScript: the lines are plain forms and links.
        page = new_page(javascript=False)
        worker = logs_in(page, stack.base_url, lang, caseworker_name, None, staff=True)
        page.goto(f"{stack.base_url}/municipality/inbox/{application_id}")
        expect(page.locator("html")).to_have_attribute("dir", direction(lang))
        worker.check_page()
        lines = page.locator("#calculation-lines")
        expect(lines.locator("#line-cost-rent")).to_contain_text(tr(lang, "Rent"))
        expect(lines.locator("#line-norm-household")).to_be_visible()

        # Accept the norm line for the applicant as it stands.
        worker.activate(lines.locator(f"#line-norm-person-{member_id}").get_by_role("button"))
        expect(page.locator("[role=status]")).to_contain_text(tr(lang, "The line was accepted."))
        expect(page.locator(f"#line-norm-person-{member_id}")).to_contain_text(tr(lang, "Accepted"))

        # Change the rent: without a reason it is refused and the amount typed is kept.
        worker.activate(page.locator("#line-cost-rent").get_by_role("link"))
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Change a calculation line"))
        page.get_by_label(tr(lang, "New amount for the month (kronor)")).fill("5200")
        worker.activate(page.get_by_role("button", name=tr(lang, "Change the line")))
        expect(page.locator(".error-summary")).to_contain_text(
            tr(lang, "Write why you change the amount: the applicant reads it in the decision")
        )
        expect(page.get_by_label(tr(lang, "New amount for the month (kronor)"))).to_have_value("5200")
        page.get_by_label(tr(lang, "Reason for the change")).fill("Skälig hyra för en person är 5 200 kr.")
        worker.activate(page.get_by_role("button", name=tr(lang, "Change the line")))
        expect(page.locator("[role=status]")).to_contain_text(tr(lang, "The line was changed."))
        expect(page.locator("#line-cost-rent")).to_contain_text("Skälig hyra för en person är 5 200 kr.")

        # And decides.
        page.locator("summary", has_text=tr(lang, "Make a decision")).click()
        page.get_by_label(tr(lang, "Refused"), exact=True).check()
        page.get_by_label(tr(lang, "Reasoning")).fill("Inkomsterna täcker behovet enligt beräkningen.")
        worker.activate(page.get_by_role("button", name=tr(lang, "Make the decision")))
        expect(page.locator("#decisions")).to_be_visible()
        expect(page.locator("#calculation-lines").get_by_role("button")).to_have_count(0)

        # The applicant reads the decision explained, in their language, with the lines and the reason.
        page = new_page()
        me = logs_in(page, stack.base_url, lang, applicant_name, axe, staff=False)
        page.goto(f"{stack.base_url}/cases/{application_id}")
        me.check_page()
        me.activate(
            page.get_by_role(
                "link", name=tr(lang, "Read the decision explained: how it was calculated and how to appeal")
            )
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your decision explained"))
        expect_language(page, lang)
        me.check_page()
        expect(page.get_by_role("heading", name=tr(lang, "How the municipality calculated"))).to_be_visible()
        rent = page.locator("#decision-lines tr", has_text="Skälig hyra för en person är 5 200 kr.")
        expect(rent).to_have_count(1)
        expect(rent).to_contain_text(tr(lang, "Rent"))
        expect(page.get_by_role("heading", name=tr(lang, "If you do not agree: appeal"))).to_be_visible()
    finally:
        purge()
