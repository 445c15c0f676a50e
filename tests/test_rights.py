"""The person's rights and the pages the law requires (issue 18): the accessibility statement with its
feedback form, the privacy notice, both in every footer, and "who has read my data"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.providers.registry import providers
from portal.rights.models import AccessibilityFeedback
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, soup
from tests.support import sv as swedish
from tests.test_journey import SINGLE_ADULT

PUBLIC = ["/accessibility", "/privacy", "/accessibility/feedback"]


def footer_links(response) -> dict[str, str]:
    footer = soup(response).find("footer")
    return {link.get_text(strip=True): link["href"] for link in footer.find_all("a")}


@pytest.mark.parametrize("lang,direction", [("sv", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_the_public_pages_are_in_every_language_and_linked_from_the_footer(client, lang, direction):
    client.get(f"/language?lang={lang}&next=/")
    for path in ["/", *PUBLIC]:
        response = client.get(path)
        assert response.status_code == 200, path
        page_checks(response, lang=lang, direction=direction)
        links = footer_links(response)
        assert "/accessibility" in links.values() and "/privacy" in links.values(), path
        assert "/my-data/readers" not in links.values()  # nobody logged in: nothing of theirs to show
    statement = soup(client.get("/accessibility"))
    assert statement.find("a", href="https://www.digg.se/tdosanmalan")
    assert statement.find("a", href="/accessibility/feedback")


def test_the_statement_names_its_known_shortcomings(client):
    statement = soup(client.get("/accessibility"))
    items = [li.get_text(" ", strip=True) for li in statement.find("main").find_all("li")]
    assert any("PDF" in item and "PDF/UA" in item for item in items)  # the documents not yet validated
    languages = swedish(
        "The service is available in Swedish, English, Arabic, Somali, Persian, Tigrinya, Ukrainian "
        "and Finnish. The Somali, Persian, Tigrinya, Ukrainian and Finnish texts have not yet been "
        "checked by professional translators. The other national minority languages are not there "
        "yet. There is no easy-to-read Swedish (lättläst) and no sign language."
    )
    assert languages in items and languages.startswith("Tjänsten")
    assert "WCAG 2.1" in statement.get_text()


def test_the_privacy_notice_lists_every_provider_and_the_real_retention(app, client):
    from portal.application.services import DRAFT_LIFETIME_DAYS

    notice = soup(client.get("/privacy"))
    headings = [h3.get_text(strip=True) for h3 in notice.find_all("h3")]
    with app.test_request_context():
        titles = [str(provider.title) for provider in providers()]
    assert len(titles) >= 9 and all(title in headings for title in titles), (titles, headings)
    assert f"{DRAFT_LIFETIME_DAYS} " in notice.get_text()
    assert notice.find("a", href="https://www.imy.se/")


def test_the_privacy_notice_is_linked_from_the_start_and_the_consent_page(app, client, login):
    assert soup(client.get("/")).find("main").find("a", href="/privacy")
    login(SINGLE_ADULT)
    draft = factories.draft(SINGLE_ADULT)
    consent = client.get(f"/applications/{draft.id}/consent")
    assert consent.status_code == 200
    assert soup(consent).find("main").find("a", href="/privacy#fetched")
    assert "/my-data/readers" in footer_links(consent).values()


# --- feedback --------------------------------------------------------------------------------------


def post_feedback(client, **data):
    page = client.get("/accessibility/feedback")
    return client.post("/accessibility/feedback", data={"csrf_token": csrf_from(page), **data})


def test_bad_feedback_gets_clear_errors_and_keeps_what_was_typed(app, client):
    client.get("/language?lang=ar&next=/")
    response = post_feedback(client, problem="   ", page="صفحة الموافقة", contact="inte-en-adress")
    assert response.status_code == 400
    doc = page_checks(response, lang="ar", direction="rtl")
    summary = doc.find(attrs={"data-error-summary": True}).get_text(" ", strip=True)
    with app.test_request_context(), __import__("flask_babel").force_locale("ar"):
        from flask_babel import gettext

        assert gettext("Describe the problem you met") in summary
        assert gettext("Enter an e-mail address in the right format, like name@example.com") in summary
    assert doc.find("input", attrs={"name": "page"})["value"] == "صفحة الموافقة"
    assert doc.find("input", attrs={"name": "contact"})["value"] == "inte-en-adress"
    long = post_feedback(client, problem="x" * 4001)
    assert long.status_code == 400 and soup(long).find("textarea").get_text() == "x" * 4001
    assert db.session.scalar(select(AccessibilityFeedback)) is None


def test_feedback_reaches_the_operator_without_login(app, client, monkeypatch):
    sent = []
    monkeypatch.setattr("portal.case.notify.send_mail", lambda config, message: sent.append(message))
    response = post_feedback(
        client, problem="Knappen går inte att nå med tangentbordet.", page="/privacy", contact=" Ana@Example.se "
    )
    assert response.status_code == 302 and response.location == "/accessibility/feedback/sent"
    assert page_checks(client.get(response.location))
    stored = db.session.scalar(select(AccessibilityFeedback))
    assert (stored.problem, stored.page, stored.contact, stored.language, stored.emailed) == (
        "Knappen går inte att nå med tangentbordet.",
        "/privacy",
        "Ana@example.se",
        "sv",
        True,
    )
    assert len(sent) == 1 and sent[0]["To"] == app.config["PORTAL"].accessibility_email
    assert "Knappen går inte att nå med tangentbordet." in sent[0].get_content()


def test_feedback_is_kept_when_the_mail_server_is_down(app, client, monkeypatch):
    def down(config, message):
        raise OSError("connection refused")

    monkeypatch.setattr("portal.case.notify.send_mail", down)
    assert post_feedback(client, problem="Kontrasten är för låg.").status_code == 302
    stored = db.session.scalar(select(AccessibilityFeedback))
    assert stored.problem == "Kontrasten är för låg." and stored.emailed is False


# --- who has read my data ----------------------------------------------------------------------------


def test_the_person_sees_the_caseworker_who_opened_their_application(app, client, login):
    application = factories.delivered(factories.sent(SINGLE_ADULT))
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert caseworker.get(f"/municipality/inbox/{application.id}/document.pdf").status_code == 200

    login(SINGLE_ADULT)
    client.get(f"/applications/{application.id}")  # the person's own read: not listed
    page = client.get("/my-data/readers")
    doc = page_checks(page)
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in doc.find("tbody").find_all("tr")]
    opened = [row for row in rows if "Per Handläggare" in row[1]]
    assert opened, rows
    assert swedish("Caseworker") in opened[0][1] and "Uppsala" in opened[0][1]
    assert opened[0][2] == swedish("your application as the municipality received it")
    assert opened[0][3] == "caseworker opens the application document"
    own = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_type == "citizen", AuditEvent.subject_id == application.applicant_id)
    )
    assert any(event.object_type == "reader_list" for event in own)  # looking at the list is itself logged
    assert not any("Anders" in row[1] for row in rows)

    this_month = clock.now().astimezone(clock.SWEDEN).strftime("%Y-%m")
    month = client.get(f"/my-data/readers?month={this_month}")
    assert "Per Handläggare" in soup(month).find("tbody").get_text()
    earlier = (clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    empty = soup(client.get(f"/my-data/readers?month={earlier}"))
    assert empty.find("tbody") is None and "Per Handläggare" not in empty.find("main").get_text()
    bad = client.get("/my-data/readers?month=november")
    assert bad.status_code == 400
    assert swedish("Choose a month from the list") in soup(bad).find(class_="error-summary").get_text()


def test_only_the_person_sees_their_readers(app, client):
    assert client.get("/my-data/readers").status_code in (302, 401, 403)
    idp_login(client, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert client.get("/my-data/readers").status_code == 403


def test_the_municipality_system_and_a_proxy_are_named_as_such(app, client, login):
    from portal.audit.services import record_read
    from portal.auth.actor import Actor

    application = factories.delivered(factories.sent(SINGLE_ADULT))
    token = (
        app.test_client()
        .post(
            "/api/v1/token", data={"grant_type": "client_credentials"}, auth=("uppsala-system", "uppsala-demo-secret")
        )
        .get_json()["access_token"]
    )
    api = app.test_client()
    assert (
        api.get(f"/api/v1/applications/{application.id}", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    # A proxy's read, as the audit records one made under a mandate.
    proxy = Actor(kind="citizen", id="someone-else", name="Lars Berglund", mandate_id="m-1", acting_for="x")
    with app.test_request_context():
        from flask import g

        g.actor = proxy
        record_read("application", application.id, "proxy reads the application", subject_id=application.applicant_id)

    login(SINGLE_ADULT)
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page_checks(client.get("/my-data/readers")).find("tbody").find_all("tr")
    ]
    by_system = [row for row in rows if swedish("The municipality's case system (API)") in row[1]]
    assert by_system and "uppsala-system" in by_system[0][1] and "Uppsala" in by_system[0][1]
    by_proxy = [row for row in rows if "Lars Berglund" in row[1]]
    assert by_proxy and swedish("Your proxy (ombud), under a mandate") in by_proxy[0][1]
