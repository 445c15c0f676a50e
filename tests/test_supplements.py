"""Supplements: incomes, costs, assets and the message the applicant adds themselves.

Unit tests for reading amounts as people type them, then the pages through the Flask client
with the real test IdP (run on SQLite and, with PORTAL_TEST_DATABASE_URL, on PostgreSQL).
"""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.application.models import Application
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.supplements import services
from portal.supplements.forms import (
    AmountField,
    AmountRequired,
    MalformedAmount,
    NegativeAmount,
    clean_text,
    format_kronor,
    parse_kronor,
)
from portal.supplements.models import Asset, Cost, FreeText, Income
from tests import factories
from tests.support import csrf_from, page_checks, soup

SINGLE_ADULT = "199006022397"
FAMILY = "196108283166"


# -- Amounts as people type them -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,ore",
    [
        ("4500", 450000),
        ("4 500", 450000),
        ("4 500,50", 450050),
        ("4500.50", 450050),
        ("4500,5", 450050),
        ("4\u00a0500", 450000),  # non-breaking space
        ("4\u202f500", 450000),  # narrow non-breaking space (Babel's Swedish grouping)
        ("4\u2009500", 450000),  # thin space
        ("4'500", 450000),
        ("٤٥٠٠", 450000),  # Arabic-Indic digits
        ("۴۵۰۰", 450000),  # Persian digits
        ("٤٬٥٠٠٫٥٠", 450050),  # Arabic thousands and decimal separators
        ("４５００", 450000),  # full-width digits
        ("  4500  ", 450000),
        ("+4500", 450000),
        ("4500 kr", 450000),
        ("4500kr", 450000),
        ("4500:-", 450000),
        ("SEK 4500", 450000),
        ("4\u00a0500,00\u00a0kr", 450000),  # what the portal shows in Swedish, typed back
        ("\u200f4,500.50\u00a0SEK", 450050),  # what the portal shows in Arabic, typed back
        ("SEK4,500.50", 450050),  # and in English
        ("4,500", 450000),  # one separator and three digits: thousands, never 3 decimals
        ("4.500", 450000),
        ("1.234.567,89", 123456789),
        ("1,234,567.89", 123456789),
        ("1 234 567", 123456700),
        ("0", 0),
        ("0,50", 50),
        (",50", 50),
        ("4500,", 450000),
        ("-0", 0),
    ],
)
def test_amounts_people_type_are_read_as_ore(typed, ore):
    assert parse_kronor(typed) == ore


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "4,5000",
        "1234,567",
        "4 500,505",
        "1.2.3",
        "4500kr50",
        "0,500",
        "12e3",
        "4500-",
        "--4500",
        "1,234.567",
        "1.234,56,7",
        ".",
        ",",
        "kr",
        "4 500 000 000 000 000 000 000 000 000 000 000 000 000 000",
        "4\x00500",
        "½",
    ],
)
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(MalformedAmount):
        parse_kronor(typed)


@pytest.mark.parametrize("typed", ["-4500", "\u22124 500", "-0,50", "– 100"])
def test_negative_amounts_are_told_apart(typed):
    with pytest.raises(NegativeAmount):
        parse_kronor(typed)


def test_clean_text_keeps_any_language_and_new_lines_but_no_control_characters():
    typed = "مرحبا Hej 👋\x00\x07\r\nrad två\u202e\t"
    assert clean_text(typed) == "مرحبا Hej 👋\nrad två"
    assert clean_text("\u200fسلام\u200f") == "\u200fسلام\u200f"  # direction marks are harmless


def _amount_form(app, formdata, locale="sv"):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        class Meta:
            csrf = False

        amount = AmountField("Amount", validators=[AmountRequired("Enter the amount")])

    with app.test_request_context(), force_locale(locale):
        form = Form(formdata=MultiDict(formdata))
        valid = form.validate()
        return valid, form.amount.data, [str(e) for e in form.amount.errors], form.amount._value()


