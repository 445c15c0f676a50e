"""The pages people read most, readable (issue 15, point 4): the check page's key figures before the
signature, worded to the co-applicant when they read it; the receipt's next steps, the contact prompt and
the checksum as a secondary detail; the case page with the decision first."""

from __future__ import annotations

from portal.case.contact import save as save_contact
from portal.extensions import db
from portal.supplements.models import Cost
from tests import factories
from tests.support import idp_login, page_checks
from tests.test_attachments_domain import make_pdf
from tests.test_items import plant

ANDERS = "199006022397"
MARIA, JOHAN = "196108283166", "196201082697"


def client_of(app, personnummer):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": personnummer})
    return client


def test_check_page_shows_the_key_figures_before_the_signature(app):
    application = factories.draft(ANDERS)
    month = application.period
    plant(
        application,
        "forsakringskassan.sjukpenning.payment",
        1009800,
        True,
        month,
        month.replace(day=28),
        paid_on=month.isoformat(),
    )
    plant(
        application,
        "forsakringskassan.sjukpenning.tax",
        323136,
        None,
        month,
        month.replace(day=28),
        paid_on=month.isoformat(),
    )
    doc = page_checks(client_of(app, ANDERS).get(f"/applications/{application.id}/check"))
    figures = doc.find(id="key-figures")
    html = str(doc)
    assert figures is not None and html.index('id="key-figures"') < html.index('name="confirm"')
    text = figures.get_text(" ", strip=True).replace("\xa0", " ")
    assert "6 866,64 kr" in text and "13 329,36" not in text
    assert "Din inkomst" in text  # worded to the reader


def test_the_key_figures_follow_what_was_fetched_and_stated(app):
    """The key figures are kept rendered (portal/application/render.py): a further payment, a stated cost and
    a file show at once."""
    application = factories.draft(ANDERS)
    month = application.period
    anders = client_of(app, ANDERS)

    def figures():
        doc = page_checks(anders.get(f"/applications/{application.id}/check"))
        return doc.find(id="key-figures").get_text(" ", strip=True).replace("\xa0", " ")

    assert "Din inkomst" not in figures()  # nothing fetched about him
    paid = {"paid_on": month.isoformat()}
    plant(application, "forsakringskassan.sjukpenning.payment", 500000, False, month, month.replace(day=28), **paid)
    assert "5 000,00 kr utbetalt" in figures()
    plant(application, "forsakringskassan.bostadsbidrag.payment", 100000, False, month, month.replace(day=28), **paid)
    assert "6 000,00 kr utbetalt" in figures()
    db.session.add(Cost(application_id=application.id, category="rent", amount_ore=625000, month=month))
    db.session.commit()
    assert "Angivna kostnader 6 250,00 kr" in figures()
    factories.attached(application, make_pdf(), "hyra.pdf")
    assert "Bilagor 1" in figures()


def test_the_co_applicant_reads_the_joint_application_worded_to_them(app):
    application = factories.draft(MARIA)
    plant(
        application,
        "forsakringskassan.sjukpenning.payment",
        500000,
        False,
        application.period,
        application.period.replace(day=28),
        paid_on=application.period.isoformat(),
    )
    factories.sign(application, MARIA)
    johan = client_of(app, JOHAN)
    doc = page_checks(johan.get(f"/applications/{application.id}/check"))
    assert doc.find("h1").get_text(strip=True) == "Läs den gemensamma ansökan innan du skriver under"
    figures = doc.find(id="key-figures").get_text(" ", strip=True)
    assert "Maria" in figures  # her figures are named, not "your"


def test_receipt_says_what_happens_next_asks_for_contact_details_and_keeps_the_checksum_aside(app):
    application = factories.submitted(factories.draft(ANDERS))
    anders = client_of(app, ANDERS)
    doc = page_checks(anders.get(f"/applications/{application.id}"))
    assert doc.find("ol", class_="list--number") is not None
    assert doc.find(id="contact-prompt").find("a")["href"] == "/contact-details"
    checksum = doc.find("details", class_="details--secondary")
    assert checksum is not None and not checksum.has_attr("open")
    assert "digest--one-line" in checksum.find("code")["class"]
    save_contact(application.applicant_id, "anders@example.se", None, True, False, "sv")
    db.session.commit()
    assert page_checks(anders.get(f"/applications/{application.id}")).find(id="contact-prompt") is None


def test_case_page_puts_the_decision_first(app):
    application = factories.received(factories.delivered(factories.submitted(factories.draft(ANDERS))))
    factories.decided(application)
    html = client_of(app, ANDERS).get(f"/cases/{application.id}").get_data(as_text=True)
    assert 0 < html.index('id="decision"') < html.index('id="messages"')
    assert html.index('id="decision"') < html.index('class="summary"')
