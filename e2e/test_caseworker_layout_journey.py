"""Issue 15, point 3: the caseworker's case on a wide screen has the handling forms beside the application
(after it in the reading direction, so on the left in Arabic and Persian), and on a narrow one after it; at either width
Tab goes from the application's last link on into the forms. Swedish, Arabic and Persian, axe at both widths. The case
(the Lindqvists', Göteborg) is seeded through the services and purged afterwards, so no other journey meets it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, is_rtl, tr

pytestmark = pytest.mark.e2e

MARIA = "196108283166"  # Göteborg (1480): Omar Handläggare's
WIDE, NARROW = {"width": 1400, "height": 900}, {"width": 900, "height": 900}


def seed(stack):
    from portal import clock, create_app
    from portal.application import services as applications
    from portal.extensions import db
    from tests import factories

    app = create_app(stack)
    with app.app_context(), app.test_request_context():
        application = factories.draft(MARIA, applications.month_choices(clock.today())[-1])
        factories.received(factories.delivered(factories.submitted(application)))
        found = application.id
        db.session.remove()

    def purge() -> None:
        from portal.archive import retention

        with app.app_context(), app.test_request_context():
            retention._purge_batch([found], applications)
            db.session.remove()
            db.engine.dispose()

    return found, purge


def boxes(page):
    return page.locator(".case-layout__application").bounding_box(), page.locator("#handling").bounding_box()


def tab_leaves_the_application_into_the_forms(page) -> None:
    """Focus the application column's last focusable element; the next Tab lands in the handling forms."""
    page.locator(".case-layout__application").evaluate("""column => {
        const focusable = column.querySelectorAll('a[href], button, input, select, textarea, summary');
        focusable[focusable.length - 1].focus();
    }""")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('.case-layout__actions').contains(document.activeElement)")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_handling_forms_sit_beside_the_application_on_a_wide_screen(stack, new_page, axe, lang):
    application_id, purge = seed(stack)
    try:
        page = new_page()
        page.set_viewport_size(WIDE)
        worker = Person(page, axe=axe, lang=lang)
        page.goto(f"{stack.base_url}/municipality/")
        choose_language(worker, lang)
        worker.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
        worker.idp_login("Omar Handläggare")
        page.goto(f"{stack.base_url}/municipality/inbox/{application_id}")
        expect(page.locator("html")).to_have_attribute("dir", direction(lang))
        expect(page.get_by_role("heading", name=tr(lang, "Handle the case"))).to_be_visible()
        worker.check_page()

        application, handling = boxes(page)
        # side by side: the forms start where the application starts, not below it
        assert handling["y"] < application["y"] + application["height"] / 2
        if is_rtl(lang):
            assert handling["x"] + handling["width"] <= application["x"]
        else:
            assert handling["x"] >= application["x"] + application["width"]
        tab_leaves_the_application_into_the_forms(page)

        page.set_viewport_size(NARROW)
        application, handling = boxes(page)
        assert handling["y"] >= application["y"] + application["height"]  # after it
        tab_leaves_the_application_into_the_forms(page)
        worker.check_page()
    finally:
        purge()
