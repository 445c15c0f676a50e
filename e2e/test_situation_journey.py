"""Issue 16: a family (Maria and Johan Lindqvist, Göteborg, two children at home, one of them part of the
time) answers "Your situation", gets the documents its answers call for, attaches two and says one will come
later, and sends (Johan co-signs); the caseworker sees the answers with the documents met and missing; next
month's application starts with the answers prefilled, each to confirm. Swedish and Arabic, axe on every page.

The calculation lines (issue 16, point 3: the caseworker changes a line and decides, the applicant sees the
lines) belong to the calculation lines' own journey; ``caseworker_sees_the_situation`` leaves the caseworker on
the application's page, where that journey can go on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.journey import TEXT, Person, tr
from e2e.test_case_journey import rent_contract
from e2e.test_fetch_journey import start
from e2e.test_submit_journey import CONFIRM

pytestmark = pytest.mark.e2e

MARIA, JOHAN, CASEWORKER = "Maria Lindqvist", "Johan Lindqvist", "Omar Handläggare"


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": rent_contract()}


def save(me) -> None:
    me.activate(me.page.get_by_role("button", name=tr(me.lang, "Save and continue")))


def answer_the_situation(me) -> None:
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "Your situation")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Where you live"))
    me.check_page()
    # Bad input first: nothing chosen is refused with the question's own message.
    save(me)
    expect(page.locator(".error-summary")).to_contain_text(tr(lang, "Choose how you live"))
    me.check_page()
    me.choose(page.get_by_label(tr(lang, "I rent with my own contract (first-hand)"), exact=True))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your rent"))
    me.check_page()
    page.get_by_label(tr(lang, "How much rent do you pay each month?")).fill("8 120")
    me.choose(page.get_by_label(tr(lang, "A landlord or housing company"), exact=True))
    me.choose(page.locator("input[name=rent_arrears][value=yes]"))
    expect(page.locator("input[name=rent_arrears_amount]")).to_be_visible()  # the follow-up, shown by the script
    me.choose(page.locator("input[name=rent_arrears][value=no]"))
    expect(page.locator("input[name=rent_arrears_amount]")).to_be_hidden()
    me.choose(page.locator("input[name=eviction_notice][value=no]"))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Work and availability"))
    me.check_page()
    me.choose(page.locator("input[name$='-occupation'][value=working]").nth(0))  # Maria
    me.choose(page.locator("input[name$='-occupation'][value=looking]").nth(1))  # Johan
    me.choose(page.locator("input[name$='-registered_af'][value=yes]").nth(1))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your children"))
    me.check_page()
    me.choose(page.locator("input[name$='-lives'][value=part]").nth(0))
    me.choose(page.locator("input[name$='-alternating'][value=yes]").nth(0))
    me.choose(page.locator("input[name$='-lives'][value=all]").nth(1))
    me.choose(page.locator("input[name$='-maintenance'][value=none]").nth(0))
    me.choose(page.locator("input[name$='-maintenance'][value=none]").nth(1))
    save(me)

    for title, field in (("Other people in your home", "other_adults"), ("Debts", "debts")):
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, title))
        me.check_page()
        me.choose(page.locator(f"input[name={field}][value=no]"))
        save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "One-off needs this month"))
    me.check_page()
    expect(page.locator("input[name=dental_amount]")).to_be_hidden()
    me.tick(page.get_by_label(tr(lang, "Dental care"), exact=True))
    page.locator("input[name=dental_amount]").fill("3500")
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your payout account"))
    me.check_page()
    page.get_by_label(tr(lang, "Clearing number")).fill("6789")
    page.get_by_label(tr(lang, "Account number")).fill("123 456 788")  # a wrong check digit first
    me.tick(page.get_by_label(tr(lang, "I confirm the account is in my name")))
    save(me)
    expect(page.locator(".error-summary")).to_contain_text(
        tr(lang, "The account number is not a valid %(bank)s account number. Check it with your bank",
           bank="Handelsbanken"))
    expect(page.get_by_label(tr(lang, "Account number"))).to_have_value("123 456 788")  # what was typed, kept
    me.check_page()
    page.get_by_label(tr(lang, "Account number")).fill("123 456 789")
    me.tick(page.get_by_label(tr(lang, "I confirm the account is in my name")))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Interpreter and contact"))
    me.check_page()
    me.choose(page.locator("input[name=interpreter][value=yes]"))
    page.get_by_label(tr(lang, "If yes: in which language?")).select_option("so")
    me.choose(page.get_by_label(tr(lang, "Text message (SMS)"), exact=True))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Check your answers about your situation"))
    expect(page.locator("main")).to_contain_text(tr(lang, "I rent with my own contract (first-hand)"))
    expect(page.locator("main")).to_contain_text("Handelsbanken 6789-123456789")
    me.check_page()


def attach_the_documents(me) -> None:
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "The documents to attach")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Documents for your situation"))
    me.check_page()
    sections = page.locator("section.document-requirement")
    expect(sections).to_have_count(4)  # rent contract, rent notice, where the child lives, dentist's estimate
    for selector, name in (("#requirement-rent_contract", "hyreskontrakt.pdf"),
                           ("section[id^='requirement-residence_agreement']", "boendeavtal.pdf")):
        section = page.locator(selector)
        me.choose(section.get_by_label(tr(lang, "Attach it now"), exact=True))
        section.get_by_label(tr(lang, "Choose a file")).set_input_files(pdf_file(name))
        me.activate(section.locator("button[type=submit]"))
        expect(page.locator(selector)).to_contain_text(name)
        me.check_page()
    dentist = page.locator("#requirement-dental_estimate")
    me.choose(dentist.get_by_label(tr(lang, "I will send it later"), exact=True))
    me.activate(dentist.locator("button[type=submit]"))
    expect(page.locator("#requirement-dental_estimate")).to_contain_text(tr(lang, "Will be sent later"))
    me.check_page()
    me.activate(page.get_by_role("link", name=tr(lang, "Back to the application")).last)


def send_together(me, johan_page, base_url) -> str:
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "Check your answers and send")))
    expect(page.locator("#situation-documents")).to_be_visible()  # the documents, met and missing, before sending
    me.check_page()
    me.tick(page.get_by_label(tr(lang, CONFIRM)))
    me.activate(page.get_by_role("button", name=tr(lang, "Send application")))
    me.idp_login(MARIA)
    expect(page.get_by_role("heading", name=tr(lang, "Waiting for a signature"))).to_be_visible()

    johan = Person(johan_page, axe=me.axe, lang=lang)
    johan_page.goto(base_url)
    if lang != "sv":
        johan.activate(johan_page.get_by_role("link", name=TEXT[lang]["language"]))
    johan.activate(johan_page.get_by_role("link", name=tr(lang, "Log in and start")))
    johan.idp_login(JOHAN)
    johan.activate(johan_page.get_by_role("link", name=tr(lang, "Read and sign the joint application")))
    johan.check_page()
    johan.tick(johan_page.get_by_label(tr(lang, CONFIRM)))
    johan.activate(johan_page.get_by_role("button", name=tr(lang, "Sign the joint application")))
    johan.idp_login(JOHAN)

    page.reload()
    expect(page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    me.check_page()
    return page.locator("main dl dd").first.inner_text().strip()


def caseworker_sees_the_situation(page, base_url, lang, reference, axe) -> Person:
    worker = Person(page, axe=axe, lang=lang)
    page.goto(f"{base_url}/municipality/")
    if lang != "sv":
        worker.activate(page.get_by_role("link", name=TEXT[lang]["language"]))
    worker.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    worker.idp_login(CASEWORKER)
    link = page.get_by_role("link", name=reference)
    for _ in range(50):  # the delivery worker puts it in the inbox within a second or so
        if link.count():
            break
        page.wait_for_timeout(200)
        page.reload()
    worker.activate(link)
    situation = page.locator("#situation")
    expect(situation).to_contain_text(tr(lang, "The applicant's situation"))
    expect(page.locator("#situation-interpreter")).to_contain_text("(so)")
    expect(situation).to_contain_text(tr(lang, "I rent with my own contract (first-hand)"))
    documents = situation.locator("table tbody tr")
    expect(documents.filter(has_text=tr(lang, "Your rent contract (hyreskontrakt)"))).to_contain_text(
        tr(lang, "Attached"))
    expect(documents.filter(has_text=tr(lang, "Your latest rent notice (hyresavi)"))).to_contain_text(
        tr(lang, "Missing"))
    expect(documents.filter(has_text=tr(lang, "A cost estimate from the dentist"))).to_contain_text(
        tr(lang, "Will be sent later"))
    worker.check_page()
    return worker


def next_month_is_prefilled(me) -> None:
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "Back to your applications")))
    me.check_page()
    me.activate(page.locator("a.button", has_text=tr(lang, "Apply for %(month)s", month="")).first)
    me.check_page()
    me.tick(page.locator("main").get_by_role("checkbox"))
    me.activate(page.locator("main").get_by_role("button"))
    me.check_page()
    me.activate(page.get_by_role("link", name=tr(lang, "Go on with the application")))
    expect(page.locator("#task-situation-state")).to_have_text(tr(lang, "In progress"))  # begun, from last month
    me.activate(page.get_by_role("link", name=tr(lang, "Your situation")))
    expect(page.locator("#prefilled")).to_contain_text(tr(lang, "From last month: still right?"))
    expect(page.get_by_label(tr(lang, "I rent with my own contract (first-hand)"), exact=True)).to_be_checked()
    me.check_page()
    me.activate(page.get_by_role("button", name=tr(lang, "Confirm and continue")))
    expect(page.get_by_label(tr(lang, "How much rent do you pay each month?"))).to_have_value("8120")
    expect(page.locator("#prefilled")).to_be_visible()
    me.check_page()


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_a_family_answers_its_situation_attaches_documents_and_next_month_starts_prefilled(
        stack, new_page, axe, lang):
    page = new_page()
    me = start(page, stack.base_url, lang, MARIA, axe)  # leaves off at the consent page
    page.go_back()
    expect(page.locator(".task-list")).to_be_visible()
    answer_the_situation(me)
    attach_the_documents(me)
    reference = send_together(me, new_page(), stack.base_url)
    caseworker_sees_the_situation(new_page(), stack.base_url, lang, reference, axe)
    next_month_is_prefilled(me)