def test_amount_field_keeps_what_was_typed_and_says_what_is_wrong(app):
    assert _amount_form(app, {"amount": "4 500,50"}) == (True, 450050, [], "4 500,50")
    valid, data, errors, shown = _amount_form(app, {"amount": "fyra tusen"}, locale="en")
    assert not valid and data is None and shown == "fyra tusen"
    assert errors == ["Enter the amount in kronor, for example 4 500 or 4500,50"]
    assert _amount_form(app, {"amount": "-5"}, locale="en")[2] == ["The amount cannot be negative"]
    assert _amount_form(app, {"amount": "  "})[2] == ["Enter the amount"]
    assert _amount_form(app, {})[2] == ["Enter the amount"]


def test_stored_amounts_are_shown_back_the_readers_way(app):
    with app.test_request_context(), force_locale("sv"):
        assert format_kronor(450050) == "4500,50"
        assert format_kronor(450000) == "4500"
    with app.test_request_context(), force_locale("en"):
        assert format_kronor(450050) == "4500.50"
        assert parse_kronor(format_kronor(450050)) == 450050


# -- Pages -----------------------------------------------------------------------------------


def in_english(client) -> None:
    client.get("/language?lang=en&next=/")


def draft(personnummer) -> tuple[str, Application]:
    """A draft for this month (tests/factories.py; starting one is the journey's, tests/test_journey.py)."""
    application = factories.draft(personnummer)
    return f"/applications/{application.id}", application


@pytest.fixture
def applicant(login, client):
    login(SINGLE_ADULT)
    in_english(client)
    path, application = draft(SINGLE_ADULT)
    return client, path, application


def period_months(application) -> list[str]:
    return [d.isoformat() for d in services.months(application)]


def post_form(client, page_path, **fields):
    page = client.get(page_path)
    assert page.status_code == 200
    return client.post(page_path, data={"csrf_token": csrf_from(page), **fields})


def summary_errors(response) -> list[str]:
    box = soup(response).find(class_="error-summary")
    return [a.get_text(" ", strip=True) for a in box.find_all("a")] if box else []


def test_the_months_are_the_application_month_and_the_three_before(applicant):
    _client, _path, application = applicant
    months = services.months(application)
    assert len(months) == 4 and months[-1] == application.period
    assert all(m.day == 1 for m in months) and months == sorted(months)


def test_add_change_and_remove_a_cost(applicant):
    client, path, application = applicant
    listing = client.get(f"{path}/costs")
    doc = page_checks(listing, lang="en")
    assert "You have not added any costs." in doc.find("main").get_text()
    month = period_months(application)[-1]
    before = application.updated_at

    form_page = client.get(f"{path}/costs/new")
    doc = page_checks(form_page, lang="en")
    assert doc.find("main").find("form").has_attr("novalidate")
    amount = doc.find("input", attrs={"name": "amount"})
    assert amount["inputmode"] == "decimal"
    assert doc.find("label", attrs={"for": "amount"}) is not None
    assert set(amount["aria-describedby"].split()) == {"amount-hint"}
    assert doc.find(id="amount-hint") is not None
    assert [legend.get_text(strip=True) for legend in doc.find_all("legend")] == [
        "What is the cost for?",
        "Which month is the cost for?",
    ]

    saved = client.post(
        f"{path}/costs/new",
        data={"csrf_token": csrf_from(form_page), "category": "rent", "amount": "6 250,50", "month": month},
    )
    assert saved.status_code == 302 and saved.location == f"{path}/costs"
    cost = db.session.scalar(select(Cost))
    assert (cost.category, cost.amount_ore, cost.month, cost.description) == (
        "rent",
        625050,
        date.fromisoformat(month),
        None,
    )
    db.session.refresh(application)
    assert application.updated_at > before

    doc = page_checks(client.get(f"{path}/costs"), lang="en")
    table = doc.find("table")
    assert "Rent" in table.get_text() and "6,250.50" in table.get_text()
    totals = doc.find_all("table")[1]
    assert len(totals.find("tbody").find_all("tr")) == 4

    edit_path = f"{path}/costs/{cost.id}"
    edit = client.get(edit_path)
    doc = page_checks(edit, lang="en")
    assert doc.find("input", attrs={"name": "amount"})["value"] == "6250.50"
    assert doc.find("input", attrs={"name": "category", "value": "rent"}).has_attr("checked")
    changed = client.post(
        edit_path, data={"csrf_token": csrf_from(edit), "category": "electricity", "amount": "450", "month": month}
    )
    assert changed.status_code == 302
    db.session.refresh(cost)
    assert (cost.category, cost.amount_ore) == ("electricity", 45000)

    removed = client.post(f"{edit_path}/remove", data={"csrf_token": csrf_from(edit)})
    assert removed.status_code == 302 and removed.location == f"{path}/costs"
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 0

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "cost", AuditEvent.action == "change")
    ).all()
    assert [e.purpose for e in events] == ["applicant added cost", "applicant changed cost", "applicant removed cost"]
    assert {e.subject_id for e in events} == {application.applicant_id}
    assert {e.object_id for e in events} == {str(cost.id)}


