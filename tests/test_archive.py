"""Issue 17, point 4: the archive package of a case (every document present, checksums that match,
a description that validates against the checked-in schema, PDFs that are PDF/A), who may export it
(only the case's municipality), and the CLI that writes it without naming a person."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from portal.archive import description
from portal.archive.cli import cases
from portal.archive.package import build as build_package
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.extensions import db
from portal.submission.models import FrozenDocument
from tests import factories
from tests.support import idp_login, private_file_checks
from tests.test_attachments_domain import make_pdf, make_png
from tests.test_pdf import assert_accessible

ANDERS = "199006022397"  # Uppsala (0380), single: staff-uppsala-1's
NS = {"a": description.NAMESPACE}


def decided_case():
    application = factories.draft(ANDERS)
    pdf, png = make_pdf(2), make_png()
    factories.attached(application, pdf, "lönebesked nov.pdf", description="Lönebesked")
    factories.attached(application, png, "hyra.png")
    factories.received(factories.delivered(factories.submitted(application)))
    case.send_message(application, case.MUNICIPALITY, "Per Handläggare", "Hej, vi har tagit emot din ansökan.")
    decision = factories.decided(application)
    return application, decision, {"pdf": pdf, "png": png}


def staff(app, sub: str):
    client = app.test_client()
    client.set_cookie("portal_lang", "en")
    idp_login(client, "/auth/staff/login", {"subject": sub})
    return client


def test_the_package_holds_every_document_with_matching_checksums_and_a_valid_description(app):
    application, decision, originals = decided_case()
    worker = staff(app, "staff-uppsala-1")

    page = worker.get(f"/municipality/inbox/{application.id}")
    assert f'href="/municipality/inbox/{application.id}/archive"' in page.get_data(as_text=True)
    response = worker.get(f"/municipality/inbox/{application.id}/archive.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert application.case_number in response.headers["Content-Disposition"]
    assert ANDERS not in response.headers["Content-Disposition"]
    private_file_checks(response)

    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    xml = archive.read("description.xml")
    assert description.validate(xml) == []
    root = etree.fromstring(xml)
    assert root.findtext("a:caseFile/a:caseNumber", namespaces=NS) == application.case_number
    assert root.find("a:control/a:archiveCreator", NS).get("code") == "0380"
    assert ANDERS.encode() not in xml and ANDERS[2:].encode() not in xml

    # Every file is described with its checksum, and every described file is there.
    described = {f.get("path"): f for f in root.iterfind(".//a:record/a:file", NS)}
    assert names == set(described) | {"description.xml"}
    for path, element in described.items():
        data = archive.read(path)
        assert element.get("checksum") == hashlib.sha256(data).hexdigest(), path
        assert int(element.get("size")) == len(data)
    kinds = sorted(r.get("type") for r in root.iterfind(".//a:record", NS))
    assert kinds == ["application", "attachment", "attachment", "correspondence", "decision", "exchange"]
    correspondence = json.loads(archive.read("case/correspondence.json"))
    assert [m["body"] for m in correspondence["messages"]] == ["Hej, vi har tagit emot din ansökan."]

    # The PDFs are PDF/A (tagged, PDF/A-2a in their metadata); the decision is the one made.
    assert_accessible(archive.read("documents/application.pdf"), archived=True)
    assert archive.read("documents/decision-1.pdf") == decision.document
    assert_accessible(decision.document, archived=True)
    # Attachments as received, byte for byte.
    received = sorted(archive.read(n) for n in names if n.startswith("attachments/"))
    assert received == sorted(originals.values())
    # The exchange document as frozen, its stored digest carried beside the file's.
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    exchange_path = next(n for n in names if n.startswith("exchange/"))
    assert archive.read(exchange_path) == frozen.body.encode("utf-8")
    record = next(r for r in root.iterfind(".//a:record", NS) if r.get("type") == "exchange")
    assert record.findtext("a:frozenDigest", namespaces=NS) == frozen.sha256
    json.loads(archive.read(exchange_path))
    # The timeline goes with it.
    assert [e.get("kind") for e in root.iterfind(".//a:event", NS)][-3:] == ["received", "message", "decision"]

    audited = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.object_type == "archive_package",
            AuditEvent.object_id == application.id,
            AuditEvent.actor_id == "staff-uppsala-1",
            AuditEvent.subject_id == application.applicant_id,
        )
    )
    assert audited == 1


def test_a_broken_description_is_refused_by_the_schema():
    # The schema check can fail: a missing checksum and a wrong creator code.
    bad = (
        b'<archivePackage xmlns="urn:egna-utrymmet:arkivpaket:1" specification="x" version="1">'
        b'<control><created>2026-01-01T00:00:00+00:00</created><archiveCreator code="38">U</archiveCreator>'
        b"<producingSystem>x</producingSystem></control></archivePackage>"
    )
    problems = description.validate(bad)
    assert any("code" in p for p in problems) and any("caseFile" in p for p in problems)


def test_only_the_cases_municipality_may_export_it(app):
    application, _, _ = decided_case()
    for path in (f"/municipality/inbox/{application.id}/archive", f"/municipality/inbox/{application.id}/archive.zip"):
        assert staff(app, "staff-stockholm-3").get(path).status_code == 404  # another municipality
        assert staff(app, "staff-admin-1").get(path).status_code in (403, 404)  # no municipality's
        applicant = app.test_client()
        idp_login(applicant, "/auth/login", {"subject": ANDERS})
        assert applicant.get(path).status_code in (403, 404)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == "archive_package")
        )
        == 0
    )

    page = staff(app, "staff-uppsala-2").get(f"/municipality/inbox/{application.id}/archive")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "5 years after its last entry" in text
    assert 'id="archive-download"' in text and "will be purged from the portal on" in text


def test_the_command_line_writes_the_package_named_by_case_number(app, tmp_path):
    application, _, _ = decided_case()
    runner = CliRunner()
    result = runner.invoke(cases, ["export", "--case", application.case_number.lower(), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / f"arkivpaket-{application.case_number}.zip"
    assert written.is_file()
    assert f"sha256={hashlib.sha256(written.read_bytes()).hexdigest()}" in result.output
    assert ANDERS not in result.output and "Anders" not in result.output
    with zipfile.ZipFile(written) as archive:
        assert description.validate(archive.read("description.xml")) == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "archive_package", AuditEvent.actor_type == "system")
        )
        == 1
    )

    missing = runner.invoke(cases, ["export", "--case", "EB-1999-000001", "--out", str(tmp_path / "none")])
    assert missing.exit_code != 0 and "no case" in missing.output
    assert not (tmp_path / "none").exists()
    personal = runner.invoke(cases, ["export", "--case", ANDERS, "--out", str(tmp_path / "none")])
    assert personal.exit_code != 0 and "never a personnummer" in personal.output and ANDERS not in personal.output
    draft = factories.draft("199107172380")
    never_sent = runner.invoke(cases, ["export", "--case", draft.reference, "--out", str(tmp_path / "none")])
    assert never_sent.exit_code != 0 and "never sent" in never_sent.output


def test_an_open_case_with_protected_identity_is_exported_without_the_name(app):
    lina = factories.received(factories.sent("199001252387"))  # Malmö, protected identity
    response = staff(app, "staff-malmo-1").get(f"/municipality/inbox/{lina.id}/archive")
    assert "still open: it will not be purged" in response.get_data(as_text=True)
    archive = zipfile.ZipFile(
        io.BytesIO(staff(app, "staff-malmo-1").get(f"/municipality/inbox/{lina.id}/archive.zip").data)
    )
    xml = archive.read("description.xml")
    assert description.validate(xml) == []
    party = etree.fromstring(xml).find("a:caseFile/a:party", NS)
    assert party.get("protectedIdentity") == "true" and not (party.text or "").strip()
    member = lina.members[0]
    assert member.given_name.encode() not in xml and member.family_name.encode() not in xml
    assert not any(n.startswith("documents/decision") for n in archive.namelist())


def test_the_package_holds_the_decisions_lines_their_judgements_and_the_appeal_all_valid(app):
    from portal import clock
    from portal.appeal import services as appeals
    from portal.calculation import services as calculation
    from portal.supplements import services as supplements

    application = factories.draft(ANDERS)
    supplements.add(
        application,
        "costs",
        {"category": "rent", "description": None, "amount_ore": 650000, "month": application.period},
    )
    factories.received(factories.delivered(factories.submitted(application)))
    proposed = calculation.proposed(application)["lines"]
    norm = next(line for line in proposed if line["group"] == "norm")
    assert "cost-rent" in {line["id"] for line in proposed}
    calculation.judge(application, norm["id"], "accept", "Per Handläggare")
    calculation.judge(
        application,
        "cost-rent",
        "change",
        "Per Handläggare",
        amount_ore=600000,
        reason="Skälig hyra för en person i Uppsala.",
    )
    decision = factories.decided(application)
    appeal = appeals.send(
        application,
        decision,
        "Bevilja hela hyran.",
        "Hyran är den jag betalar.",
        application.applicant_id,
        "Anders",
        clock.now(),
        "sv",
    )
    package = build_package(application)
    assert description.validate(package.description) == []
    root = etree.fromstring(package.description)

    # The decision's record carries its final lines, in Swedish, with what changed and why.
    record = next(r for r in root.iterfind(".//a:record", NS) if r.get("type") == "decision")
    lines = {line.get("id"): line for line in record.iterfind("a:calculationLines/a:line", NS)}
    assert set(lines) == {line["id"] for line in proposed} == {line["id"] for line in decision.calculation_lines}
    rent = lines["cost-rent"]
    assert (rent.get("status"), rent.get("proposedOre"), rent.get("amountOre")) == ("changed", "650000", "600000")
    assert rent.findtext("a:reason", namespaces=NS) == "Skälig hyra för en person i Uppsala."
    assert rent.findtext("a:text", namespaces=NS) == "Hyra" and rent.get("judgedBy") == "Per Handläggare"
    assert rent.get("judgedAt") and lines[norm["id"]].get("status") == "accepted"
    sums = record.find("a:calculationLines", NS)
    assert int(sums.get("resultOre")) == int(sums.get("needOre")) - int(sums.get("incomeOre"))
    assert int(sums.get("needOre")) == sum(
        int(line.get("amountOre")) for line in lines.values() if line.get("group") in ("norm", "cost")
    )

    # Every judgement, in order, with who, when and why, in the correspondence.
    by_path = {f.path: f for f in package.files}
    changes = json.loads(by_path["case/correspondence.json"].data)["calculationLineChanges"]
    assert [(c["lineId"], c["action"], c["previousOre"], c["amountOre"], c["reason"], c["by"]) for c in changes] == [
        (norm["id"], "accept", norm["amountOre"], norm["amountOre"], None, "Per Handläggare"),
        ("cost-rent", "change", 650000, 600000, "Skälig hyra för en person i Uppsala.", "Per Handläggare"),
    ]
    assert all(c["at"] and c["source"] == "municipality" for c in changes)
    # The proposal itself is in the exchange document the package holds, as frozen.
    exchange = next(f for f in package.files if f.kind == "exchange" and f.ref and "appeal" not in f.title)
    assert json.loads(exchange.data)["calculationLines"]["lines"] == proposed

    # The appeal is a record of its own type, incoming, described and valid.
    [appealed] = [r for r in root.iterfind(".//a:record", NS) if r.get("type") == "appeal"]
    assert appealed.get("id") == appeal.id and appealed.get("direction") == "incoming"
    assert by_path[appealed.find("a:file", NS).get("path")].data == appeal.document

    # The schema can refuse these parts: an unknown line status, a negative amount, an unknown record type.
    for old, new in (
        (b'status="changed"', b'status="guessed"'),
        (b'amountOre="600000"', b'amountOre="-1"'),
        (b'type="appeal"', b'type="appeals"'),
    ):
        assert old in package.description
        assert description.validate(package.description.replace(old, new, 1)) != [], new
