"""The caseworker's built-in inbox through the web: the list with its filters and search, the
application as received (seals checked, entries, comments, attachments, indication, what was not
fetched), every handling action and what it changes, and messages."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from portal import clock
from portal.application.models import Application
from portal.attachments import services as attachment_services
from portal.attachments.storage import current_storage
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.case.models import Message, SupplementRequest
from portal.consent.models import Consent
from portal.db import utcnow
from portal.delivery.services import run_once
from portal.extensions import db
from portal.information import seal
from portal.information import services as information
from portal.information.models import FetchCall, InformationItem
from portal.submission.models import FrozenDocument
from portal.supplements import services as supplements
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, private_file_checks, soup
from tests.test_attachments_domain import make_pdf

EMMA = "199107172380"  # Stockholm, Södermalm (stockholm-sodermalm)
DANIEL, HANNA = "197911109291", "198808112380"  # Stockholm, Kista (stockholm-rinkeby-kista), married
ANDERS = "199006022397"  # Uppsala, single
LINA = "199001252387"  # Malmö, protected identity


# --- helpers (also used by tests/test_case_access.py) ------------------------------------------------


def applicant_client(app, personnummer):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": personnummer})
    return client


def delivered(personnummer) -> Application:
    """Sent (and, for Daniel and Hanna's joint application, co-signed), then delivered by the worker to
    the built-in inbox."""
    return factories.sent(personnummer)


def caseworker(app, sub):
    """A caseworker's browser, in English (the source language, so these tests do not depend on
    the translations)."""
    client = app.test_client()
    client.set_cookie("portal_lang", "en")
    idp_login(client, "/auth/staff/login", {"subject": sub})
    return client


def case_path(application) -> str:
    return f"/municipality/inbox/{application.id}"


def act(client, application, action, **fields):
    """Post one handling form as the page renders it (prefixed names, the form's CSRF token)."""
    page = client.get(case_path(application))
    assert page.status_code == 200, page.status_code
    prefix = {"not-handled": "nothandled", "messages": "message", "decision": "decision"}.get(action, action)
    data = {f"{prefix}-csrf_token": csrf_from(page)}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(f"{case_path(application)}/{action}", data=data)


def listed(client, **params) -> list[str]:
    page = client.get("/municipality/inbox", query_string=params)
    assert page.status_code == 200
    table = soup(page).find("table")
    return [] if table is None else [row.find("a").get_text(strip=True) for row in table.find("tbody").find_all("tr")]


def refresh(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def kinds(application) -> list[str]:
    return [e.kind for e in refresh(application).events]


def later(days=14) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def plant_item(application, amount_ore=512300, month=date(2026, 10, 1)) -> InformationItem:
    member = application.members[0]
    consent = Consent(
        application_id=application.id,
        member_id=member.id,
        provider="forsakringskassan",
        scope="basic",
        given_by_person_id=application.applicant_id,
    )
    db.session.add(consent)
    db.session.flush()
    item = InformationItem(
        application_id=application.id,
        member_id=member.id,
        consent_id=consent.id,
        provider="forsakringskassan",
        info_set="bostadsbidrag",
        kind="forsakringskassan.bostadsbidrag.payment",
        theme="income",
        period_start=month,
        period_end=month.replace(day=28),
        amount_ore=amount_ore,
        gross=False,
        details={},
        fetched_at=utcnow().replace(microsecond=0),
    )
    item.seal_key_id, item.seal = current_app.extensions["portal.sealer"].seal(seal.fields_of(item))
    db.session.add(item)
    db.session.commit()
    return item


def rich(personnummer=EMMA):
    """Delivered with a sealed item and its comment, a failed fetch, stated incomes, costs, assets,
    a message and a stored PDF about the item."""
    application = factories.draft(personnummer)
    item = plant_item(application)
    information.save_comment(application, item, application.applicant_id, "Bidraget upphörde i oktober.")
    member = application.members[0]
    consent = Consent(
        application_id=application.id,
        member_id=member.id,
        provider="csn",
        scope="basic",
        given_by_person_id=application.applicant_id,
    )
    db.session.add(consent)
    db.session.flush()
    db.session.add(
        FetchCall(
            application_id=application.id,
            member_id=member.id,
            consent_id=consent.id,
            provider="csn",
            info_set="studiemedel",
            status="failed",
            reason="timeout",
            attempts=3,
            finished_at=utcnow(),
        )
    )
    month = application.period
    supplements.add(
        application,
        "incomes",
        {
            "kind": "salary",
            "description": "Timanställning",
            "amount_ore": 250000,
            "month": month,
            "member_id": member.id,
        },
    )
    supplements.add(
        application, "costs", {"category": "rent", "description": None, "amount_ore": 650000, "month": month}
    )
    supplements.add(application, "assets", {"kind": "cash", "description": "Kontanter hemma", "value_ore": 50000})
    supplements.save_text(application, "Jag har blivit av med mitt arbete.")
    pdf = make_pdf()
    attachment = factories.attached(application, pdf, "hyresavi.pdf", description="Hyran", linked_item_id=item.id)
    application = factories.delivered(factories.submitted(application))
    return application, item, attachment, pdf


def audited(action, object_type, object_id=None, actor_id=None) -> int:
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.object_type == object_type)
    )
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    return db.session.scalar(query)


