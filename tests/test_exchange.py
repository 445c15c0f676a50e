"""The exchange document: built, validated against the published schema, every value with its
source, seals verifiable by a receiver, protected identity respected, rendered as PDF."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader
from sqlalchemy import select

from portal.application.models import Application, HouseholdMember
from portal.consent.models import Consent
from portal.db import utcnow
from portal.exchange import document, pdf
from portal.extensions import db
from portal.information import seal
from portal.information import services as information
from portal.information.models import FetchCall
from portal.supplements import services as supplements
from tests import factories
from tests.test_attachments_domain import make_pdf
from tests.test_items import plant_item
from tests.test_journey import FAMILY, PROTECTED, SINGLE_ADULT

SCHEMA_PATH = "/exchange/schema/application-1.2.0.json"


def _application() -> Application:
    return db.session.scalar(select(Application))


def plant_failed_call(application: Application, reason: str = "timeout") -> FetchCall:
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
    call = FetchCall(
        application_id=application.id,
        member_id=member.id,
        consent_id=consent.id,
        provider="csn",
        info_set="studiemedel",
        status="failed",
        reason=reason,
        attempts=3,
        finished_at=utcnow(),
    )
    db.session.add(call)
    db.session.commit()
    return call


def full_application(person=SINGLE_ADULT):
    """An application with a sealed item and its comment, a failed call, stated incomes,
    costs, assets, a message and an attachment."""
    application = factories.draft(person)
    application, item = plant_item(512300, date(2026, 10, 1), application=application)
    information.save_comment(application, item, application.applicant_id, "Utbetalningen upphörde i oktober.")
    plant_failed_call(application)
    month = application.period
    supplements.add(
        application,
        "incomes",
        {
            "kind": "salary",
            "description": "Timanställning",
            "amount_ore": 250000,
            "month": month,
            "member_id": application.members[0].id,
        },
    )
    supplements.add(
        application, "costs", {"category": "rent", "description": None, "amount_ore": 650000, "month": month}
    )
    supplements.add(application, "assets", {"kind": "cash", "description": "Kontanter hemma", "value_ore": 50000})
    supplements.save_text(application, "Jag har blivit av med mitt arbete. Tack på förhand!")
    factories.attached(
        application, make_pdf(), "hyresavi.pdf", description="Hyran för november", linked_item_id=item.id
    )
    return application, item


def test_built_document_validates_and_marks_every_source(app):
    application, item = full_application()
    doc = document.build(application, "sv")
    document.validate(doc)
    assert doc["schemaVersion"] == document.SCHEMA_VERSION == "1.2.0"
    assert doc["reference"] == application.reference and doc["period"]["month"] == f"{application.period:%Y-%m}"
    assert doc["municipality"] == {"code": "0380", "name": "Uppsala"}
    assert doc["applicant"]["personnummer"] == SINGLE_ADULT and doc["protected"] is False
    assert doc["submittedAt"] is None

    [fetched] = doc["fetched"]
    assert fetched["source"]["kind"] == "system" and fetched["source"]["provider"] == "forsakringskassan"
    assert fetched["amountOre"] == 512300 and fetched["gross"] is False and fetched["theme"] == "income"
    assert fetched["label"] and fetched["label"] != fetched["kind"]  # a plain Swedish label
    assert [c["text"] for c in fetched["comments"]] == ["Utbetalningen upphörde i oktober."]
    assert fetched["comments"][0]["source"]["kind"] == "applicant" and fetched["comments"][0]["itemId"] == item.id

    stated = doc["applicantStated"]
    applicant_values = (
        stated["incomes"]["entries"]
        + stated["costs"]["entries"]
        + stated["assets"]["entries"]
        + [stated["message"]]
        + doc["attachments"]
    )
    assert len(applicant_values) == 5
    assert all(value["source"]["kind"] == "applicant" for value in applicant_values)
    assert stated["incomes"]["entries"][0]["amountOre"] == 250000
    assert stated["assets"]["totalOre"] == 50000
    assert doc["attachments"][0]["linkedItemId"] == item.id and doc["attachments"][0]["sha256"]

    indication = doc["indication"]
    assert indication["preliminary"] is True
    if indication["available"]:
        assert isinstance(indication["resultOre"], int) and isinstance(indication["year"], int)

    consents = {(c["provider"], c["scope"]) for c in doc["consents"]}
    assert ("forsakringskassan", "basic") in consents and ("csn", "basic") in consents

    # Submitted: the time is ISO 8601 UTC, and the document still validates.
    factories.submitted(application)
    db.session.expire_all()
    submitted = document.build(_application(), "ar")
    document.validate(submitted)
    assert submitted["submittedAt"].endswith("Z") and submitted["language"] == "ar"


def test_every_fetched_value_carries_a_seal_a_receiver_can_verify(app, client):
    application, _ = full_application()
    plant_item(100000, date(2026, 9, 1), application=application)
    doc = document.build(application, "sv")
    assert len(doc["fetched"]) == 2
    sealer = app.extensions["portal.sealer"]
    published = {key["kid"]: key for key in client.get("/.well-known/seal-keys.json").json["keys"]}
    for item in doc["fetched"]:
        source = item["source"]
        assert source["kind"] == "system" and source["seal"]["alg"] == "EdDSA"
        assert tuple(sorted(source["sealedFields"])) == tuple(sorted(seal.SEALED_FIELDS))
        assert sealer.verify(source["sealedFields"], source["seal"]["kid"], source["seal"]["signature"])
        # As a receiver: recompute the bytes, verify with the published key only.
        key = published[source["seal"]["kid"]]
        raw = base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
        signature = base64.urlsafe_b64decode(source["seal"]["signature"] + "==")
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, seal.canonical(source["sealedFields"]))
        # The shown values are the sealed ones.
        assert item["amountOre"] == source["sealedFields"]["amount_ore"]
        assert source["sealedFields"]["application_id"] == doc["applicationId"]
    # Tampering is detectable.
    tampered = copy.deepcopy(doc["fetched"][0]["source"])
    tampered["sealedFields"]["amount_ore"] += 1
    assert not sealer.verify(tampered["sealedFields"], tampered["seal"]["kid"], tampered["seal"]["signature"])


def test_a_failed_fetch_is_listed_as_not_fetched(app):
    application, _ = full_application()
    doc = document.build(application, "sv")
    [missing] = doc["notFetched"]
    assert missing["provider"] == "csn" and missing["set"] == "studiemedel" and missing["reason"] == "timeout"
    assert missing["memberId"] == application.members[0].id
    assert "CSN" in missing["reasonText"]


def test_what_could_not_be_fetched_is_an_expected_document_in_swedish(app):
    application, _ = full_application()
    doc = document.build(application, "sv")
    document.validate(doc)
    member = application.members[0].id
    [statement] = [d for d in doc["expectedDocuments"] if d["kind"] == "provider_statement"]
    assert statement["requirement"] == f"provider_statement:csn:{member}" and statement["memberId"] == member
    assert statement["title"] == "Ett intyg, beslut eller utbetalningsbesked från CSN"
    assert statement["reason"].startswith("Vi kunde inte hämta dina uppgifter från CSN.")
    assert statement["status"] == "missing"


def test_household_members_have_name_and_birth_date_but_no_personnummer(app):
    application = factories.draft(FAMILY)
    assert len(application.members) > 1
    doc = document.build(application, "sv")
    document.validate(doc)
    others = doc["household"]["members"]
    assert len(others) == len(application.members) - 1 == doc["household"]["otherMembersCount"]
    assert all(m["givenName"] and "birthDate" in m and "personnummer" not in m for m in others)
    assert doc["address"] and doc["address"]["postTown"]
    text = json.dumps(doc)
    for member in application.members[1:]:
        if member.personnummer:
            assert member.personnummer not in text


def test_protected_identity_leaves_out_address_and_the_others_details(app):
    application = factories.draft(PROTECTED)
    assert application.protected
    # Even if something about the others were stored, the document must not carry it.
    application.street, application.postal_code, application.post_town = "Hemliga gatan 1", "21111", "Malmö"
    application.members.append(
        HouseholdMember(
            position=1,
            relation="child",
            given_name="Hemlig",
            family_name="Persson",
            birth_date=date(2015, 3, 4),
            personnummer="201503042388",
        )
    )
    db.session.commit()
    doc = document.build(application, "sv")
    document.validate(doc)
    assert doc["protected"] is True and "address" not in doc
    assert doc["applicant"]["personnummer"] == PROTECTED and doc["applicant"]["givenName"]
    assert doc["household"]["otherMembersCount"] == 1
    assert doc["household"]["members"] == [
        {"memberId": application.members[1].id, "relation": "child", "relationLabel": "Barn", "coApplicant": False}
    ]
    text = json.dumps(doc, ensure_ascii=False)
    for secret in ("Hemliga gatan", "21111", "Hemlig", "Persson", "2015-03-04", "201503042388"):
        assert secret not in text
    # And a protected document that has them is refused.
    leaky = copy.deepcopy(doc)
    leaky["address"] = {"street": "Hemliga gatan 1", "postalCode": "21111", "postTown": "Malmö"}
    leaky["household"]["members"][0]["givenName"] = "Hemlig"
    with pytest.raises(document.InvalidDocument) as refused:
        document.validate(leaky)
    assert "/address: must not be present" in refused.value.errors
    assert "/household/members/0/givenName: must not be present" in refused.value.errors
    text = pdf.render(doc)
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(text)).pages)
    assert "Hemlig" not in extracted and "SKYDDADE PERSONUPPGIFTER" in extracted


def test_an_invalid_document_is_refused_with_readable_errors(app):
    application, _ = full_application()
    doc = document.build(application, "sv")

    unsealed = copy.deepcopy(doc)
    del unsealed["fetched"][0]["source"]["seal"]
    with pytest.raises(document.InvalidDocument) as refused:
        document.validate(unsealed)
    assert refused.value.errors == ["/fetched/0/source: 'seal' is a required property"]

    wrong = copy.deepcopy(doc)
    wrong["applicantStated"]["incomes"]["entries"][0]["amountOre"] = "2500"
    wrong["submittedAt"] = "yesterday"
    wrong["fetched"][0]["source"]["kind"] = "applicant"
    with pytest.raises(document.InvalidDocument) as refused:
        document.validate(wrong)
    errors = refused.value.errors
    assert "/applicantStated/incomes/entries/0/amountOre: '2500' is not of type 'integer'" in errors
    assert any(e.startswith("/submittedAt:") for e in errors)
    assert "/fetched/0/source/kind: 'system' was expected" in errors

    changed = copy.deepcopy(doc)
    changed["fetched"][0]["amountOre"] = 1  # shown value no longer the sealed one
    with pytest.raises(document.InvalidDocument) as refused:
        document.validate(changed)
    assert refused.value.errors == ["/fetched/0/amountOre: 1 differs from the sealed amount_ore 512300"]

    extra = copy.deepcopy(doc)
    extra["fetched"][0]["source"]["sealedFields"]["note"] = "not signed"
    with pytest.raises(document.InvalidDocument):
        document.validate(extra)

    # Unknown properties elsewhere are fine: receivers ignore what they do not know.
    future = copy.deepcopy(doc)
    future["schemaVersion"] = "1.3.0"
    future["somethingNew"] = {"x": 1}
    future["fetched"][0]["alsoNew"] = True
    document.validate(future)


def test_digest_is_stable_across_key_order(app):
    application, _ = full_application()
    doc = document.build(application, "sv")
    reordered = json.loads(json.dumps(doc, sort_keys=True))
    reversed_keys = {key: doc[key] for key in reversed(list(doc))}
    assert document.digest(doc) == document.digest(reordered) == document.digest(reversed_keys)
    assert document.digest(doc) == hashlib.sha256(document.canonical_bytes(doc)).hexdigest()
    assert document.canonical_bytes({"b": "å", "a": [1, 2]}) == '{"a":[1,2],"b":"å"}'.encode()
    assert document.digest(document.build(application, "sv")) == document.digest(doc)  # rebuilt: same
    changed = copy.deepcopy(doc)
    changed["applicantStated"]["message"]["text"] += "!"
    assert document.digest(changed) != document.digest(doc)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_render_shows_the_application_in_swedish(app):
    application, _ = full_application()
    factories.submitted(application)
    db.session.expire_all()
    application = _application()
    # Arabic letters and emoji in a name and a comment must not break rendering.
    application.members[0].given_name = "Anders عمر"
    db.session.commit()
    _, other = plant_item(100000, date(2026, 9, 1), application=application)
    information.save_comment(application, other, application.applicant_id, "Stämmer inte 👍 انتهت الدفعة")
    doc = document.build(application, "ar")
    document.validate(doc)
    text = _pdf_text(pdf.render(doc))
    flat = " ".join(text.split())
    assert application.reference in text
    assert document.digest(doc) in flat
    for expected in (
        "Ansökan om ekonomiskt bistånd",
        "Sökandens språk: arabiska",
        "Uppsala",
        "Ej hämtat",
        "Hämtade uppgifter",
        "Sökandens kommentar: Utbetalningen upphörde i oktober.",
        "Sökandens egna uppgifter",
        "Jag har blivit av med mitt arbete. Tack på förhand!",
        "hyresavi.pdf",
        "PRELIMINÄR",
        "5 123,00 kr",
        "Anders",
        "Timanställning",
        "Sökandens kommentar: Stämmer inte",
    ):
        assert expected in flat.replace("\u00a0", " "), expected
    assert "عمر" in text or "رمع" in text  # Arabic letters kept (in visual order without shaping)


def test_receipt_in_swedish_and_english(app):
    application, _ = full_application()
    factories.submitted(application)
    db.session.expire_all()
    doc = document.build(_application(), "en")
    checksum = document.digest(doc)
    text = " ".join(_pdf_text(pdf.render_receipt(doc, checksum)).split())
    assert doc["reference"] in text and "Kvittens" in text and "Receipt" in text and "Uppsala" in text
    assert checksum in text
    arabic = " ".join(_pdf_text(pdf.render_receipt(document.build(_application(), "ar"), checksum)).split())
    assert "Kvittens" in arabic and "Receipt" not in arabic and "arabiska" in arabic


def test_schema_is_published(app, client):
    from portal.exchange.routes import bp

    if "exchange" not in app.blueprints:  # until the lead registers it in create_app
        app.register_blueprint(bp)
    response = client.get(SCHEMA_PATH)
    assert response.status_code == 200 and response.is_json
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    published = response.get_json()
    assert published == document.schema()
    assert published["$id"] == f"https://egnautrymmet.se{SCHEMA_PATH}"
    assert published["$defs"]["sealedFields"]["required"] == list(seal.SEALED_FIELDS)
    again = client.get(SCHEMA_PATH, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_schema_is_loaded_once_and_is_valid_2020_12():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(document.schema())
    first = document.schema()
    first["title"] = "changed"
    assert document.schema()["title"] != "changed"


def test_rows_at_hand_give_the_same_document_and_indication(app):
    """The submission passes the fetched items, calls and stated entries it has already read: the document
    and the indication are exactly those built by reading them here."""
    from flask_babel import force_locale

    from portal.indication import services as indication

    application, _ = full_application()
    items, calls = information.items(application), information.calls(application)
    assert items and calls
    assert document.build(application, "sv", items=items, calls=calls) == document.build(application, "sv")
    costs, incomes = supplements.entries(application, "costs"), supplements.entries(application, "incomes")
    assert costs and incomes
    with force_locale("sv"):  # (the stated incomes' labels are translated)
        at_hand = indication.indication(application, items=items, costs=costs, incomes=incomes)
        assert at_hand == indication.indication(application)
        # and what is passed is what counts: without the stated rent the need is that much lower
        without_rent = indication.indication(application, items=items, costs=[], incomes=incomes)
    assert without_rent.need_ore == at_hand.need_ore - 650000
