"""The applicant's own contact details for notifications."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from portal.audit.models import AuditEvent
from portal.case.contact import normalise_mobile
from portal.case.models import ContactDetails
from portal.extensions import db
from tests.support import csrf_from, page_checks, soup
from tests.test_journey import SINGLE_ADULT


@pytest.mark.parametrize(
    "typed",
    [
        "070-123 45 67",
        "0701234567",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70-123 45 67",
        "(070) 123 45 67",
        "073.123.45.67",
    ],
)
def test_swedish_mobile_numbers_are_normalised_to_e164(typed):
    assert normalise_mobile(typed).startswith("+467")
    assert normalise_mobile("070-123 45 67") == "+46701234567"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "08-123 456 78",
        "071 234 56 78",
        "070 123 45 6",
        "070 123 45 678",
        "+47 912 34 567",
        "070 123 45 6x",
        "+46+70123456",
        "0046 8 123 456 78",
    ],
)
def test_other_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_mobile(typed)


def sv(msgid: str) -> str:
    """The page's words in Swedish (the default locale), whether or not translated yet."""
    with force_locale("sv"):
        return gettext(msgid)


def post(client, page, **data):
    return client.post("/contact-details", data={"csrf_token": csrf_from(page), **data})


def test_the_applicant_sets_e_mail_and_mobile_and_chooses_channels(app, client, login):
    login(SINGLE_ADULT)
    overview = client.get("/overview")
    assert soup(overview).find("a", href="/contact-details")
    page = client.get("/contact-details")
    doc = page_checks(page)
    assert doc.find("label", attrs={"for": "email"}) and doc.find("label", attrs={"for": "phone"})
    legend = doc.find("legend")
    assert legend and legend.find_parent("fieldset").find("input", attrs={"name": "notify_sms"})
    assert doc.find("input", attrs={"name": "notify_email"}).has_attr("checked")  # the default for a newcomer
    response = post(
        client,
        page,
        email="  Anders.Testsson@Example.se ",
        phone="070-123 45 67",
        notify_email="y",
        notify_sms="y",
        language="ar",
    )
    assert response.status_code == 302 and response.location == "/contact-details?saved=1"
    person_id = db.session.scalar(db.select(AuditEvent.subject_id).where(AuditEvent.object_type == "contact_details"))
    contact = db.session.get(ContactDetails, person_id)
    assert (contact.email, contact.phone, contact.notify_email, contact.notify_sms, contact.language) == (
        "Anders.Testsson@example.se",
        "+46701234567",
        True,
        True,
        "ar",
    )
    saved = client.get(response.location)
    doc = page_checks(saved)
    assert doc.find(id="saved")
    assert doc.find("input", attrs={"name": "phone"})["value"] == "+46701234567"
    assert doc.find("option", selected=True)["value"] == "ar"
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "contact_details")).all()
    assert "change" in actions and "read" in actions


def test_errors_are_clear_and_keep_what_was_typed(app, client, login):
    login(SINGLE_ADULT)
    page = client.get("/contact-details")
    response = post(
        client, page, email="anders@", phone="08-123 456 78", notify_email="y", notify_sms="y", language="sv"
    )
    assert response.status_code == 400
    doc = page_checks(response)
    assert doc.title.get_text().startswith(sv("Error:"))
    summary = doc.find(class_="error-summary")
    links = {a["href"]: a.get_text(strip=True) for a in summary.find_all("a")}
    assert set(links) == {"#email", "#phone"}
    assert links["#email"] == sv("Enter an e-mail address in the right format, like name@example.com")
    assert links["#phone"] == sv("Enter a Swedish mobile number, like 070 123 45 67 or +46 70 123 45 67")
    assert doc.find("input", attrs={"name": "email"})["value"] == "anders@"
    assert doc.find("input", attrs={"name": "phone"})["value"] == "08-123 456 78"
    assert doc.find("input", attrs={"name": "email"})["aria-invalid"] == "true"
    assert doc.find("input", attrs={"name": "notify_sms"}).has_attr("checked")
    assert db.session.scalar(db.select(ContactDetails)) is None


def test_a_channel_needs_its_address_and_an_empty_form_turns_notifications_off(app, client, login):
    login(SINGLE_ADULT)
    page = client.get("/contact-details")
    response = post(client, page, email="", phone="", notify_sms="y", language="sv")
    assert response.status_code == 400
    assert [a["href"] for a in soup(response).find(class_="error-summary").find_all("a")] == ["#phone"]
    response = post(client, page, email="", phone="", language="sv")
    assert response.status_code == 302
    contact = db.session.scalar(db.select(ContactDetails))
    assert (contact.email, contact.phone, contact.notify_email, contact.notify_sms) == (None, None, False, False)


def test_without_csrf_nothing_is_saved(app, client, login):
    login(SINGLE_ADULT)
    response = client.post("/contact-details", data={"email": "a@example.se", "language": "sv"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(ContactDetails)) is None


def test_only_the_person_themselves_and_logged_in(app, client):
    assert app.view_functions["contact.edit"].access_rule == "own"
    response = client.get("/contact-details")
    assert response.status_code in (302, 401)
    assert db.session.scalar(db.select(ContactDetails)) is None


def test_the_page_in_arabic_is_right_to_left(app, client, login):
    login(SINGLE_ADULT)
    client.set_cookie("portal_lang", "ar")
    page_checks(client.get("/contact-details"), lang="ar", direction="rtl")
