"""One application per person and month (issue 15, point 4), in the browser: starting again for a month
with a draft continues that draft; once it is sent, starting again shows the sent application and the
explicit way to an emergency application, which asks why (an empty reason is refused, translated) and is
marked as an emergency. Swedish, Arabic and Persian, axe on every page, keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, text, tr, tr_pattern

pytestmark = pytest.mark.e2e

# People no other journey logs in as, one per language (each run has its own applications).
WHO = {
    "sv": ("Johanna Ahmadi", "199610202385"),
    "ar": ("Lina Berg", "199001252387"),
    "fa": ("Elin Lindqvist", "200304302383"),
}

STOLEN = {"sv": "Min plånbok blev stulen.", "ar": "سُرقت محفظتي.", "fa": "کیف پولم دزدیده شد."}


def start_for_first_month(me):
    page = me.page
    me.activate(page.get_by_role("link", name=text(me.lang)["new"]))
    me.check_page()
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=text(me.lang)["continue"]))


def send_through_the_services(stack, application_id: str):
    """Signed and sent as the signing callback does it (the browser's signing is covered by the
    application journey)."""
    from portal import create_app
    from portal.application.models import Application
    from portal.extensions import db
    from tests import factories

    app = create_app(stack)
    with app.app_context(), app.test_request_context():
        factories.submitted(db.session.get(Application, application_id))
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_application_per_month_and_the_emergency_way(stack, new_page, axe, lang):
    name, _number = WHO[lang]
    page = new_page()
    me = Person(page, keyboard=True, axe=axe, lang=lang)
    page.goto(stack.base_url)
    choose_language(me, lang)
    me.activate(page.get_by_role("link", name=text(lang)["start"]))
    me.idp_login(name)
    start_for_first_month(me)
    me.check_page()
    first = re.search(r"/applications/([0-9a-f-]{36})", page.url).group(1)

    # Starting again for the same month: the same draft, and the page says why.
    page.goto(f"{stack.base_url}/overview")
    start_for_first_month(me)
    expect(page).to_have_url(re.compile(f"/applications/{first}\\?again=1$"))
    expect(page.locator("p.notice")).to_be_visible()
    me.check_page()

    # Sent: starting again shows the sent application and the explicit emergency way.
    send_through_the_services(stack, first)
    page.goto(f"{stack.base_url}/overview")
    start_for_first_month(me)
    expect(page.locator("h1")).to_contain_text(tr_pattern(lang, "You have already applied for %(month)s"))
    expect(page.locator(f"main a[href$='/cases/{first}']")).to_be_visible()
    me.check_page()
    me.activate(page.locator("main a[href*='/applications/new/emergency']"))
    me.check_page()
    me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=tr(lang, "Start the emergency application")))
    expect(page.locator(".field-error")).to_contain_text(
        tr(lang, "Tell the municipality what has happened that cannot wait")
    )
    me.check_page()
    reason = page.get_by_label(tr(lang, "What has happened that cannot wait?"))
    reason.fill(STOLEN[lang])  # typed by the person, in their language
    if not page.get_by_role("checkbox").is_checked():
        me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=tr(lang, "Start the emergency application")))
    expect(page.locator("p.notice--warning")).to_be_visible()
    assert first not in page.url
    me.check_page()
