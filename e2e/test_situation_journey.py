"""Issue 16's "done when" in one browser journey, in Swedish, Arabic and Persian with axe on every page, on the cast's
family with young children (single-parent-young-children: Sanna Berglund in Uppsala with Liam, 9, who lives
växelvis with his father, and Ella, 4): she answers "Your situation" (a refused empty page and a wrong account
check digit on the way, what was typed kept), gets the documents her answers call for, attaches two, says one
will come later, and sends; the caseworker sees the answers and the documents met and missing, sees a norm line
for each child by age, registers the arrival, changes the rent line and decides; Sanna reads the decision with
its lines; next month's application starts with the answers prefilled, each to confirm.

The applicant is one person in both languages: her applications are purged before and after each run with the
code of ``portal cases purge`` (``e2e.test_calculation_journey.purge``), so each run starts on the same month."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, tr, tr_pattern
from e2e.test_calculation_journey import DEADLINE_SECONDS, logs_in, purge
from e2e.test_case_journey import rent_contract
from e2e.test_fetch_journey import start
from e2e.test_submit_journey import CONFIRM
from portal.indication.riksnorm import band_for_age, band_label

pytestmark = pytest.mark.e2e

SANNA, CASEWORKER = "Sanna Berglund", "Per Handläggare"
LIAM, ELLA = "Liam Berglund", "Ella Berglund"


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
    page.get_by_label(tr(lang, "How much rent do you pay each month?")).fill("8 940")
    me.choose(page.get_by_label(tr(lang, "A landlord or housing company"), exact=True))
    me.choose(page.locator("input[name=rent_arrears][value=yes]"))
    expect(page.locator("input[name=rent_arrears_amount]")).to_be_visible()  # the follow-up, shown by the script
    me.choose(page.locator("input[name=rent_arrears][value=no]"))
    expect(page.locator("input[name=rent_arrears_amount]")).to_be_hidden()
    me.choose(page.locator("input[name=eviction_notice][value=no]"))
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Work and availability"))
    me.check_page()
    me.choose(page.locator("input[name$='-occupation'][value=working]"))  # part-time, the pay is fetched
    save(me)

    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your children"))
    me.check_page()
    liam = page.locator("fieldset.fieldset--person", has_text=LIAM)
    ella = page.locator("fieldset.fieldset--person", has_text=ELLA)
    me.choose(liam.locator("input[name$='-lives'][value=part]"))  # växelvis with his father
    me.choose(liam.locator("input[name$='-alternating'][value=yes]"))
    me.choose(liam.locator("input[name$='-maintenance'][value=none]"))
    me.choose(ella.locator("input[name$='-lives'][value=all]"))
    me.choose(ella.locator("input[name$='-maintenance'][value=received]"))  # underhållsstöd
    ella.locator("input[name$='-maintenance_amount']").fill("1673")
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
        tr(
            lang,
            "The account number is not a valid %(bank)s account number. Check it with your bank",
            bank="Handelsbanken",
        )
    )
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
    # rent contract, rent notice, where Liam lives, Ella's maintenance, the dentist's estimate
    expect(sections).to_have_count(5)
    for selector, name in (
        ("#requirement-rent_contract", "hyreskontrakt.pdf"),
        ("section[id^='requirement-residence_agreement']", "boendeavtal.pdf"),
    ):
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


def send(me) -> None:
    page, lang = me.page, me.lang
    me.activate(page.get_by_role("link", name=tr(lang, "Check your answers and send")))
    expect(page.locator("#situation-documents")).to_be_visible()  # the documents, met and missing, before sending
    me.check_page()
    me.tick(page.get_by_label(tr(lang, CONFIRM)))
    me.activate(page.get_by_role("button", name=tr(lang, "Send application")))
    me.idp_login(SANNA)
    expect(page.get_by_role("heading", name=tr(lang, "Your application has been sent"))).to_be_visible()
    me.check_page()


def sends_the_dentists_estimate(me, base_url, reference) -> None:
    """After sending, the document she said would come later: from her case page, with its own page."""
    page, lang = me.page, me.lang
    page.goto(f"{base_url}/overview")
    me.activate(
        page.get_by_role("link", name=reference).or_(page.locator("tr", has_text=reference).get_by_role("link")).first
    )
    later = page.locator("#document-dental_estimate")
    expect(later).to_contain_text(tr(lang, "Not sent yet"))
    me.check_page()
    me.activate(later.get_by_role("link", name=tr(lang, "Send it now")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Send a document"))
    expect(page.locator("main h2")).to_have_text(tr(lang, "A cost estimate from the dentist"))
    me.check_page()
    page.get_by_label(tr(lang, "Choose the document")).set_input_files(pdf_file(ESTIMATE))
    page.get_by_label(tr(lang, "A note for the municipality (optional)")).fill("Tandläkaren har skickat detta.")
    me.activate(page.get_by_role("button", name=tr(lang, "Send the document")))
    expect(page.get_by_role("heading", name=tr(lang, "Your document has been sent"))).to_be_visible()
    expect(page.locator("#document-dental_estimate")).to_contain_text(tr_pattern(lang, "Sent %(date)s"))
    me.check_page()


ESTIMATE = "kostnadsforslag-tandlakare.pdf"


def _until_found(page, link) -> None:
    """The delivery worker puts the application in the inbox: reload until it is listed."""
    ends = time.monotonic() + DEADLINE_SECONDS
    while not link.count():
        if time.monotonic() > ends:
            raise AssertionError(f"waited {DEADLINE_SECONDS} s for the application in the inbox")
        page.wait_for_timeout(300)
        page.reload()


def _children_ages(stack, application_id: str) -> list[int]:
    """The children's ages as the norm counts them (on the first day of the application's month)."""
    from portal import create_app
    from portal.application.models import Application
    from portal.extensions import db

    app = create_app(stack)
    with app.app_context():
        application = db.session.get(Application, application_id)
        first = application.period.replace(day=1)
        ages = sorted(
            first.year - m.birth_date.year - ((first.month, first.day) < (m.birth_date.month, m.birth_date.day))
            for m in application.members
            if m.relation == "child"
        )
        db.session.remove()
    return ages


def caseworker_decides(page, stack, lang, reference, axe) -> str:
    """The caseworker sees the answers, the documents and a norm line per child, changes the rent and
    decides. Returns the application's id."""
    worker = logs_in(page, stack.base_url, lang, CASEWORKER, axe, staff=True)
    link = page.get_by_role("link", name=reference)
    _until_found(page, link)
    worker.activate(link)
    application_id = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    situation = page.locator("#situation")
    expect(situation).to_contain_text(tr(lang, "The applicant's situation"))
    expect(page.locator("#situation-interpreter")).to_contain_text("(so)")
    expect(situation).to_contain_text(tr(lang, "I rent with my own contract (first-hand)"))
    expect(situation).to_contain_text(tr(lang, "Part of the time"))
    documents = situation.locator("table tbody tr")
    expect(documents.filter(has_text=tr(lang, "Your rent contract (hyreskontrakt)"))).to_contain_text(
        tr(lang, "Attached")
    )
    expect(documents.filter(has_text=tr(lang, "The agreement or decision on where the child lives"))).to_contain_text(
        tr(lang, "Attached")
    )
    expect(documents.filter(has_text=tr(lang, "Your latest rent notice (hyresavi)"))).to_contain_text(
        tr(lang, "Missing")
    )
    expect(documents.filter(has_text=tr(lang, "The maintenance agreement or judgment"))).to_contain_text(
        tr(lang, "Missing")
    )
    expect(documents.filter(has_text=tr(lang, "A cost estimate from the dentist"))).to_contain_text(
        tr(lang, "Will be sent later")
    )
    # ... and sent since, with the case's messages.
    expect(documents.filter(has_text=tr(lang, "A cost estimate from the dentist"))).to_contain_text(
        tr_pattern(lang, "Sent afterwards on %(date)s, with a message")
    )
    expect(page.get_by_role("link", name=ESTIMATE).first).to_be_visible()
    worker.check_page()

    lines = page.locator("#calculation-lines")
    # Each child has the norm of their own age group (the växelvis boende changes nothing: the project's
    # riksnorm data has no rule for it).
    children = lines.locator("[id^='line-norm-person-']")
    for age in _children_ages(stack, application_id):
        text = tr(
            lang,
            "Personal costs for a child aged %(age)s (age group %(band)s in the norm)",
            age=age,
            band=band_label(band_for_age(age)),
        )
        expect(children.filter(has_text=text)).to_have_count(1)
    register = page.get_by_role("button", name=tr(lang, "Register arrival"))
    if register.count():
        worker.activate(register)
    worker.activate(page.locator("#line-cost-rent").get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Change a calculation line"))
    worker.check_page()
    page.get_by_label(tr(lang, "New amount for the month (kronor)")).fill("8400")
    page.get_by_label(tr(lang, "Reason for the change")).fill(
        "Skälig hyra för en förälder med två barn i Uppsala är 8 400 kr."
    )
    worker.activate(page.get_by_role("button", name=tr(lang, "Change the line")))
    expect(page.locator("[role=status]")).to_contain_text(tr(lang, "The line was changed."))
    worker.check_page()
    page.locator("summary", has_text=tr(lang, "Make a decision")).click()
    page.get_by_label(tr(lang, "Refused"), exact=True).check()
    page.get_by_label(tr(lang, "Reasoning")).fill("Inkomsterna täcker behovet enligt beräkningen.")
    worker.activate(page.get_by_role("button", name=tr(lang, "Make the decision")))
    expect(page.locator("#decisions")).to_be_visible()
    worker.check_page()
    return application_id


def reads_the_decision(me, base_url, application_id) -> None:
    page, lang = me.page, me.lang
    page.goto(f"{base_url}/cases/{application_id}")
    me.check_page()
    me.activate(
        page.get_by_role("link", name=tr(lang, "Read the decision explained: how it was calculated and how to appeal"))
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "Your decision explained"))
    me.check_page()
    rent = page.locator("#decision-lines tr", has_text="Skälig hyra för en förälder med två barn i Uppsala")
    expect(rent).to_have_count(1)
    expect(rent).to_contain_text(tr(lang, "Rent"))


