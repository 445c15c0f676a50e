"""Attachments through the web: upload, sniffed type, limits, authorised download, removal."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.extensions import db
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, private_file_checks, soup
from tests.test_attachments_domain import EXE, make_pdf, make_png

SINGLE_ADULT = "199006022397"
OTHER = "196108283166"


def upload(client, path, data, name, **fields):
    page = client.get(f"{path}/attachments")
    form = {"csrf_token": csrf_from(page), "file": (io.BytesIO(data), name), "documents": "", **fields}
    return client.post(f"{path}/attachments", data=form, content_type="multipart/form-data")


def test_upload_list_download_and_remove(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    pdf = make_pdf()
    response = upload(client, path, pdf, "Hyreskontrakt 2026.pdf", description="Hyresavtal för lägenheten")
    assert response.status_code == 302
    page = client.get(f"{path}/attachments")
    doc = page_checks(page)
    link = doc.find("a", string="Hyreskontrakt 2026.pdf")
    download = client.get(link["href"])
    private_file_checks(download, pdf)
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    remove = doc.find("form", action=lambda a: a and a.endswith("/remove"))
    assert client.post(remove["action"], data={"csrf_token": csrf_from(page)}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_an_exe_renamed_pdf_is_refused_and_the_description_kept(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    response = upload(client, path, EXE, "hyra.pdf", description="Mitt hyresavtal ✓")
    assert response.status_code == 400
    doc = page_checks(response)
    assert doc.find(class_="error-summary").find("a")["href"] == "#file"
    assert "PDF, JPG" in doc.find(id="file-error").get_text() or "PDF, JPG" in doc.find(id="file-error").get_text()
    assert doc.find("input", id="description")["value"] == "Mitt hyresavtal ✓"
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_12_mb_file_gets_a_clear_error(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    big = make_pdf() + b"%" * (12 * 1024 * 1024)
    response = upload(client, path, big, "stor.pdf", description="kvar")
    assert response.status_code == 400
    doc = page_checks(response)
    assert "10 MB" in doc.find(id="file-error").get_text()
    assert doc.find("input", id="description")["value"] == "kvar"


def test_encrypted_pdf_and_missing_file(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    assert upload(client, path, make_pdf(password="hemligt"), "låst.pdf").status_code == 400
    page = client.get(f"{path}/attachments")
    response = client.post(
        f"{path}/attachments", data={"csrf_token": csrf_from(page), "documents": ""}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    page_checks(response)


def test_at_most_30_files(login, client):
    login(SINGLE_ADULT)
    application = factories.draft(SINGLE_ADULT)
    path = f"/applications/{application.id}"
    png = make_png()
    for number in range(29):  # through the service: the page's own rate limit allows 20 uploads in 10 minutes
        factories.attached(application, png, f"kvitto-{number}.png")
    assert upload(client, path, png, "kvitto-29.png").status_code == 302
    refused = upload(client, path, png, "en-till.png")
    assert refused.status_code == 400
    assert "30" in soup(refused).find(id="file-error").get_text()


def test_nobody_else_can_open_an_attachment(app, login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    upload(client, path, make_png(), "bild.png")
    href = soup(client.get(f"{path}/attachments")).find("a", string="bild.png")["href"]
    other = app.test_client()
    idp_login(other, "/auth/login", {"subject": OTHER})
    assert other.get(href).status_code == 404
    assert app.test_client().get(href).status_code == 302  # anonymous: asked to log in


MARIA, JOHAN, ELIN = "196108283166", "196201082697", "200304302383"  # the Lindqvists; Elin is 23


def _client_of(app, number):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": number})
    return client


def test_the_applicant_s_files_are_for_the_applicant_and_the_co_signer_only(app):
    """The rule (portal/auth/access.py, ``joint``): the applicant and the co-applicant who signs the joint
    application open its files; an adult child of the household does not, by direct URL either."""
    maria = factories.person(MARIA)
    application = factories.draft(maria)
    johan, elin = factories.person(JOHAN), factories.person(ELIN)  # their logins link them to the draft
    assert {m.person_id for m in application.members} >= {maria.id, johan.id, elin.id}
    pdf = make_pdf()
    attachment = factories.attached(application, pdf, "hyra.pdf")
    url = f"/applications/{application.id}/attachments/{attachment.id}"
    assert _client_of(app, MARIA).get(url).data == pdf
    assert _client_of(app, JOHAN).get(url).data == pdf  # the co-signer reads what he signs
    daughter = _client_of(app, ELIN)
    assert daughter.get(url).status_code == 404  # a household member, not a signer: as if it were not there
    assert daughter.get(f"/applications/{application.id}/attachments").status_code == 404  # the list: the applicant's
    assert daughter.get(f"/applications/{application.id}").status_code == 200  # the household's page is hers too


def test_a_household_member_sees_only_what_concerns_them(app):
    """Before consenting (and as an adult child, after too) a household member sees their own fetched
    information only, never the parents' sjukpenning or bank balances, nor the indication of the household."""
    from portal.auth import household
    from portal.information.services import items

    maria = factories.person(MARIA)
    application = factories.with_consents(factories.draft(maria))
    johan, elin = factories.person(JOHAN), factories.person(ELIN)  # their logins link them to the draft
    factories.with_consents(application, by=elin)
    members = {m.person_id: m.id for m in application.members}
    everything = items(application)
    assert {i.member_id for i in everything} >= {members[maria.id], members[elin.id]}
    assert household.visible_member_ids(application, maria.id) is None  # the applicant: all
    elins = household.only_visible(everything, application, elin.id)
    assert elins and {i.member_id for i in elins} == {members[elin.id]}
    # Johan, the co-applicant: only his own until he consents, then the joint application
    assert household.visible_member_ids(application, johan.id) == {members[johan.id]}
    factories.with_consents(application, by=johan)
    assert household.visible_member_ids(application, johan.id) is None

    # the information page as each reads it: Maria every member's, Elin her own only
    def headings(number):
        page = _client_of(app, number).get(f"/applications/{application.id}/information")
        assert page.status_code == 200
        return " | ".join(h.get_text(" ", strip=True) for h in soup(page).find("main").find_all("h2"))

    assert "Maria Lindqvist" in headings(MARIA) and "Elin Lindqvist" in headings(MARIA)
    assert "Elin Lindqvist" in headings(ELIN) and "Maria Lindqvist" not in headings(ELIN)
    # the indication is the household's: not for Elin
    assert _client_of(app, ELIN).get(f"/applications/{application.id}/indication").status_code == 404
    assert _client_of(app, MARIA).get(f"/applications/{application.id}/indication").status_code == 200
