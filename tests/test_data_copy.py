"""A copy of my data (issue 18, point 4): what goes in (and what does not, across a household), the published
schema, the tagged PDF, the expiry, and who may download it (the person, by session, and no one else)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import jsonschema
import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from portal import clock
from portal.application.labels import STATUS
from portal.application.models import HouseholdMember
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.information.models import InformationItem
from portal.rights import copy
from portal.rights.states import CopyStatus
from tests import factories
from tests.support import csrf_from, idp_login, page_checks, private_file_checks, soup
from tests.test_attachments_domain import make_png
from tests.test_journey import PROTECTED, SINGLE_ADULT

MARIA, JOHAN = "196108283166", "196201082697"
PNG = make_png()


def prepared(person_id: str, language: str = "sv") -> tuple[copy.DataCopy, zipfile.ZipFile]:
    request = copy.request_copy(person_id, language)
    assert copy.run_once() == 1
    db.session.expire_all()
    done = db.session.get(copy.DataCopy, request.id)
    assert done.status == CopyStatus.READY and done.progress == 100
    return done, zipfile.ZipFile(io.BytesIO(done.package))


def test_the_copy_holds_the_application_its_items_with_seals_files_and_validates(app):
    application = factories.with_consents(factories.draft(SINGLE_ADULT))
    attachment = factories.attached(application, PNG, "hyra.png", description="Hyresavi")
    factories.decided(factories.received(factories.delivered(factories.submitted(application))))
    person_id = application.applicant_id
    done, package = prepared(person_id)
    names = package.namelist()
    assert {"data.json", "data.pdf", "data-copy-1.1.0.schema.json"} <= set(names)
    data = json.loads(package.read("data.json"))
    copy.validate(data)  # the published schema, checked in
    assert json.loads(package.read("data-copy-1.1.0.schema.json")) == copy.schema()
    [entry] = data["applications"]
    assert entry["reference"] == application.reference and entry["role"] == "applicant"
    stored = db.session.scalars(select(InformationItem).where(InformationItem.application_id == application.id)).all()
    assert stored and {i["seal"] for i in entry["fetched"]} == {i.seal for i in stored}
    [file] = entry["attachments"]
    assert file["id"] == attachment.id and package.read(file["file"]) == PNG
    assert data["person"]["givenName"] and entry["consents"]
    [decision] = entry["decisions"]
    assert package.read(decision["file"]).startswith(b"%PDF-") and decision["outcome"] == "granted"
    assert entry["status"] == "decided" and entry["caseNumber"]
    # Preparing it is logged as a read of the person's data by the system.
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "data_copy", AuditEvent.action == "read", AuditEvent.subject_id == person_id
        )
    )
    assert done.package_size == len(done.package)


def test_the_schema_refuses_what_it_does_not_describe(app):
    application = factories.draft(SINGLE_ADULT)
    data, _files = copy.gather(application.applicant_id)
    copy.validate(data)
    for broken in (
        {**data, "unknown": 1},
        {**data, "schema": "data-copy-2"},
        {**data, "person": {**data["person"], "personnummer": "19900602-2397"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            copy.validate(broken)


def test_a_co_applicant_gets_the_joint_application_but_not_the_other_adults_own_items(app):
    application = factories.with_consents(factories.draft(MARIA))
    johan = factories.person(JOHAN)
    factories.with_consents(application, by=johan)
    members = {
        m.person_id: m.id
        for m in db.session.scalars(select(HouseholdMember).where(HouseholdMember.application_id == application.id))
        if m.person_id
    }
    maria_items = db.session.scalars(
        select(InformationItem).where(InformationItem.member_id == members[application.applicant_id])
    ).all()
    assert maria_items
    data, _files = copy.gather(johan.id)
    copy.validate(data)
    [entry] = data["applications"]
    assert entry["role"] == "coApplicant" and entry["reference"] == application.reference
    assert entry["fetched"] and {i["memberId"] for i in entry["fetched"]} == {members[johan.id]}
    assert not {i.seal for i in maria_items} & {i["seal"] for i in entry["fetched"]}
    assert entry["address"] is None  # the applicant's folkbokföring address, not his to take
    assert all(c["memberId"] == members[johan.id] for c in entry["consents"])
    others = [m for m in entry["members"] if not m["you"]]
    assert others and all("birthDate" not in m for m in others)
    # Maria's own copy has her items and the address.
    own, _ = copy.gather(application.applicant_id)
    assert {i.seal for i in maria_items} <= {i["seal"] for i in own["applications"][0]["fetched"]}


def test_protected_identity_carries_no_address(app):
    application = factories.draft(PROTECTED)
    assert application.protected
    data, _files = copy.gather(application.applicant_id)
    copy.validate(data)
    assert data["applications"][0]["address"] is None


def test_a_copy_expires_and_the_worker_deletes_it(app):
    application = factories.draft(SINGLE_ADULT)
    done, _ = prepared(application.applicant_id)
    assert copy.copy_of(application.applicant_id, done.id) is not None
    with clock.travelled(clock.now() + copy.LIFETIME + timedelta(minutes=1)):
        assert copy.copy_of(application.applicant_id, done.id) is None
        copy.run_once()
        db.session.expire_all()
        assert db.session.get(copy.DataCopy, done.id) is None


def test_the_pdf_is_tagged_in_the_persons_language_and_right_to_left_in_arabic(app):
    application = factories.draft(SINGLE_ADULT)
    for language in ("sv", "ar"):
        data, _ = copy.gather(application.applicant_id, language)
        pdf = copy.render_pdf(data, language)
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"].value is True and root["/StructTreeRoot"].get_object()["/K"]
        assert root["/Lang"] == language and reader.metadata.title
        text = "".join(page.extract_text() for page in reader.pages)
        assert application.reference in text
        with force_locale(language):
            # The portal's words for the status, not its code (a dash between Arabic words may extract elsewhere).
            assert all(word in text for word in str(STATUS["draft"]).split())
    assert "نسخة" in text or "بيانات" in text  # the Arabic title, as text


# --- through the Flask client ------------------------------------------------------------------------


def test_request_progress_and_download_only_by_the_person(app, client, login):
    application = factories.draft(SINGLE_ADULT)
    login(SINGLE_ADULT)
    page = client.get("/my-data/copy")
    page_checks(page)
    response = client.post("/my-data/copy", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    [request] = db.session.scalars(select(copy.DataCopy)).all()
    waiting = soup(client.get("/my-data/copy"))
    assert waiting.find("a", href="/my-data/copy")  # the refresh link without JavaScript
    assert waiting.find(attrs={"hx-get": f"/my-data/copy/{request.id}/status"})
    assert client.get(f"/my-data/copy/{request.id}/download").status_code == 404  # not ready yet
    assert copy.run_once() == 1
    status = soup(client.get(f"/my-data/copy/{request.id}/status"))
    link = status.find("a", href=f"/my-data/copy/{request.id}/download")
    assert link and not status.find(attrs={"hx-get": True})  # done: no more polling
    download = client.get(link["href"])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert (
        application.reference
        in json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("data.json"))["applications"][0]["reference"]
    )
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "data_copy", AuditEvent.actor_type == "citizen", AuditEvent.action == "read"
        )
    )
    assert SINGLE_ADULT not in download.headers["Content-Disposition"]
    private_file_checks(download)

    someone = app.test_client()
    idp_login(someone, "/auth/login", {"subject": MARIA})
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    for other in (someone, caseworker):
        for path in (f"/my-data/copy/{request.id}/download", f"/my-data/copy/{request.id}/status"):
            assert other.get(path).status_code == 404, path
    anonymous = app.test_client().get(f"/my-data/copy/{request.id}/download")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.location


def test_a_proxy_acting_for_the_person_gets_404(app):
    from tests.test_mandates import MARGARETA, accept_as_proxy, act_for, grant, person_client

    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("view", "prepare", "submit", "messages"))
    lars, mandate = accept_as_proxy(app)
    assert act_for(lars, mandate).status_code == 302
    page = margareta.get("/my-data/copy")
    margareta.post("/my-data/copy", data={"csrf_token": csrf_from(page)})
    assert copy.run_once() == 1
    [ready] = db.session.scalars(select(copy.DataCopy)).all()
    assert margareta.get(f"/my-data/copy/{ready.id}/download").status_code == 200
    for path in (f"/my-data/copy/{ready.id}/download", f"/my-data/copy/{ready.id}/status"):
        assert lars.get(path).status_code == 404, path
    assert lars.get("/my-data/copy").status_code == 403  # nor may he ask for one in her name
    # The mandate is in both copies: given in hers, received in his; neither carries a personnummer of the other.
    given = json.loads(
        zipfile.ZipFile(io.BytesIO(margareta.get(f"/my-data/copy/{ready.id}/download").data)).read("data.json")
    )["mandates"]
    assert [(m["reference"], m["direction"]) for m in given] == [(mandate.reference, "given")]
    received, _ = copy.gather(mandate.proxy_id)
    assert [(m["reference"], m["direction"]) for m in received["mandates"]] == [(mandate.reference, "received")]
    assert MARGARETA not in json.dumps(received)


def test_the_copy_lists_who_read_the_data(app):
    application = factories.delivered(factories.sent(SINGLE_ADULT))
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    assert caseworker.get(f"/municipality/inbox/{application.id}/document.pdf").status_code == 200
    data, _ = copy.gather(application.applicant_id)
    copy.validate(data)
    reads = [r for r in data["readsByOthers"] if r["name"] == "Per Handläggare"]
    assert reads and reads[0]["actorType"] == "staff" and reads[0]["municipality"] == "Uppsala"


def test_the_page_is_in_arabic_right_to_left(app, client, login):
    factories.draft(SINGLE_ADULT)
    login(SINGLE_ADULT)
    client.get("/language?lang=ar&next=/")
    page = client.get("/my-data/copy")
    client.post("/my-data/copy", data={"csrf_token": csrf_from(page)})
    doc = page_checks(client.get("/my-data/copy"), lang="ar", direction="rtl")
    assert doc.find("progress") is not None and doc.find("h2")


def test_a_second_request_while_one_is_prepared_makes_no_second_copy(app, client, login):
    factories.draft(SINGLE_ADULT)
    login(SINGLE_ADULT)
    for _ in range(2):
        client.post("/my-data/copy", data={"csrf_token": csrf_from(client.get("/my-data/copy"))})
    assert len(db.session.scalars(select(copy.DataCopy)).all()) == 1


def test_portal_worker_once_prepares_the_copy_and_a_failing_one_is_retried_then_given_up(app, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main
    from tests.test_ops import _script_info

    application = factories.draft(SINGLE_ADULT)
    asked = copy.request_copy(application.applicant_id, "sv")
    result = CliRunner().invoke(main, ["worker", "--once"], obj=_script_info(app))
    assert result.exit_code == 0 and "data_copies=1" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(copy.DataCopy, asked.id).status == CopyStatus.READY

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(copy, "render_pdf", broken)
    failing = copy.request_copy(application.applicant_id, "sv")
    for attempt in range(1, copy.MAX_ATTEMPTS + 1):
        assert copy.run_once() == 0
        db.session.expire_all()
        state = db.session.get(copy.DataCopy, failing.id)
        assert state.attempts == attempt and state.error == "RuntimeError"
    assert state.status == CopyStatus.FAILED and state.package is None


# --- 1.1.0: calculation lines and appeals ------------------------------------------------------------


def _joint_decided_and_appealed():
    """Maria and Johan's joint application: sent, a line changed with a reason, decided, appealed by Maria,
    reconsidered and forwarded."""
    from portal.appeal import services as appeals
    from portal.calculation import services as calculation

    application = factories.with_consents(factories.draft(MARIA))
    johan = factories.person(JOHAN)
    factories.with_consents(application, by=johan)
    factories.received(factories.delivered(factories.submitted(application)))
    lines = calculation.proposed(application)["lines"]
    norm = next(line for line in lines if line["group"] == "norm")
    income = next(line for line in lines if line["group"] == "income")
    calculation.judge(application, norm["id"], "accept", "Per Handläggare")
    calculation.judge(
        application,
        income["id"],
        "change",
        "Per Handläggare",
        amount_ore=income["amountOre"] + 10000,
        reason="Utbetalningen i december är högre enligt beslutet.",
    )
    decision = factories.decided(application, "refused")
    appeal = appeals.send(
        application,
        decision,
        "Bevilja hyran för december.",
        "Inkomsten är fel räknad.",
        application.applicant_id,
        "Maria",
        clock.now(),
        "sv",
    )
    appeals.reconsider(appeal, "kept", "Inkomsten stämmer med Försäkringskassans uppgift.", "Per Handläggare")
    appeals.forward(appeal, "Kommunen vidhåller beslutet.", "Per Handläggare")
    return application, johan, decision, appeal, income


def _own_item_ids(application, person_id: str) -> set[int]:
    member = next(
        m.id
        for m in application.members
        if m.person_id == person_id or (person_id == application.applicant_id and m.relation == "applicant")
    )
    return set(
        db.session.scalars(
            select(InformationItem.id).where(
                InformationItem.application_id == application.id, InformationItem.member_id == member
            )
        )
    )


def test_the_copy_holds_the_lines_proposed_judged_and_decided_and_the_appeal(app):
    application, johan, decision, appeal, income = _joint_decided_and_appealed()
    done, package = prepared(application.applicant_id)
    data = json.loads(package.read("data.json"))
    copy.validate(data)
    assert data["schema"] == "data-copy-1.1.0"
    [entry] = data["applications"]

    calc = entry["calculation"]
    assert calc["available"] and [line["id"] for line in calc["proposed"]] == [
        line["id"] for line in json.loads(_frozen_body(application))["calculationLines"]["lines"]
    ]
    proposed = next(line for line in calc["proposed"] if line["id"] == income["id"])
    assert proposed["amount"] == copy._ore(income["amountOre"]) and proposed["source"] == "system"
    assert proposed["text"] and proposed["text"] != proposed["code"]  # in words, not the code
    [accepted, changed] = calc["changes"]
    assert accepted["action"] == "accept" and accepted["reason"] is None
    assert changed == {
        **changed,
        "lineId": income["id"],
        "action": "change",
        "by": "Per Handläggare",
        "previousAmount": copy._ore(income["amountOre"]),
        "amount": copy._ore(income["amountOre"] + 10000),
        "reason": "Utbetalningen i december är högre enligt beslutet.",
    }
    assert changed["at"]

    [decided] = entry["decisions"]
    assert len(decided["calculationLines"]) == len(calc["proposed"])
    final = next(line for line in decided["calculationLines"] if line["id"] == income["id"])
    assert final["status"] == "changed" and final["proposedAmount"] != final["amount"]
    assert final["reason"] == "Utbetalningen i december är högre enligt beslutet." and final["judgedBy"]
    assert decision.calculation_lines and {line["id"] for line in decision.calculation_lines} == {
        line["id"] for line in decided["calculationLines"]
    }

    [appealed] = entry["appeals"]
    assert appealed["id"] == appeal.id and appealed["decisionId"] == decision.id and appealed["signedByYou"]
    assert appealed["change"] == "Bevilja hyran för december." and appealed["late"] is False
    assert appealed["status"] == "forwarded" and appealed["reconsideration"] == "kept"
    assert appealed["opinion"] == "Kommunen vidhåller beslutet." and appealed["forwardedOn"]
    assert package.read(appealed["file"]) == appeal.document


def test_a_co_applicant_sees_the_joint_lines_but_only_their_own_items_behind_them(app):
    application, johan, decision, appeal, _income = _joint_decided_and_appealed()
    maria_items = _own_item_ids(application, application.applicant_id)
    johan_items = _own_item_ids(application, johan.id)
    assert maria_items and johan_items
    mine, _ = copy.gather(application.applicant_id)
    his, files = copy.gather(johan.id)
    copy.validate(his)
    [entry] = his["applications"]
    referred = {i for line in entry["calculation"]["proposed"] for i in line["fetchedItemIds"]}
    assert referred and referred <= johan_items and not referred & maria_items
    hers = {i for line in mine["applications"][0]["calculation"]["proposed"] for i in line["fetchedItemIds"]}
    assert hers & maria_items and not hers & johan_items
    # The joint decision's lines are all there (its document in the copy shows them too).
    assert [line["id"] for line in entry["calculation"]["proposed"]] == [
        line["id"] for line in mine["applications"][0]["calculation"]["proposed"]
    ]
    [appealed] = entry["appeals"]
    assert appealed["signedByYou"] is False and files[appealed["file"]] == appeal.document
    assert MARIA not in json.dumps(entry["calculation"]) + json.dumps(entry["appeals"])


def test_protected_identity_lines_name_no_one_and_carry_no_address(app):
    from portal.calculation import services as calculation

    application = factories.received(factories.sent(PROTECTED))
    assert application.protected and calculation.proposed(application)["lines"]
    factories.decided(application)
    data, _ = copy.gather(application.applicant_id)
    copy.validate(data)
    [entry] = data["applications"]
    assert entry["calculation"]["proposed"] and entry["decisions"][0]["calculationLines"]
    shown = json.dumps([entry["calculation"], entry["decisions"]], ensure_ascii=False)
    for member in application.members:
        if member.relation != "applicant":
            assert member.given_name not in shown and member.family_name not in shown
    for part in (application.street, application.postal_code):
        assert not part or part not in shown


def test_a_draft_has_no_lines_and_a_decision_without_lines_says_so(app):
    draft = factories.draft(SINGLE_ADULT)
    data, _ = copy.gather(draft.applicant_id)
    copy.validate(data)
    assert data["applications"][0]["calculation"] is None and data["applications"][0]["appeals"] == []


def test_the_schema_1_1_0_requires_the_new_parts_and_1_0_0_stays_published(app):
    application, *_ = _joint_decided_and_appealed()
    data, _ = copy.gather(application.applicant_id)
    entry = data["applications"][0]
    for broken in (
        {**entry, "appeals": [{**entry["appeals"][0], "late": "no"}]},
        {k: v for k, v in entry.items() if k != "calculation"},
        {
            **entry,
            "decisions": [
                {
                    **entry["decisions"][0],
                    "calculationLines": [{**entry["decisions"][0]["calculationLines"][0], "status": "guessed"}],
                }
            ],
        },
    ):
        with pytest.raises(jsonschema.ValidationError):
            copy.validate({**data, "applications": [broken]})
    old = copy.SCHEMA_PATH.parent / "data-copy-1.0.0.json"
    assert json.loads(old.read_text(encoding="utf-8"))["properties"]["schema"]["const"] == "data-copy-1.0.0"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pdf_shows_the_lines_and_the_appeal_in_the_persons_language(app, language):
    from portal.calculation.text import line_text

    application, _johan, _decision, appeal, income = _joint_decided_and_appealed()
    data, _ = copy.gather(application.applicant_id, language)
    text = " ".join(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(copy.render_pdf(data, language))).pages).split()
    )
    # The municipality's reason and the appeal's words as written (without the full stop, which bidi moves).
    assert "Utbetalningen i december är högre enligt beslutet" in text
    assert "Bevilja hyran för december" in text and "Kommunen vidhåller beslutet" in text
    assert copy._ore(income["amountOre"] + 10000) in text
    with force_locale(language):
        words = line_text(
            next(line for line in data["applications"][0]["calculation"]["proposed"] if line["group"] == "norm")
        )
    if language == "en":
        assert "How the municipality calculated" in text and "Changed by the municipality from" in text
        assert "Your appeal" in text and words in text
    else:
        for english in (
            "How the municipality calculated",
            "How the municipality judged the lines",
            "Forwarded to the administrative court",
            "Last day to appeal",
        ):
            assert english not in text  # in Arabic, not in English
        assert any(word in text for word in words.split() if len(word) > 3)


def _frozen_body(application) -> str:
    from portal.submission.services import frozen_document

    return frozen_document(application).body


def test_a_late_appeal_is_in_the_copy_marked_late_with_what_its_deadline_was_counted_from(app):
    from portal.appeal import services as appeals

    application = factories.received(factories.sent(SINGLE_ADULT))
    decision = factories.decided(application, "refused")
    with clock.travelled(clock.now() + timedelta(days=40)):
        appeal = appeals.send(
            application,
            decision,
            "Ompröva beslutet.",
            "Jag fick brevet sent.",
            application.applicant_id,
            "Anders",
            clock.now(),
            "sv",
        )
        data, files = copy.gather(application.applicant_id, "en")
    copy.validate(data)
    [appealed] = data["applications"][0]["appeals"]
    assert appeal.late and appealed["late"] is True and appealed["deadlineBasis"] == "decided"
    assert appealed["deadline"] == appeal.deadline.isoformat() and appealed["status"] == "sent"
    assert appealed["reconsideration"] is None and appealed["forwardedOn"] is None
    text = " ".join(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(copy.render_pdf(data, "en"))).pages).split()
    )
    assert f"{appeal.deadline.isoformat()} – Late" in text and "The municipality is reconsidering the decision." in text
