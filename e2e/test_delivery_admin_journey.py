"""An administrator sees an inbox paused on the operations overview and on the delivery page, and sends a
stopped application again with a reason (first forgetting it); the worker then delivers it. Swedish,
Arabic and Persian, axe on every page."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from e2e.journey import LANGUAGES, Person, choose_language, tr

pytestmark = pytest.mark.e2e

# Municipalities no other journey sends to: default routing, the built-in inbox.
CODES = {"sv": ("0114", "0115"), "ar": ("0117", "0120"), "fa": ("0123", "0125")}
# Test personnummer no one in the cast has (devstack/testdata/testpersonnummer.txt), so no login meets them.
APPLICANT = {"sv": "190104132386", "ar": "200001052380", "fa": "195005050546"}


def seed(stack, lang: str):
    """A stopped (dead-lettered) application to one inbox and a paused inbox, as the worker leaves them."""
    from portal import clock, create_app
    from portal.application.models import Application
    from portal.auth.models import Person as Citizen
    from portal.db import utcnow
    from portal.delivery.models import Delivery, DeliveryInbox
    from portal.extensions import db

    stopped, paused = CODES[lang]
    app = create_app(stack)
    with app.app_context():
        person = Citizen(
            oidc_subject=f"e2e-delivery-{lang}", personnummer=APPLICANT[lang], given_name="Test", family_name="Person"
        )
        db.session.add(person)
        db.session.flush()
        application = Application(
            reference=f"EU-E2E-DLV-{lang.upper()}",
            applicant_id=person.id,
            period=clock.today().replace(day=1),
            status="submitted",
            municipality_code=stopped,
        )
        db.session.add(application)
        db.session.flush()
        record = Delivery(
            application_id=application.id,
            municipality_code=stopped,
            inbox_id=f"kommun-{stopped}",
            channel="inbox",
            idempotency_key=f"{application.reference}/v1",
            status="dead",
            attempts=8,
            refusals=8,
            failure_kind="refused",
            last_error="WebhookRefused: answered 422",
        )
        db.session.add(record)
        db.session.add(
            DeliveryInbox(
                inbox_id=f"kommun-{paused}",
                state="paused",
                failures=9,
                paused_at=utcnow(),
                next_attempt_at=utcnow(),
                last_failure_kind="timeout",
                last_error="WebhookTimeout: no answer within 10 s",
                last_failure_at=utcnow(),
            )
        )
        db.session.commit()
        record_id = record.id
        db.session.remove()

    def status() -> str:
        with app.app_context():
            try:
                return db.session.scalar(select(Delivery.status).where(Delivery.id == record_id))
            finally:
                db.session.remove()

    def cleanup() -> None:
        with app.app_context():
            db.session.execute(delete(DeliveryInbox).where(DeliveryInbox.inbox_id == f"kommun-{paused}"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    return record_id, status, cleanup


@pytest.mark.parametrize("lang", LANGUAGES)
def test_administrator_sees_a_paused_inbox_and_sends_a_stopped_application_again(stack, new_page, axe, lang):
    record_id, status, cleanup = seed(stack, lang)
    try:
        page = new_page()
        admin = Person(page, axe=axe, lang=lang)
        page.goto(f"{stack.base_url}/municipality/")
        choose_language(admin, lang)
        admin.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
        admin.idp_login("Sara Förvaltare")
        admin.check_page()
        page.goto(f"{stack.base_url}/municipality/admin")
        expect(page.get_by_role("alert")).to_be_visible()  # a paused inbox stands out on the overview
        admin.check_page()
        admin.activate(
            page.get_by_role(
                "link", name=tr(lang, "Delivery to the municipalities: inbox health and stopped applications")
            )
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Delivery to the municipalities"))
        expect(page.locator("main table").first).to_contain_text(tr(lang, "Paused: not answering"))
        admin.check_page()

        admin.activate(page.get_by_role("link", name=f"{tr(lang, 'Send again')} – {record_id[:8]}"))
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Send a stopped application again"))
        admin.check_page()
        # Without a reason: the page says what is missing.
        admin.activate(page.locator("main form").get_by_role("button", name=tr(lang, "Send again")))
        summary = page.locator("[data-error-summary]")
        expect(summary).to_contain_text(tr(lang, "Write why the application is sent again"))
        admin.check_page()
        page.get_by_label(tr(lang, "Why is the application sent again?")).fill("Kommunen har rättat sitt system")
        admin.activate(page.locator("main form").get_by_role("button", name=tr(lang, "Send again")))
        expect(page.get_by_role("status")).to_contain_text(
            tr(lang, "The application is back in its inbox's queue and will be sent again.")
        )
        admin.check_page()
        # The stack's worker delivers it.
        deadline = time.monotonic() + 30
        while status() != "delivered" and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert status() == "delivered"
    finally:
        cleanup()
