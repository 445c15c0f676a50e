"""A couple with children goes from fetch to check answers: comments on an item, adds rent and
electricity, uploads a rent contract (after a refused .exe and a too large file), and sees the
indication. Swedish, Arabic and Persian, axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, tr
from e2e.test_fetch_journey import consent_to, start
from portal.consent.services import units
from tests.test_attachments_domain import EXE, make_pdf

pytestmark = pytest.mark.e2e


def task(me, lang, title):
    me.activate(me.page.get_by_role("link", name=tr(lang, title), exact=True))
    me.check_page()


def back_to_application(me, lang):
    me.activate(me.page.get_by_role("link", name=tr(lang, "Back to the application")).first)
    me.check_page()


def add_cost(me, lang, category, amount):
    page = me.page
    me.activate(page.get_by_role("link", name=tr(lang, "Add a cost")))
    me.check_page()
    me.choose(page.get_by_role("radio", name=tr(lang, category), exact=True))
    page.get_by_label(tr(lang, "Amount per month")).fill(amount)
    month_group = page.get_by_role("group", name=tr(lang, "Which month is the cost for?"))
    me.choose(month_group.get_by_role("radio").last)  # the month applied for
    me.activate(page.get_by_role("button", name=tr(lang, "Save the cost")))
    me.check_page()


def upload(page, name, data, description):
    page.get_by_label(tr_lang(page, "Choose a file")).set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
    )
    page.get_by_label(tr_lang(page, "Describe the file (optional)")).fill(description)
    page.get_by_role("button", name=tr_lang(page, "Upload")).click()


def tr_lang(page, msgid):
    return tr(page.locator("html").get_attribute("lang"), msgid)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_couple_from_fetch_to_check_answers(stack, new_page, axe, lang):
    page = new_page()
    me = start(page, stack.base_url, lang, "Maria Lindqvist", axe)
    consent_to(me, [str(u.provider.title) for u in units() if u.scope == "basic"])
    me.wait_for_answers()
    me.activate(page.get_by_role("link", name=tr(lang, "Continue to the application")))
    me.check_page()

    # Comment on a fetched item, inline (htmx): the item itself stays as it is.
    task(me, lang, "Check the fetched information")
    first = page.locator(".item").first
    amount_before = first.locator(".item__label").inner_text()
    me.activate(first.get_by_role("link", name=tr(lang, "Comment")))
    first.get_by_label(tr(lang, "Your comment")).fill("Sjukpenningen slutar i december. المبلغ تغيّر")
    me.activate(first.get_by_role("button", name=tr(lang, "Save comment")))
    expect(first.locator(".comment__text")).to_contain_text("Sjukpenningen slutar i december.")
    assert first.locator(".item__label").inner_text() == amount_before
    me.check_page()
    back_to_application(me, lang)

    # Rent and electricity.
    task(me, lang, "Your costs")
    add_cost(me, lang, "Rent", "6 500")
    add_cost(me, lang, "Household electricity", "450,50")
    expect(page.locator("main")).to_contain_text(tr(lang, "Household electricity"))
    back_to_application(me, lang)

    # Documents: an .exe named .pdf and a 12 MB file are refused, with the description kept.
    task(me, lang, "Documents")
    upload(page, "hyreskontrakt.pdf", EXE, "Hyreskontrakt")
    expect(page.get_by_role("heading", name=tr(lang, "There is a problem"))).to_be_visible()
    expect(page.locator("#file-error")).to_contain_text("PDF")
    expect(page.get_by_label(tr(lang, "Describe the file (optional)"))).to_have_value("Hyreskontrakt")
    me.check_page()
    upload(page, "stor.pdf", make_pdf() + b"%" * (12 * 1024 * 1024), "Hyreskontrakt")
    expect(page.locator("#file-error")).to_contain_text(
        tr(lang, "The file is larger than 10 MB. Choose a smaller file or take a photo with lower resolution.")
    )
    expect(page.get_by_label(tr(lang, "Describe the file (optional)"))).to_have_value("Hyreskontrakt")
    me.check_page()
    page.get_by_label(tr(lang, "What does the file show? (optional)")).select_option(
        index=len(page.locator("#documents option").all()) - 2
    )  # the rent, listed before the electricity
    upload(page, "hyreskontrakt.pdf", make_pdf(), "Hyreskontrakt")
    expect(page.get_by_role("link", name="hyreskontrakt.pdf")).to_be_visible()
    expect(page.locator("main table")).to_contain_text(tr(lang, "Rent"))
    me.check_page()
    back_to_application(me, lang)

    # The indication, with its working and the reminder that it is not a decision.
    task(me, lang, "Indication: what you may be entitled to")
    expect(page.get_by_text(tr(lang, "This is not a decision."))).to_be_visible()
    expect(page.locator("table.working")).to_contain_text(tr(lang, "Rent or housing cost"))
    back_to_application(me, lang)

    # Check answers: everything is there, with change links.
    me.activate(page.get_by_role("link", name=tr(lang, "Check your answers and send")))
    me.check_page()
    expect(page.locator("main")).to_contain_text("6")
    expect(page.locator("main")).to_contain_text("hyreskontrakt.pdf")
    assert page.get_by_role("link", name=tr(lang, "Change")).count() >= 6