def errors_of(response) -> dict[str, str]:
    """The error summary: link target -> message."""
    summary = soup(response).find(class_="error-summary")
    assert summary is not None, "an error summary"
    return {a["href"].lstrip("#"): a.get_text(strip=True) for a in summary.find_all("a")}


# --- the application as received ---------------------------------------------------------------------


def test_the_application_view_shows_what_was_received_with_verified_seals(app):
    application, item, attachment, pdf = rich()
    worker = caseworker(app, "staff-stockholm-1")
    page = worker.get(case_path(application))
    doc = page_checks(page, "en")
    assert doc.find("h1").get_text(strip=True) == f"Application {application.reference}"
    assert "Emma Sundberg" in doc.find("dl", class_="summary").get_text()
    shown = doc.find(id=f"item-{item.id}")
    assert shown.find(class_="tag--received").get_text(" ", strip=True).startswith("Verified")
    assert doc.find(id="seal-warning") is None
    # The comment sits beside the item it concerns, with the document about it.
    assert "Bidraget upphörde i oktober." in shown.find(class_="comment").get_text()
    link = shown.find("a", string="hyresavi.pdf")
    assert link["href"] == f"{case_path(application)}/attachments/{attachment.id}"
    # The applicant's entries, the indication, and what was not fetched.
    stated = doc.find(id="stated").parent
    for text in ("Timanställning", "Kontanter hemma", "Jag har blivit av med mitt arbete."):
        assert text in stated.get_text()
    assert doc.find(id="indication") is not None
    not_fetched = doc.find(id="not-fetched").find_next("table").get_text()
    assert "CSN" in not_fetched
    assert "Södermalm" in doc.find("dl", class_="summary").get_text()


def test_attachments_open_only_through_the_audited_route(app):
    application, item, attachment, pdf = rich()
    worker = caseworker(app, "staff-stockholm-1")
    before = audited("read", "attachment", attachment.id, "staff-stockholm-1")
    response = worker.get(f"{case_path(application)}/attachments/{attachment.id}")
    private_file_checks(response, pdf)
    assert audited("read", "attachment", attachment.id, "staff-stockholm-1") == before + 1
    # Another unit of the same municipality cannot open it.
    assert (
        caseworker(app, "staff-stockholm-2").get(f"{case_path(application)}/attachments/{attachment.id}").status_code
        == 404
    )
    # A file the applicant has uploaded but not sent is not the municipality's to open.
    unsent = attachment_services.add(
        application.id, application.applicant_id, make_pdf(), "utkast.pdf", current_storage()
    )
    db.session.commit()
    assert worker.get(f"{case_path(application)}/attachments/{unsent.id}").status_code == 404