def next_month_is_prefilled(me, base_url) -> None:
    page, lang = me.page, me.lang
    page.goto(f"{base_url}/overview")
    me.check_page()
    me.activate(page.locator("a.button", has_text=tr_pattern(lang, "Apply for %(month)s")).first)
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
    expect(page.get_by_label(tr(lang, "How much rent do you pay each month?"))).to_have_value("8940")
    expect(page.locator("#prefilled")).to_be_visible()
    me.check_page()


def purge_sannas_applications(stack) -> None:
    from sqlalchemy import select

    from portal import create_app
    from portal.application.models import Application
    from portal.auth.models import Person as Citizen
    from portal.extensions import db

    given, family = SANNA.split(" ", 1)
    app = create_app(stack)
    with app.app_context():
        people = select(Citizen.id).where(Citizen.given_name == given, Citizen.family_name == family)
        ids = list(db.session.scalars(select(Application.id).where(Application.applicant_id.in_(people))))
        db.session.remove()
    if ids:
        purge(stack, ids)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_family_with_a_child_living_part_time_applies_is_decided_and_next_month_starts_prefilled(
    stack, new_page, axe, lang
):
    purge_sannas_applications(stack)
    try:
        page = new_page()
        me = start(page, stack.base_url, lang, SANNA, axe)  # leaves off at the consent page
        page.go_back()
        expect(page.locator(".task-list")).to_be_visible()
        answer_the_situation(me)
        attach_the_documents(me)
        send(me)
        reference = page.locator("main dl dd").first.inner_text().strip()
        sends_the_dentists_estimate(me, stack.base_url, reference)
        application_id = caseworker_decides(new_page(), stack, lang, reference, axe)
        reads_the_decision(me, stack.base_url, application_id)
        next_month_is_prefilled(me, stack.base_url)
    finally:
        purge_sannas_applications(stack)