BAD_COSTS = [
    ({"amount": ""}, "Enter the rent you pay each month"),
    ({"amount": "fyratusen"}, "Enter the amount in kronor, for example 4 500 or 4500,50"),
    ({"amount": "-4500"}, "The amount cannot be negative"),
    ({"amount": "1 000 000,01"}, "The amount is too large – check it and enter it in kronor per month"),
    ({"month": ""}, "Choose the month the cost is for"),
    ({"month": "2001-01-01"}, "The month must be one of the months this application covers"),
    ({"month": "not-a-date"}, "The month must be one of the months this application covers"),
    ({"category": "other", "description": ""}, "Describe the cost, for example what you pay for"),
    ({"category": "other", "description": "x" * 201}, "Describe the cost in at most 200 characters"),
    ({"category": ""}, "Choose what the cost is for"),
    ({"category": "yacht"}, "Choose what the cost is for"),
]


@pytest.mark.parametrize("change,message", BAD_COSTS)
def test_bad_cost_gives_its_own_message_and_keeps_everything_else(applicant, change, message):
    client, path, application = applicant
    good = {
        "category": "rent",
        "description": "Hyra för 2 rok – إيجار 🏠",
        "amount": "4 500,50",
        "month": period_months(application)[1],
    }
    response = post_form(client, f"{path}/costs/new", **{**good, **change})
    assert response.status_code == 400
    doc = page_checks(response, lang="en")
    assert doc.title.get_text().startswith("Error:")
    assert summary_errors(response) == [message]
    field = next(iter(change)) if len(change) == 1 else ("category" if message.startswith("Choose") else "description")
    error = doc.find(id=f"{field}-error")
    assert error is not None and message in error.get_text()
    target = doc.find(class_="error-summary").find("a")["href"]
    assert doc.find(id=target[1:]) is not None

    typed = {**good, **change}
    for name in ("description", "amount"):
        assert doc.find("input", attrs={"name": name})["value"] == typed[name]
    for name in ("category", "month"):
        chosen = doc.find("input", attrs={"name": name, "checked": True})
        valid = [i["value"] for i in doc.find_all("input", attrs={"name": name})]
        assert (chosen["value"] if chosen else "") == (typed[name] if typed[name] in valid else "")
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 0


def test_several_errors_are_all_listed_in_field_order(applicant):
    client, path, _application = applicant
    response = post_form(client, f"{path}/costs/new", category="dental", amount="")
    assert response.status_code == 400
    assert summary_errors(response) == [
        "Enter what you pay for dental care each month",
        "Choose the month the cost is for",
    ]
    doc = soup(response)
    assert doc.find("input", attrs={"name": "amount"})["aria-invalid"] == "true"
    assert set(doc.find("input", attrs={"name": "amount"})["aria-describedby"].split()) == {
        "amount-hint",
        "amount-error",
    }


def test_income_with_arabic_digits_for_a_household_member(login, client):
    login(FAMILY)
    in_english(client)
    path, application = draft(FAMILY)
    spouse = next(m for m in application.members if m.relation == "spouse")
    form_page = client.get(f"{path}/incomes/new")
    doc = page_checks(form_page, lang="en")
    options = [o["value"] for o in doc.find("select", attrs={"name": "member"}).find_all("option")]
    assert options == [""] + [str(m.id) for m in application.members]

    saved = client.post(
        f"{path}/incomes/new",
        data={
            "csrf_token": csrf_from(form_page),
            "kind": "maintenance",
            "amount": "١٢٥٠",
            "month": period_months(application)[0],
            "member": str(spouse.id),
        },
    )
    assert saved.status_code == 302
    income = db.session.scalar(select(Income))
    assert (income.kind, income.amount_ore, income.member_id) == ("maintenance", 125000, spouse.id)
    listing = page_checks(client.get(f"{path}/incomes"), lang="en")
    assert spouse.name in listing.find("table").get_text()

    refused = post_form(
        client, f"{path}/incomes/new", kind="salary", amount="100", month=period_months(application)[0], member="999999"
    )
    assert refused.status_code == 400
    assert summary_errors(refused) == ["Choose a person in your household"]
    doc = soup(refused)
    assert doc.find("option", attrs={"value": "999999"}) is None
    assert doc.find("input", attrs={"name": "amount"})["value"] == "100"
    assert doc.find("input", attrs={"name": "kind", "value": "salary"}).has_attr("checked")


