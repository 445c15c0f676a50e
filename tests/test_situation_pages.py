"""The situation's pages through the Flask client (SQLite, and PostgreSQL with PORTAL_TEST_DATABASE_URL):
skip logic, translated errors that keep what was typed, the payout account, the documents, prefill."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.situation import documents, services
from tests import factories
from tests.support import csrf_from, page_checks, soup
from tests.test_attachments_domain import make_pdf

FAMILY = "196108283166"  # couple-with-children, Göteborg: married, two children living at home
# A valid Handelsbanken account (clearing 6000-6999, 9 digits, modulus 11).
ACCOUNT = ("6789", "123 456 789")


def in_english(client) -> None:
    client.get("/language?lang=en&next=/")


@pytest.fixture
def family(login, client):
    login(FAMILY)
    in_english(client)
    application = factories.draft(FAMILY)
    return client, f"/applications/{application.id}/situation", application


def post(client, path, **fields):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_from(page), **fields})


def errors(response) -> list[str]:
    box = soup(response).find(class_="error-summary")
    return [a.get_text(" ", strip=True) for a in box.find_all("a")] if box else []


def answer_all(client, path, application, housing="own_contract"):
    """Every page, in order, as a family renting with one child living part-time at home."""
    adults = services.adults(application)
    kids = services.children(application)
    assert (
        post(client, f"{path}/housing", housing=housing)
        .headers["Location"]
        .endswith("/situation/rent" if housing == "own_contract" else "/situation/work")
    )
    if housing == "own_contract":
        post(client, f"{path}/rent", rent="8 120", rent_paid_to="landlord", rent_arrears="no", eviction_notice="no")
    post(
        client,
        f"{path}/work",
        **{
            f"m{adults[0].id}-occupation": "sick",
            f"m{adults[0].id}-sick_certificate": "yes",
            f"m{adults[1].id}-occupation": "looking",
            f"m{adults[1].id}-registered_af": "yes",
        },
    )
    fields = {}
    for i, kid in enumerate(kids):
        fields.update({f"m{kid.id}-lives": "part" if i == 0 else "all", f"m{kid.id}-maintenance": "none"})
        if i == 0:
            fields[f"m{kid.id}-alternating"] = "yes"
    post(client, f"{path}/children", **fields)
    post(client, f"{path}/others", other_adults="no")
    post(client, f"{path}/debts", debts="no")
    post(client, f"{path}/needs", needs="dental", dental_amount="3500")
    post(client, f"{path}/payout", clearing=ACCOUNT[0], account=ACCOUNT[1], holder_confirmed="y")
    return post(client, f"{path}/contact", interpreter="yes", interpreter_language="so", contact="sms")


def test_the_pages_follow_the_answers_and_end_on_check_your_answers(family):
    client, path, application = family
    assert client.get(path).headers["Location"].endswith("/situation/housing")
    page_checks(client.get(f"{path}/housing"), lang="en")
    last = answer_all(client, path, application)
    assert last.headers["Location"].endswith("/situation/check")
    check = page_checks(client.get(f"{path}/check"), lang="en")
    text = check.get_text(" ", strip=True)
    assert "I rent with my own contract (first-hand)" in text
    assert "Somali" in text
    assert "Handelsbanken 6789-123456789" in text
    assert services.state(application) == "completed"
    assert [(c.kind, c.amount_ore) for c in services.stated_costs(application)] == [
        ("rent", 812_000),
        ("dental", 350_000),
    ]


def test_living_with_parents_skips_the_rent_page(family):
    client, path, application = family
    assert post(client, f"{path}/housing", housing="parents").headers["Location"].endswith("/situation/work")
    assert client.get(f"{path}/rent").headers["Location"].endswith("/situation/work")


def test_bad_input_is_refused_with_the_questions_own_message_and_kept(family):
    client, path, application = family
    post(client, f"{path}/housing", housing="own_contract")
    refused = post(client, f"{path}/rent", rent="åtta tusen", rent_arrears="yes", eviction_notice="no")
    assert refused.status_code == 400
    assert errors(refused) == [
        "Enter the amount in kronor, for example 4 500 or 4500,50",
        "Choose who you pay the rent to",
        "Enter how much rent you owe",
    ]
    doc = page_checks(refused, lang="en")
    assert doc.find(id="rent")["value"] == "åtta tusen"
    assert doc.title.get_text().startswith("Error:")


@pytest.mark.parametrize(
    "clearing,account,message",
    [
        ("1100", "1234567", "The account number is not a valid Nordea account number. Check it with your bank"),
        ("9999", "1234567", "There is no bank with this clearing number. Check it with your bank"),
        ("6789", "12345", "The account number has the wrong number of digits for Handelsbanken"),
        ("67", "123456789", "Enter the clearing number with 4 digits (5 for some Swedbank accounts)"),
    ],
)
def test_a_payout_account_is_checked_by_bank_and_check_digit(family, clearing, account, message):
    client, path, application = family
    refused = post(client, f"{path}/payout", clearing=clearing, account=account, holder_confirmed="y")
    assert refused.status_code == 400
    assert errors(refused) == [message]
    assert soup(refused).find(id="account")["value"] == account


def test_the_holder_must_be_confirmed_when_no_account_was_fetched(family):
    client, path, application = family
    refused = post(client, f"{path}/payout", clearing=ACCOUNT[0], account=ACCOUNT[1])
    assert errors(refused) == ["Confirm that the account is in your name"]


def test_expected_documents_follow_the_answers_and_take_files(family):
    client, path, application = family
    answer_all(client, path, application)
    kinds = [r.kind for r in documents.expected(application)]
    assert kinds == ["rent_contract", "rent_notice", "sick_certificate", "residence_agreement", "dental_estimate"]
    page = client.get(f"{path}/documents")
    page_checks(page, lang="en")
    token = csrf_from(page)
    attached = client.post(
        f"{path}/documents/rent_contract",
        data={
            "csrf_token": token,
            "rent_contract-answer": "attached",
            "rent_contract-file": (__import__("io").BytesIO(make_pdf()), "kontrakt.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert attached.status_code == 302
    no_reason = client.post(
        f"{path}/documents/dental_estimate",
        data={"csrf_token": token, "dental_estimate-answer": "unavailable", "dental_estimate-reason": ""},
    )
    assert no_reason.status_code == 400
    assert errors(no_reason) == ["Say why you do not have the document"]
    client.post(
        f"{path}/documents/dental_estimate",
        data={"csrf_token": token, "dental_estimate-answer": "unavailable", "dental_estimate-reason": "Not booked yet"},
    )
    states = {s.requirement.kind: s.state for s in documents.statuses(application)}
    assert states == {
        "rent_contract": "met",
        "rent_notice": "missing",
        "sick_certificate": "missing",
        "residence_agreement": "missing",
        "dental_estimate": "unavailable",
    }


def test_an_account_fetched_in_the_applicants_name_needs_no_confirmation(family):
    from tests.test_items import plant

    client, path, application = family
    plant(
        application,
        "bank.konton.balance",
        amount_ore=120_000,
        theme="assets",
        start=application.period,
        end=application.period,
        bank="Handelsbanken",
        account="…6789",
        account_type="transaktionskonto",
        joint=False,
    )
    page = client.get(f"{path}/payout")
    assert "6789" in soup(page).find("main").get_text()
    saved = client.post(
        f"{path}/payout", data={"csrf_token": csrf_from(page), "clearing": ACCOUNT[0], "account": ACCOUNT[1]}
    )
    assert saved.status_code == 302, errors(saved)
    assert services.effective(application)["holder"] == "fetched"
    # Another account (Forex Bank, valid) is not among the fetched: the applicant confirms it is theirs.
    other = client.post(
        f"{path}/payout", data={"csrf_token": csrf_from(page), "clearing": "9420", "account": "417 23 85"}
    )
    assert errors(other) == ["Confirm that the account is in your name"]


def test_a_removed_file_no_longer_meets_its_requirement(family):
    from portal.attachments import services as attachment_services
    from portal.attachments.storage import current_storage

    client, path, application = family
    post(client, f"{path}/housing", housing="own_contract")
    requirement = documents.expected(application)[0]
    attached = factories.attached(application, make_pdf(), "kontrakt.pdf")
    documents.respond(application, requirement, documents.ATTACHED, attachment_id=attached.id)
    assert documents.statuses(application)[0].state == "met"
    attachment_services.remove(attached, current_storage())
    db.session.commit()
    assert documents.statuses(application)[0].state == "missing"
