"""Issue 17, point 4: the caseworker opens a decided case, follows its archive package link, reads what
the package holds and when the case will be purged, and downloads the ZIP (by keyboard on that page); in
Swedish, Arabic and Persian, axe on every page. The case is seeded through the services and purged afterwards
with the same code as ``portal cases purge``, so no other journey meets it."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, direction, expect_language, tr

pytestmark = pytest.mark.e2e

LINA = "199001252387"  # Malmö (1280), protected identity: Lena Handläggare's


def seed(stack):
    """A decided case for next month (the month no other journey of Lina's uses), and a way to purge it."""
    from portal import clock, create_app
    from portal.application import services as applications
    from portal.extensions import db
    from tests import factories

    app = create_app(stack)
    with app.app_context(), app.test_request_context():
        application = factories.draft(LINA, applications.month_choices(clock.today())[-1])
        factories.received(factories.delivered(factories.submitted(application)))
        factories.decided(application, outcome="refused", reasoning="Inkomsterna överstiger riksnormen.")
        found = (application.id, application.case_number)
        db.session.remove()

    def purge() -> None:
        from portal.archive import retention

        with app.app_context(), app.test_request_context():
            retention._purge_batch([found[0]], applications)
            db.session.remove()
            db.engine.dispose()

    return found, purge


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_caseworker_exports_a_case_as_an_archive_package(stack, new_page, axe, lang):
    (application_id, case_number), purge = seed(stack)
    try:
        page = new_page()
        worker = Person(page, axe=axe, lang=lang)
        page.goto(f"{stack.base_url}/municipality/")
        choose_language(worker, lang)
        worker.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
        worker.idp_login("Lena Handläggare")
        page.goto(f"{stack.base_url}/municipality/inbox/{application_id}")
        expect_language(page, lang)
        worker.check_page()

        worker.activate(page.get_by_role("link", name=tr(lang, "Archive package"), exact=True))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            tr(lang, "Archive package for %(reference)s", reference=case_number)
        )
        expect(page.locator("html")).to_have_attribute("dir", direction(lang))
        # Decided, so the page gives the date it will be purged (Malmö keeps the default five years).
        still_open = tr(lang, "This case is still open: it will not be purged.")
        expect(page.locator("#retention-due")).not_to_have_text(still_open)
        expect(page.locator("main")).to_contain_text(tr(lang, "Retention"))
        worker.check_page()

        keyboard = Person(page, keyboard=True, lang=lang)
        with page.expect_download() as download:
            keyboard.activate(page.get_by_role("link", name=tr(lang, "Download the archive package")))
        assert download.value.suggested_filename == f"arkivpaket-{case_number}.zip"
        with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as archive:
            names = archive.namelist()
        assert "description.xml" in names and "documents/application.pdf" in names
        assert "documents/decision-1.pdf" in names
    finally:
        purge()
