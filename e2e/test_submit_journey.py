"""Signing and sending in the browser: a single applicant with the receipt PDF, a joint
application that waits for the co-applicant's signature, and a municipality that is not
connected, told at the start. Axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, leave_email, tr
from e2e.mailbox import mail_arrives, mails_to
from e2e.test_fetch_journey import start

pytestmark = pytest.mark.e2e


def to_check_and_sign(me, lang, who, send_label):
    page = me.page
    me.activate(page.get_by_role("link", name=tr(lang, "Check your answers and send")))
    me.check_page()
    me.tick(page.get_by_label(tr(lang, CONFIRM)))
    me.activate(page.get_by_role("button", name=tr(lang, send_label)))
    me.idp_login(who)  # the signature: a fresh e-identification
    me.check_page()


CONFIRM = "I confirm that the information is correct and complete as far as I know"


def back_to_application(me, lang):
    """From the consent page where ``start`` leaves off, back to the task list."""
    me.page.go_back()
    expect(me.page.locator(".task-list")).to_be_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_single_applicant_signs_and_downloads_the_receipt(stack, new_page, axe, lang):
    page = new_page()
    me = start(page, stack.base_url, lang, "Emma Sundberg", axe)
    back_to_application(me, lang)
    to_check_and_sign(me, lang, "Emma Sundberg", "Send application")
    expect(page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=tr(lang, "Download the receipt (PDF)")).click()
    assert download.value.suggested_filename.startswith("kvittens-EU-")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_joint_application_waits_for_the_co_applicant(stack, new_page, axe, lang):
    # Johan has logged in before and asked for news by e-mail.
    johans_email = f"johan.lindqvist.{lang}@example.se"
    before = Person(new_page(), axe=axe, lang=lang)
    before.page.goto(stack.base_url)
    choose_language(before, lang)
    before.activate(before.page.get_by_role("link", name=tr(lang, "Log in and start")))
    before.idp_login("Johan Lindqvist")
    leave_email(before, johans_email)
    already = len(mails_to(stack.demo_mailbox_url, johans_email))

    maria_page = new_page()
    maria = start(maria_page, stack.base_url, lang, "Maria Lindqvist", axe)
    back_to_application(maria, lang)
    to_check_and_sign(maria, lang, "Maria Lindqvist", "Send application")
    expect(maria_page.get_by_role("heading", name=tr(lang, "Waiting for a signature"))).to_be_visible()
    expect(maria_page.locator("main")).to_contain_text("Johan Lindqvist")
    # He is told there is news (and nothing more), without having to think of logging in.
    mails = mail_arrives(stack.demo_mailbox_url, johans_email, after=already)
    assert "/overview" in mails[-1]["body"] and "Maria" not in mails[-1]["body"]

    johan_page = new_page()
    johan = Person(johan_page, axe=axe, lang=lang)
    johan_page.goto(stack.base_url)
    choose_language(johan, lang)
    johan.activate(johan_page.get_by_role("link", name=tr(lang, "Log in and start")))
    johan.idp_login("Johan Lindqvist")
    johan.check_page()
    johan.activate(johan_page.get_by_role("link", name=tr(lang, "Read and sign the joint application")))
    johan.check_page()
    johan.tick(johan_page.get_by_label(tr(lang, CONFIRM)))
    johan.activate(johan_page.get_by_role("button", name=tr(lang, "Sign the joint application")))
    johan.idp_login("Johan Lindqvist")
    johan.check_page()

    maria_page.reload()
    expect(maria_page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    maria.check_page()


def test_a_person_in_a_municipality_that_is_not_connected_is_told_at_the_start(stack, new_page, axe):
    page = new_page()
    me = Person(page, axe=axe)
    page.goto(stack.base_url)
    me.activate(page.get_by_role("link", name=tr("sv", "Log in and start")))
    me.idp_login("Nils Henriksson")
    me.activate(page.get_by_role("link", name=tr("sv", "Start a new application")))
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=tr("sv", "Continue")))
    expect(page.locator("#not-receiving-title")).to_contain_text("Kiruna")
    expect(page.locator(".task-list")).to_have_count(0)
    me.check_page()
