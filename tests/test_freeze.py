"""Submission freezes the exchange document; an invalid one never leaves; receipts."""

from __future__ import annotations

import hashlib
import io
import json

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.application.models import Application
from portal.delivery.models import Delivery, FrozenDocument
from portal.delivery.services import run_once
from portal.exchange import document
from portal.extensions import db
from tests.support import idp_login, send_application, soup
from tests.test_journey import start_application

SINGLE_ADULT = "199006022397"


def test_submission_freezes_a_valid_document_with_its_digest(app, login, client):
    login(SINGLE_ADULT)
    path = start_application(client)
    send_application(client, path, SINGLE_ADULT)
    frozen = db.session.scalar(select(FrozenDocument))
    doc = json.loads(frozen.body)
    document.validate(doc)
    assert frozen.sha256 == hashlib.sha256(frozen.body.encode()).hexdigest() == document.digest(doc)
    assert doc["reference"] == db.session.scalar(select(Application)).reference

    receipt_page = soup(client.get(path))
    assert frozen.sha256 in receipt_page.find("code", class_="digest").get_text()
    pdf = client.get(f"{path}/receipt.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert doc["reference"] in text

    run_once()
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    application_id = path.rsplit("/", 1)[1]
    as_json = caseworker.get(f"/municipality/inbox/{application_id}/document.json")
    assert as_json.data.decode() == frozen.body
    assert as_json.headers["Digest"] == f"sha-256={frozen.sha256}"
    assert caseworker.get(f"/municipality/inbox/{application_id}/document.pdf").data.startswith(b"%PDF-")


def test_an_invalid_document_never_leaves(login, client, monkeypatch):
    login(SINGLE_ADULT)
    path = start_application(client)
    real_build = document.build
    monkeypatch.setattr(document, "build", lambda application, language: {**real_build(application, language),
                                                                           "schemaVersion": 1})
    response = send_application(client, path, SINGLE_ADULT)
    assert response.status_code == 409 and soup(response).find(id="refusal-title") is not None
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(FrozenDocument)) == 0


def test_the_schema_is_served_at_a_stable_url(client):
    response = client.get("/exchange/schema/application-1.1.0.json")
    assert response.status_code == 200 and response.json["$id"].endswith("application-1.1.0.json")