def test_income_messages(applicant):
    client, path, application = applicant
    response = post_form(client, f"{path}/incomes/new", kind="other", amount="2 000 000", description="")
    assert response.status_code == 400
    assert summary_errors(response) == [
        "Describe the income, for example who pays it",
        "The amount is too large – check it and enter it in kronor per month",
        "Choose the month the income is for",
    ]
    doc = soup(response)
    assert doc.find("input", attrs={"name": "amount"})["value"] == "2 000 000"
    assert doc.find("input", attrs={"name": "kind", "value": "other"}).has_attr("checked")


def test_assets_have_their_own_limit_and_words(applicant):
    client, path, _application = applicant
    response = post_form(client, f"{path}/assets/new", kind="vehicle", value="100 000 000,01")
    assert summary_errors(response) == ["The value is too large – check it and enter it in kronor"]
    response = post_form(client, f"{path}/assets/new", kind="vehicle", value="tjugo")
    assert summary_errors(response) == ["Enter the value in kronor, for example 25 000 or 1500,50"]
    response = post_form(client, f"{path}/assets/new", kind="vehicle", value="")
    assert summary_errors(response) == ["Enter what the asset is worth in kronor"]

    saved = post_form(
        client, f"{path}/assets/new", kind="vehicle", value="99 999 999", description="Volvo V70 – ABC 123"
    )
    assert saved.status_code == 302
    asset = db.session.scalar(select(Asset))
    assert asset.value_ore == 9_999_999_900 and asset.description == "Volvo V70 – ABC 123"
    doc = page_checks(client.get(f"{path}/assets"), lang="en")
    assert "Volvo V70" in doc.find("table").get_text()


def test_message_to_the_municipality(applicant):
    client, path, application = applicant
    page = client.get(f"{path}/message")
    doc = page_checks(page, lang="en")
    assert doc.find("label", attrs={"for": "text"}) is not None

    too_long = "ا" * 10_000
    response = client.post(f"{path}/message", data={"csrf_token": csrf_from(page), "text": too_long})
    assert response.status_code == 400
    assert summary_errors(response) == ["Write at most 5 000 characters (you have written 10,000)"]
    doc = page_checks(response, lang="en")
    assert doc.find("textarea").get_text() == too_long
    assert db.session.scalar(select(FreeText)) is None

    text = "Jag har ett barn varannan vecka.\r\nأعيش مع ابني 👦\x00\x1b"
    saved = client.post(f"{path}/message", data={"csrf_token": csrf_from(page), "text": text})
    assert saved.status_code == 302 and saved.location == path
    stored = db.session.scalar(select(FreeText))
    assert stored.text == "Jag har ett barn varannan vecka.\nأعيش مع ابني 👦"
    assert page_checks(client.get(f"{path}/message"), lang="en").find("textarea").get_text() == stored.text

    cleared = client.post(f"{path}/message", data={"csrf_token": csrf_from(page), "text": "  "})
    assert cleared.status_code == 302
    assert db.session.scalar(select(FreeText)) is None
    purposes = db.session.scalars(
        select(AuditEvent.purpose).where(AuditEvent.object_type == "free_text", AuditEvent.action == "change")
    ).all()
    assert purposes == ["applicant wrote message to municipality", "applicant removed message to municipality"]


def test_pages_in_arabic_are_right_to_left(applicant):
    client, path, _application = applicant
    client.get("/language?lang=ar&next=/")
    for page in ("incomes", "incomes/new", "costs", "costs/new", "assets", "assets/new", "message"):
        page_checks(client.get(f"{path}/{page}"), lang="ar", direction="rtl")
    response = post_form(client, f"{path}/costs/new", category="rent", amount="x")
    assert response.status_code == 400
    page_checks(response, lang="ar", direction="rtl")


