"""After sending, on both sides: the caseworker registers the application and asks for a rent
contract by a date; the applicant is told by e-mail, answers with a file; the caseworker decides
"partly granted" and the decision PDF is made; the applicant sees the decision, applies for the
next month and sees what changed. Swedish, Arabic and Persian, axe on every page on both sides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, leave_email, text, tr, tr_pattern
from e2e.mailbox import mail_arrives
from e2e.test_submit_journey import CONFIRM
from portal import clock

pytestmark = pytest.mark.e2e

# One person per language, so each run has its own months; each municipality's caseworker.
CAST = {
    "sv": ("Erik Johansson", "Ulla Handläggare", "erik@example.org"),
    "ar": ("Amina Yusuf", "Leila Handläggare", "amina@example.org"),
    "fa": ("Sanna Berglund", "Nadia Handläggare", "sanna@example.org"),
}


def rent_contract() -> bytes:
    import io

    from pypdf import PdfWriter

    pdf, out = PdfWriter(), io.BytesIO()
    pdf.add_blank_page(595, 842)
    pdf.add_metadata({"/Title": "Hyreskontrakt"})
    pdf.write(out)
    return out.getvalue()


def open_site(page, base_url, lang, axe, path="/"):
    me = Person(page, axe=axe, lang=lang)
    page.goto(base_url + path)
    choose_language(me, lang)
    return me


def consent_to_everything(me):
    page = me.page
    save = page.get_by_role("button", name=text(me.lang)["save_fetch"])
    # The button ends the form: once it is shown every box is in the page. ``all()`` does not wait, and a
    # page still being parsed once gave no box at all, so nothing was consented to and nothing fetched.
    expect(save).to_be_visible()
    boxes = page.get_by_role("checkbox").all()
    assert boxes, "the consent page offers nothing to consent to"
    for box in boxes:
        me.tick(box)
    me.activate(save)
    me.wait_for_answers()
    expect(page.locator(".provider-status").first).to_be_visible()  # something was asked for
    me.check_page()


def applicant_sends(page, base_url, lang, who, email, axe):
    t = text(lang)
    me = open_site(page, base_url, lang, axe)
    me.activate(page.get_by_role("link", name=t["start"]))
    me.idp_login(who)
    # Contact details first, so that news reaches the applicant by e-mail.
    leave_email(me, email)

    me.activate(page.get_by_role("link", name=t["new"]))
    me.choose(page.get_by_role("radio").first)
    me.tick(page.get_by_role("checkbox"))
    me.activate(page.get_by_role("button", name=t["continue"]))
    me.check_page()
    me.activate(page.get_by_role("link", name=t["choose"]))
    consent_to_everything(me)
    me.activate(page.get_by_role("link", name=t["continue_app"]))
    me.activate(page.get_by_role("link", name=tr(lang, "Check your answers and send")))
    me.check_page()
    me.tick(page.get_by_label(tr(lang, CONFIRM)))
    me.activate(page.get_by_role("button", name=tr(lang, "Send application")))
    me.idp_login(who)
    expect(page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    me.check_page()
    return me, page.locator("main dl dd").first.inner_text().strip()


def caseworker_opens(page, base_url, lang, who, reference, axe):
    worker = open_site(page, base_url, lang, axe, "/municipality/")
    worker.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    worker.idp_login(who)
    worker.check_page()
    worker.activate(page.get_by_role("link", name=reference))
    worker.check_page()
    return worker


@pytest.mark.parametrize("lang", LANGUAGES)
def test_request_answer_decision_and_next_month(stack, new_page, axe, lang):
    who, caseworker_name, email = CAST[lang]
    applicant_page = new_page()
    me, reference = applicant_sends(applicant_page, stack.base_url, lang, who, email, axe)

    # The caseworker registers the arrival and asks for the rent contract by a date.
    worker_page = new_page()
    worker = caseworker_opens(worker_page, stack.base_url, lang, caseworker_name, reference, axe)
    worker.activate(worker_page.get_by_role("button", name=tr(lang, "Register arrival")))
    case_number = worker_page.locator("main dl").get_by_text("EB-")
    expect(case_number).to_be_visible()
    worker.check_page()
    worker_page.locator("summary", has_text=tr(lang, "Request a supplement")).click()
    worker_page.get_by_label(tr(lang, "What is needed")).fill("Hyreskontrakt")
    worker_page.get_by_label(tr(lang, "Why it is needed")).fill("Vi behöver se din boendekostnad.")
    due = clock.today() + timedelta(days=10)
    worker_page.get_by_label(tr(lang, "Due date")).fill(due.isoformat())
    worker.activate(worker_page.get_by_role("button", name=tr(lang, "Send the request")))
    worker.check_page()

    # The applicant is told by e-mail that there is news, and nothing more.
    mails = mail_arrives(stack.demo_mailbox_url, email)
    assert "Hyreskontrakt" not in mails[-1]["body"] and reference not in mails[-1]["body"]
    assert "/overview" in mails[-1]["body"]

    # The applicant answers with a file.
    applicant_page.goto(f"{stack.base_url}/overview")
    me.check_page()
    me.activate(
        applicant_page.get_by_role("link", name=reference)
        .or_(applicant_page.locator("tr", has_text=reference).get_by_role("link"))
        .first
    )
    me.check_page()
    me.activate(applicant_page.locator("a.button", has_text=tr(lang, "Answer the request")))
    me.check_page()
    applicant_page.get_by_label(tr(lang, "Your answer")).fill("Här är mitt hyreskontrakt.")
    applicant_page.locator("input[type=file]").set_input_files(
        files=[{"name": "hyreskontrakt.pdf", "mimeType": "application/pdf", "buffer": rent_contract()}]
    )
    me.activate(applicant_page.get_by_role("button", name=tr(lang, "Send the answer")))
    expect(applicant_page.get_by_role("heading", name=tr(lang, "Your answer has been sent"))).to_be_visible()
    me.check_page()

    # The caseworker sees the answer and its file, and decides "partly granted".
    worker_page.reload()
    expect(worker_page.locator("main")).to_contain_text("Här är mitt hyreskontrakt.")
    expect(worker_page.get_by_role("link", name="hyreskontrakt.pdf").first).to_be_visible()
    worker.check_page()
    worker_page.locator("summary", has_text=tr(lang, "Make a decision")).click()
    worker_page.get_by_label(tr(lang, "Partly granted"), exact=True).check()
    worker_page.get_by_label(tr(lang, "Amount granted (kronor)")).fill("7450")
    month = clock.today().replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    worker_page.get_by_label(tr(lang, "Period from")).fill(month.isoformat())
    worker_page.get_by_label(tr(lang, "Period to")).fill(month_end.isoformat())
    worker_page.get_by_label(tr(lang, "Reasoning")).fill("Hyran är högre än en skälig boendekostnad.")
    worker.activate(worker_page.get_by_role("button", name=tr(lang, "Make the decision")))
    worker.check_page()
    with worker_page.expect_download() as made:
        worker_page.get_by_role("link", name=tr(lang, "The decision document (PDF)")).first.click()
    with open(made.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # The applicant sees the decision with its document.
    applicant_page.reload()
    main = applicant_page.locator("main")
    expect(main).to_contain_text(tr(lang, "Partly granted"))
    expect(main.locator("#decision ~ *").first).to_be_visible()
    me.check_page()
    with applicant_page.expect_download() as decision:
        applicant_page.get_by_role("link", name=tr(lang, "Download the decision (PDF)")).click()
    with open(decision.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # And the application itself, as the municipality received it.
    as_sent = tr(lang, "Download the application as the municipality received it (PDF, in Swedish)")
    with applicant_page.expect_download() as copy:
        applicant_page.get_by_role("link", name=as_sent).click()
    assert copy.value.suggested_filename == f"ansokan-{reference}.pdf"
    with open(copy.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # Next month: started from this one, fetched again, and what changed is shown.
    me.activate(applicant_page.get_by_role("link", name=tr(lang, "Back to your applications")))
    me.check_page()
    me.activate(applicant_page.locator("a.button", has_text=tr_pattern(lang, "Apply for %(month)s")).first)
    me.check_page()
    me.tick(applicant_page.locator("main").get_by_role("checkbox"))
    me.activate(applicant_page.locator("main").get_by_role("button"))
    me.check_page()
    me.activate(applicant_page.get_by_role("link", name=tr(lang, "Choose what we may fetch about you")).first)
    consent_to_everything(me)
    applicant_page.goto(f"{stack.base_url}/overview")
    me.activate(applicant_page.get_by_role("link", name=tr(lang, "See what has changed since last month")).first)
    expect(applicant_page.get_by_role("heading", level=1)).to_have_text(tr(lang, "What has changed since last month"))
    expect(applicant_page.locator("table").first).to_be_visible()
    for section in ("New since last month", "Changed since last month", "Ended since last month", "Unchanged"):
        expect(applicant_page.get_by_role("heading", level=2, name=tr(lang, section))).to_be_visible()
    me.check_page()


# Others than in the journey above, so each has an application of its own.
WITHDRAWING = {"sv": "Jonas Ström", "ar": "Per Ek", "fa": "Lars Berglund"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_write_to_the_municipality_then_withdraw(stack, new_page, axe, lang):
    from e2e.test_fetch_journey import start
    from e2e.test_submit_journey import back_to_application, to_check_and_sign

    who = WITHDRAWING[lang]
    page = new_page()
    me = start(page, stack.base_url, lang, who, axe)
    back_to_application(me, lang)
    to_check_and_sign(me, lang, who, "Send application")
    expect(page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    reference = page.locator("main dl dd").first.inner_text().strip()

    page.goto(f"{stack.base_url}/overview")
    me.activate(page.locator("tr", has_text=reference).get_by_role("link").first)
    me.check_page()
    me.activate(page.get_by_role("link", name=tr(lang, "Read and write messages")))
    me.check_page()
    page.get_by_label(tr(lang, "Your message")).fill("Jag har fått ett jobb från december.")
    me.activate(page.get_by_role("button", name=tr(lang, "Send the message")))
    expect(page.get_by_role("heading", name=tr(lang, "Your message has been sent"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Jag har fått ett jobb från december.")
    me.check_page()

    me.activate(page.get_by_role("link", name=tr(lang, "Back to your case")))
    me.activate(page.get_by_role("link", name=tr(lang, "Withdraw the application")).last)
    me.check_page()
    page.get_by_label(tr(lang, "Why are you withdrawing the application? (optional)")).fill("Jag har fått jobb.")
    me.activate(page.get_by_role("button", name=tr(lang, "Yes, withdraw the application")))
    expect(page.get_by_role("heading", name=tr(lang, "You have withdrawn your application"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Jag har fått jobb.")
    me.check_page()