def test_a_changed_document_or_item_is_shown_with_a_loud_warning(app):
    application, item, attachment, pdf = rich()
    worker = caseworker(app, "staff-stockholm-1")
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    body = json.loads(frozen.body)
    body["fetched"][0]["amountOre"] = 9_999_900
    body["fetched"][0]["source"]["sealedFields"]["amount_ore"] = 9_999_900
    frozen.body = json.dumps(body, ensure_ascii=False)
    db.session.commit()
    doc = page_checks(worker.get(case_path(application)), "en")
    warning = doc.find(id="seal-warning")
    assert warning is not None and warning["role"] == "alert"
    assert "checksum" in warning.get_text() and "1 fetched item does not match" in warning.get_text()
    assert doc.find(id=f"item-{item.id}").find(class_="tag--failed") is not None
    # Shown values that differ from the sealed ones fail too, even with the seal intact.
    body["fetched"][0]["source"]["sealedFields"]["amount_ore"] = 512300
    frozen.body = json.dumps(body, ensure_ascii=False)
    frozen.sha256 = hashlib.sha256(frozen.body.encode()).hexdigest()
    db.session.commit()
    doc = page_checks(worker.get(case_path(application)), "en")
    assert "checksum" not in doc.find(id="seal-warning").get_text()
    assert doc.find(id=f"item-{item.id}").find(class_="tag--failed") is not None
    # A stored item changed after sending is reported as well.
    body["fetched"][0]["amountOre"] = 512300
    frozen.body = json.dumps(body, ensure_ascii=False)
    frozen.sha256 = hashlib.sha256(frozen.body.encode()).hexdigest()
    db.session.get(InformationItem, item.id).amount_ore = 1
    db.session.commit()
    doc = page_checks(worker.get(case_path(application)), "en")
    assert doc.find(id=f"item-{item.id}").find(class_="tag--received") is not None
    assert "1 stored item no longer matches" in doc.find(id="seal-warning").get_text()


def test_a_document_changed_after_the_case_was_opened_is_read_afresh(app):
    """The view keeps the parsed document and its markup by the hash of the document's bytes: opened once, then
    changed in the database, the next request shows the change and warns about it."""
    application, item, attachment, pdf = rich()
    worker = caseworker(app, "staff-stockholm-1")
    doc = page_checks(worker.get(case_path(application)), "en")
    assert doc.find(id="seal-warning") is None
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    body = json.loads(frozen.body)
    body["applicant"]["givenName"] = "Ändrad"
    body["fetched"][0]["amountOre"] = 9_999_900
    frozen.body = json.dumps(body, ensure_ascii=False)
    frozen.sha256 = hashlib.sha256(frozen.body.encode()).hexdigest()
    db.session.commit()
    doc = page_checks(worker.get(case_path(application)), "en")
    assert "Ändrad" in doc.find("dl", class_="summary").get_text()
    assert "1 fetched item does not match" in doc.find(id="seal-warning").get_text()
    assert doc.find(id=f"item-{item.id}").find(class_="tag--failed") is not None


def test_protected_identity_never_shows_address_or_the_others(app):
    application = delivered(LINA)
    assert application.protected
    worker = caseworker(app, "staff-malmo-1")
    doc = page_checks(worker.get(case_path(application)), "en")
    text = doc.get_text()
    assert "Protected identity" in text
    assert doc.find(class_="address") is None
    persons = __import__("pathlib").Path("devstack/testdata/persons").glob("*.json")
    person = json.loads(next(p for p in persons if LINA in p.read_text()).read_text())
    address = person["providers"]["skatteverket"]["folkbokforing"]["Folkbokforingsadress"]
    for secret in (address.get("Utdelningsadress2"), address.get("PostNr")):
        assert secret and secret not in text
    for member in person["providers"]["skatteverket"]["folkbokforing"].get("Hushall") or []:
        assert member["Namn"]["Fornamn"] not in text and member["Identitetsbeteckning"] not in text


# --- the list ------------------------------------------------------------------------------------------