def test_another_persons_application_and_entries_are_not_found(app, login, client):
    login(SINGLE_ADULT)
    path, application = draft(SINGLE_ADULT)
    months = services.months(application)
    cost = services.add(application, "costs", {"category": "rent", "amount_ore": 100, "month": months[0]})

    from tests.support import idp_login

    other = app.test_client()
    idp_login(other, "/auth/login", {"subject": FAMILY})
    for page in ("incomes", "incomes/new", "costs", "costs/new", f"costs/{cost.id}", "assets", "assets/new", "message"):
        assert other.get(f"{path}/{page}").status_code == 404, page
    own, _theirs = draft(FAMILY)
    token = csrf_from(other.get(f"{own}/costs/new"))
    assert other.post(f"{path}/costs/{cost.id}/remove", data={"csrf_token": token}).status_code == 404
    assert (
        other.post(
            f"{path}/costs/new",
            data={"csrf_token": token, "category": "rent", "amount": "1", "month": months[0].isoformat()},
        ).status_code
        == 404
    )
    # Their own application, someone else's entry id.
    assert other.get(f"{own}/costs/{cost.id}").status_code == 404
    assert other.post(f"{own}/costs/{cost.id}/remove", data={"csrf_token": token}).status_code == 404
    assert other.get(f"{own}/incomes/{cost.id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 1


@pytest.mark.parametrize("page", ["incomes", "costs/new", "assets", "message"])
def test_anonymous_is_sent_to_login(client, page):
    response = client.get(f"/applications/some-id/{page}")
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_a_sent_application_cannot_be_changed(applicant):
    client, path, application = applicant
    month = services.months(application)[0]
    cost = services.add(application, "costs", {"category": "rent", "amount_ore": 100, "month": month})
    token = csrf_from(client.get(f"{path}/costs/new"))
    factories.submitted(application)

    with pytest.raises(services.NotEditable):
        services.add(application, "costs", {"category": "rent", "amount_ore": 100, "month": month})
    with pytest.raises(services.NotEditable):
        services.save_text(application, "hej")
    listing = client.get(f"{path}/costs")
    doc = page_checks(listing, lang="en")
    assert doc.find(class_="notice") is not None
    assert doc.find("a", href=f"{path}/costs/new") is None
    assert client.get(f"{path}/costs/new").status_code == 302
    assert (
        client.post(
            f"{path}/costs/new",
            data={"csrf_token": token, "category": "rent", "amount": "1", "month": month.isoformat()},
        ).status_code
        == 302
    )
    assert client.post(f"{path}/costs/{cost.id}/remove", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{path}/message", data={"csrf_token": token, "text": "hej"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 1
    assert db.session.scalar(select(FreeText)) is None


def test_summary_and_status_for_the_task_list_and_check_answers(applicant):
    _client, _path, application = applicant
    months = services.months(application)
    assert services.status(application) == {
        "incomes": "not_started",
        "costs": "not_started",
        "assets": "not_started",
        "message": "not_started",
    }
    services.add(application, "costs", {"category": "rent", "amount_ore": 500000, "month": months[-1]})
    services.add(application, "costs", {"category": "electricity", "amount_ore": 45050, "month": months[-1]})
    services.add(
        application,
        "incomes",
        {"kind": "salary", "amount_ore": 120000, "month": months[0], "member_id": application.members[0].id},
    )
    services.add(application, "assets", {"kind": "cash", "value_ore": 200000})
    services.save_text(application, "Hej")

    result = services.summary(application)
    assert list(result["costs"]["totals"]) == months
    assert result["costs"]["totals"][months[-1]] == 545050
    assert result["costs"]["totals"][months[0]] == 0
    assert result["incomes"]["totals"][months[0]] == 120000
    assert [c.category for c in result["costs"]["entries"]] == ["rent", "electricity"]
    assert result["assets"]["total"] == 200000
    assert result["message"] == {"text": "Hej"}
    assert services.status(application) == {
        "incomes": "completed",
        "costs": "completed",
        "assets": "completed",
        "message": "completed",
    }

    with pytest.raises(ValueError):
        services.add(application, "costs", {"category": "rent", "amount_ore": 1, "month": date(2001, 1, 1)})