def test_inbox_lists_filters_and_searches(app):
    first = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-3")
    second = delivered(DANIEL)
    page = worker.get("/municipality/inbox")
    doc = page_checks(page, "en")
    assert set(listed(worker)) == {first.reference, second.reference}
    nav = doc.find("nav", attrs={"aria-label": "Inbox filters"})
    assert nav.find("a", attrs={"aria-current": "page"}).get_text(strip=True) == "All"
    assert [a.get_text(strip=True) for a in nav.find_all("a")] == [
        "All",
        "New",
        "Mine",
        "Waiting for the applicant",
        "Supplemented",
        "Decided",
        "Appealed",
    ]
    assert set(listed(worker, filter="new")) == {first.reference, second.reference}

    assert act(worker, first, "register").status_code == 302
    assert listed(worker, filter="new") == [second.reference]
    assert act(worker, first, "assign").status_code == 302
    assert listed(worker, filter="mine") == [first.reference]
    assert (
        act(
            worker,
            first,
            "supplement",
            what="Hyreskontrakt",
            why="För att se boendekostnaden",
            due_date=later(),
            item="",
        ).status_code
        == 302
    )
    assert listed(worker, filter="waiting") == [first.reference]
    assert listed(worker, filter="supplemented") == []
    number = refresh(first).case_number

    # Search: exact, case-insensitive, trimmed; by reference or case number.
    assert listed(worker, q=f"  {first.reference.lower()} ") == [first.reference]
    assert listed(worker, q=number.lower()) == [first.reference]
    assert listed(worker, q=first.reference[:-1]) == []
    row = soup(worker.get("/municipality/inbox", query_string={"q": number})).find("tbody").find("tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[1] == "Emma Sundberg" and cells[2] == number and cells[4] == "Under handling"
    assert "Eva Mottagning" in cells[6]
    assert audited("read", "inbox", "0180/*", "staff-stockholm-3") >= 8


def test_an_inbox_row_shows_the_case_as_it_is_now(app):
    """Each row's markup is kept by the row's values (portal/municipality/render.py): listed once, then changed,
    the case's row shows the change on the next listing."""
    first = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-3")

    def cells() -> list[str]:
        row = soup(worker.get("/municipality/inbox")).find("tbody").find("tr")
        return [td.get_text(" ", strip=True) for td in row.find_all("td")]

    before = cells()
    assert before[2] == "–" and before[6] == "–" and "unread" not in before[7]
    assert act(worker, first, "register").status_code == 302
    assert act(worker, first, "assign").status_code == 302
    case.send_message(refresh(first), case.APPLICANT, "Emma Sundberg", "Hyran har höjts.")
    db.session.commit()
    after = cells()
    assert after[2] == refresh(first).case_number and after[4] != before[4]
    assert "Eva Mottagning" in after[6] and "1 unread message" in after[7]


def test_an_emergency_application_is_marked_with_its_reason_beside_the_first(app):
    """One application per person and month; the explicit second one (issue 15, point 4) is shown as
    an emergency application in the inbox, with its reason and a link to the first in the view."""
    first = delivered(EMMA)
    second = factories.draft(EMMA, first.period)
    second.emergency, second.emergency_reason = True, "Plånboken stulen, inga pengar till mat."
    db.session.commit()
    second = factories.delivered(factories.submitted(second))
    worker = caseworker(app, "staff-stockholm-3")
    rows = soup(worker.get("/municipality/inbox")).find("tbody").find_all("tr")
    cells = {r.find("a").get_text(strip=True): [td.get_text(" ", strip=True) for td in r.find_all("td")] for r in rows}
    assert cells[first.reference][1] == cells[second.reference][1] == "Emma Sundberg"
    assert "Emergency application" in cells[second.reference][-1]
    assert "Emergency application" not in cells[first.reference][-1]
    doc = page_checks(worker.get(case_path(second)), "en")
    notice = doc.find(id="emergency")
    assert "Plånboken stulen, inga pengar till mat." in notice.get_text()
    assert doc.find(id="same-month").find("a")["href"] == case_path(first)
    first_page = page_checks(worker.get(case_path(first)), "en")
    assert first_page.find(id="emergency") is None
    assert "emergency application" in first_page.find(id="same-month").get_text()


def test_the_application_comes_before_the_handling_forms(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-3")
    html = worker.get(case_path(application)).get_data(as_text=True)
    assert 0 < html.index('id="received"') < html.index('id="handling"')
    assert html.index('id="received"') < html.index(f'action="/municipality/inbox/{application.id}/')


def test_supplemented_and_unread_flags_until_the_caseworker_marks_them_seen(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    act(worker, application, "register")
    act(worker, application, "supplement", what="Hyreskontrakt", why="Boendekostnaden", due_date=later(), item="")
    request = db.session.scalar(select(SupplementRequest))
    proof = attachment_services.add(
        application.id, application.applicant_id, make_pdf(), "kontrakt.pdf", current_storage()
    )
    db.session.commit()
    case.answer_request(db.session.get(SupplementRequest, request.id), "Här är kontraktet.", [proof.id])
    case.send_message(refresh(application), case.APPLICANT, "Emma Sundberg", "Jag har skickat kontraktet.")

    assert listed(worker, filter="supplemented") == [application.reference]
    assert listed(worker, filter="waiting") == []
    flags = soup(worker.get("/municipality/inbox")).find("tbody").find("tr").find_all("td")[7].get_text(" ")
    assert "Supplemented" in flags and "1 unread message" in flags

    doc = page_checks(worker.get(case_path(application)), "en")
    answer = doc.find(id="requests").get_text()
    assert "Här är kontraktet." in answer
    link = doc.find(id="requests").find("a", string="kontrakt.pdf")
    assert worker.get(link["href"]).data.startswith(b"%PDF-")
    messages = doc.find(id="messages")
    assert "Jag har skickat kontraktet." in messages.get_text() and messages.find(class_="tag--submitted")
    new = doc.find(id="new-from-applicant").get_text(" ", strip=True)
    assert "1 new answer to a supplement request" in new and "1 new message" in new
    # Opening the case marks nothing (a GET changes nothing: issue 13); the caseworker marks them seen.
    db.session.expire_all()
    assert db.session.get(SupplementRequest, request.id).answer_seen_at is None
    assert db.session.scalar(select(Message)).read_at is None
    assert listed(worker, filter="supplemented") == [application.reference]
    done = act(worker, application, "seen")
    assert done.status_code == 302
    assert "marked as seen" in page_checks(worker.get(done.headers["Location"]), "en").get_text()
    # Seen: no longer supplemented or unread, and "new" is not shown again.
    db.session.expire_all()
    assert db.session.get(SupplementRequest, request.id).answer_seen_at is not None
    assert db.session.scalar(select(Message)).read_at is not None
    assert listed(worker, filter="supplemented") == []
    flags = soup(worker.get("/municipality/inbox")).find("tbody").find("tr").find_all("td")[6].get_text(" ")
    assert "Supplemented" not in flags and "unread" not in flags
    again = page_checks(worker.get(case_path(application)), "en")
    assert again.find(id="messages").find(class_="tag--submitted") is None
    assert again.find(id="new-from-applicant") is None


# --- handling actions ------------------------------------------------------------------------------


def test_register_start_interim_decide_pay_and_close(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    year = clock.today().year  # the Swedish year, as case numbers have

    response = act(worker, application, "register")
    assert response.status_code == 302 and response.location == case_path(application)
    page = page_checks(worker.get(case_path(application)), "en")
    assert f"Case number: EB-{year}-000001" in page.find(class_="notice", role="status").get_text()
    assert refresh(application).status == "received" and refresh(application).case_number == f"EB-{year}-000001"
    assert "Arrival registered" in page.find(id="timeline").get_text()

    assert act(worker, application, "start").status_code == 302
    assert refresh(application).status == "under_handling"
    assert act(worker, application, "assign").status_code == 302
    assert refresh(application).assigned_to == "staff-stockholm-1"
    page = page_checks(worker.get(case_path(application)), "en")
    assert "Karin Handläggare" in page.find("dl", class_="summary").get_text()
    assert page.find("form", action=f"{case_path(application)}/assign") is None  # already mine

    assert (
        act(worker, application, "interim", text="Vi behöver några dagar till.", expected_by=later(10)).status_code
        == 302
    )
    event = refresh(application).events[-1]
    assert event.kind == "interim_reply" and event.data["expected_by"] == later(10)

    response = act(
        worker,
        application,
        "decision",
        outcome="partly_granted",
        amount="7 450",
        period_start="2026-12-01",
        period_end="2026-12-31",
        reasoning="Hyran är över skälig nivå.",
    )
    assert response.status_code == 302
    assert refresh(application).status == "decided"
    page = page_checks(worker.get(case_path(application)), "en")
    decisions = page.find(id="decisions")
    assert "Partly granted" in decisions.get_text() and "7" in decisions.get_text()
    pdf = worker.get(decisions.find("a")["href"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.mimetype == "application/pdf"
    assert audited("read", "decision", actor_id="staff-stockholm-1") == 1
    assert page.find("form", action=f"{case_path(application)}/decision") is None

    assert (
        act(
            worker, application, "payment", state="planned", amount="7450", due_date="2026-12-03", external_ref="P-1"
        ).status_code
        == 302
    )
    assert (
        act(
            worker, application, "payment", state="paid", amount="7450", due_date="2026-12-03", external_ref="P-1"
        ).status_code
        == 302
    )
    rows = page_checks(worker.get(case_path(application)), "en").find(id="payments").find("tbody").find_all("tr")
    assert len(rows) == 1 and "Paid" in rows[0].get_text()

    assert act(worker, application, "close").status_code == 302
    assert refresh(application).status == "closed"
    page = page_checks(worker.get(case_path(application)), "en")
    assert page.find(id="handling").find("form") is None and page.find(id="messages").find("form") is None
    assert kinds(application)[-8:] == [
        "received",
        "under_handling",
        "assigned",
        "interim_reply",
        "decision",
        "payment",
        "payment",
        "closed",
    ]


def test_form_errors_are_translated_and_keep_what_was_typed(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    act(worker, application, "register")

    response = act(
        worker,
        application,
        "decision",
        outcome="granted",
        amount="",
        period_start="2026-12-01",
        period_end="2026-11-01",
        reasoning="Beviljas enligt norm.",
    )
    assert response.status_code == 400
    doc = page_checks(response, "en")
    assert doc.title.get_text().startswith("Error:")
    assert errors_of(response) == {
        "decision-amount": "Enter the amount granted in whole kronor",
        "decision-period_end": "The period must end on or after the day it starts",
    }
    assert doc.find(id="decision-reasoning").get_text() == "Beviljas enligt norm."
    assert doc.find(id="decision-period_start")["value"] == "2026-12-01"
    assert doc.find(id="action-decision").has_attr("open")
    assert refresh(application).status == "received"

    past = (clock.today() - timedelta(days=1)).isoformat()
    response = act(worker, application, "supplement", what="Lönespecifikation", why="", due_date=past, item="")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"supplement-why"}
    response = act(worker, application, "supplement", what="Lönespecifikation", why="Inkomsten", due_date=past, item="")
    assert errors_of(response) == {"supplement-due_date": "The due date must be today or later"}
    assert soup(response).find(id="supplement-what")["value"] == "Lönespecifikation"
    response = act(
        worker, application, "supplement", what="Lönespecifikation", why="Inkomsten", due_date="31/12/2026", item=""
    )
    assert "supplement-due_date" in errors_of(response)
    assert db.session.scalar(select(func.count()).select_from(SupplementRequest)) == 0

    # Amount and period matter only when granting: a refusal ignores what was left there.
    response = act(
        worker,
        application,
        "decision",
        outcome="refused",
        amount="sju",
        period_start="x",
        period_end="",
        reasoning="Inkomsten räcker.",
    )
    assert response.status_code == 302
    assert refresh(application).status == "decided" and case.decisions(refresh(application))[0].amount is None
    application = delivered(DANIEL)
    worker = caseworker(app, "staff-stockholm-2")
    act(worker, application, "register")

    response = act(worker, application, "forward", destination="", reason="")
    assert set(errors_of(response)) == {"forward-destination", "forward-reason"}
    response = act(worker, application, "messages", body="   ")
    assert set(errors_of(response)) == {"message-body"}


def test_an_action_that_no_longer_fits_the_status_is_refused_clearly(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    page = worker.get(case_path(application))
    response = worker.post(f"{case_path(application)}/start", data={"start-csrf_token": csrf_from(page)})
    assert response.status_code == 409
    doc = page_checks(response, "en")
    assert doc.find(class_="error-summary", role="alert") is not None
    assert refresh(application).status == "submitted"
    # Without a CSRF token nothing happens.
    assert worker.post(f"{case_path(application)}/register").status_code == 400
    assert refresh(application).status == "submitted"


def test_supplement_request_tied_to_an_item(app):
    application, item, attachment, pdf = rich()
    worker = caseworker(app, "staff-stockholm-1")
    act(worker, application, "register")
    doc = soup(worker.get(case_path(application)))
    options = [o["value"] for o in doc.find(id="supplement-item").find_all("option")]
    assert options == ["", str(item.id)]
    assert (
        act(
            worker,
            application,
            "supplement",
            what="Beslut om bostadsbidrag",
            why="Det upphörde",
            due_date=later(),
            item=str(item.id),
        ).status_code
        == 302
    )
    request = db.session.scalar(select(SupplementRequest))
    assert request.item_id == item.id and request.requested_by == "Karin Handläggare"
    doc = page_checks(worker.get(case_path(application)), "en")
    assert "Beslut om bostadsbidrag" in doc.find(id=f"item-{item.id}").get_text()
    assert act(worker, application, "supplement", what="X", why="Y", due_date=later(), item="999999").status_code == 400


def test_will_not_be_handled_with_a_reason(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    assert act(worker, application, "not-handled", reason="Dubblett av en annan ansökan.").status_code == 302
    application = refresh(application)
    assert application.status == "not_handled"
    assert application.events[-1].data == {"reason": "Dubblett av en annan ansökan."}
    doc = page_checks(worker.get(case_path(application)), "en")
    assert "Dubblett av en annan ansökan." in doc.find(id="timeline").get_text()
    assert doc.find(id="handling").find("form") is None


def test_forward_to_another_unit_and_to_another_municipality(app):
    application = delivered(EMMA)
    sodermalm = caseworker(app, "staff-stockholm-1")
    kista = caseworker(app, "staff-stockholm-2")
    act(sodermalm, application, "register")
    response = act(
        sodermalm,
        application,
        "forward",
        destination="unit:stockholm-rinkeby-kista",
        reason="Bor i Kista sedan oktober.",
    )
    assert response.status_code == 302 and response.location == "/municipality/inbox"
    assert sodermalm.get(case_path(application)).status_code == 404
    assert listed(sodermalm) == []
    assert listed(kista) == [application.reference]
    application = refresh(application)
    assert application.inbox_id == "stockholm-rinkeby-kista" and application.status == "received"
    doc = page_checks(kista.get(case_path(application)), "en")
    timeline = doc.find(id="timeline").get_text()
    assert "Rinkeby-Kista" in timeline and "Bor i Kista sedan oktober." in timeline

    response = act(kista, application, "forward", destination="municipality:1480", reason="Har flyttat.")
    assert response.status_code == 302
    assert kista.get(case_path(application)).status_code == 404
    goteborg = caseworker(app, "staff-goteborg-1")
    assert listed(goteborg) == []  # not delivered yet
    run_once()
    assert listed(goteborg, filter="new") == [refresh(application).reference]
    act(goteborg, application, "register")
    assert refresh(application).case_number == f"EB-{clock.today().year}-000001"  # Göteborg's own series


def test_messages_both_ways(app):
    application = delivered(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    assert act(worker, application, "messages", body="Kan du skicka hyresavin?", reply_requested="y").status_code == 302
    message = db.session.scalar(select(Message))
    assert (message.sender, message.author_name, message.reply_requested) == ("municipality", "Karin Handläggare", True)
    doc = page_checks(worker.get(case_path(application)), "en")
    shown = doc.find(id="messages").find("li")
    assert "Kan du skicka hyresavin?" in shown.get_text() and "Not yet read by the applicant" in shown.get_text()
    case.mark_read(refresh(application), case.APPLICANT)
    proof = attachment_services.add(application.id, application.applicant_id, make_pdf(), "avi.pdf", current_storage())
    db.session.commit()
    case.send_message(
        refresh(application),
        case.APPLICANT,
        "Emma Sundberg",
        "Här är den.",
        in_reply_to=message.id,
        attachment_ids=[proof.id],
    )
    doc = page_checks(worker.get(case_path(application)), "en")
    items = doc.find(id="messages").find_all("li", class_="check-section")
    assert "Read by the applicant" in items[0].get_text()
    assert "Här är den." in items[1].get_text() and items[1].find(class_="tag--submitted") is not None
    assert worker.get(items[1].find("a", string="avi.pdf")["href"]).status_code == 200
    assert kinds(application)[-2:] == ["message", "message"]


def test_the_list_pages_without_javascript(app, monkeypatch):
    from portal.municipality import services as inbox_services

    monkeypatch.setattr(inbox_services, "PAGE_SIZE", 1)
    first, second = delivered(EMMA), delivered(DANIEL)
    worker = caseworker(app, "staff-stockholm-3")
    page_one = page_checks(worker.get("/municipality/inbox"), "en")
    assert listed(worker) == [second.reference]  # newest first
    link = page_one.find("a", rel="next")
    assert link is not None and page_one.find("a", rel="prev") is None
    page_two = page_checks(worker.get(link["href"]), "en")
    assert [a.get_text(strip=True) for a in page_two.find("tbody").find_all("a")] == [first.reference]
    assert page_two.find("a", rel="next") is None and page_two.find("a", rel="prev") is not None
