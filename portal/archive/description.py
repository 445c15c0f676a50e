"""``description.xml``: the archive package's description, after Riksarkivet's common specification
FGS Ärendehantering (a case file with its records) as far as it applies to one case of the portal.

The element names follow FGS Ärendehantering's concepts (archive creator, case file with its case
number, records with direction and files with checksums) in the portal's own namespace, validated by
the schema checked in beside this module; docs/decisions/0009 lists which FGS elements are used and
which are not. No personnummer: the applicant is named (or, with protected identity, not named) and
the documents carry the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from flask_babel import force_locale

# lxml's etree is a compiled module that ships no type information the checker can read.
from lxml import etree  # pyright: ignore[reportAttributeAccessIssue]

from portal.calculation.services import totals
from portal.calculation.text import line_text
from portal.routing.config import routing_config
from portal.routing.services import municipality

NAMESPACE = "urn:egna-utrymmet:arkivpaket:1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "arkivpaket-1.xsd"
SPECIFICATION = "FGS Ärendehantering (Riksarkivet), as far as applies"
# Incoming to the municipality (from the applicant), outgoing (made by it), or both (the correspondence).
DIRECTION = {
    "application": "incoming",
    "attachment": "incoming",
    "exchange": "incoming",
    "decision": "outgoing",
    "correspondence": "both",
    "appeal": "incoming",
}


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


def _add(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{NAMESPACE}}}{tag}", {k: str(v) for k, v in attributes.items() if v is not None}
    )
    if text is not None:
        element.text = text
    return element


def describe(package, exchange_files: dict, frozen_digests: dict[str, str]) -> bytes:
    application = package.application
    code = application.municipality_code or ""
    root = etree.Element(
        f"{{{NAMESPACE}}}archivePackage", nsmap={None: NAMESPACE}, specification=SPECIFICATION, version="1"
    )
    control = _add(root, "control")
    _add(control, "created", _when(package.created_at))
    _add(control, "archiveCreator", municipality(code).name if code else "", code=code)
    _add(control, "producingSystem", "Egna utrymmet")

    case_file = _add(root, "caseFile", id=application.id)
    if application.case_number:
        _add(case_file, "caseNumber", application.case_number)
    _add(case_file, "reference", application.reference)
    _add(case_file, "title", f"Ekonomiskt bistånd {application.period:%Y-%m}")
    _add(case_file, "status", application.status)
    _add(case_file, "opened", _when(application.submitted_at))
    if application.received_at:
        _add(case_file, "registered", _when(application.received_at))
    if application.closed_at:
        _add(case_file, "closed", _when(application.closed_at))
    if application.inbox_id:
        _add(case_file, "unit", application.inbox_id)
    applicant = next((m for m in application.members if m.relation == "applicant"), None)
    party = _add(case_file, "party", role="applicant", protectedIdentity=str(bool(application.protected)).lower())
    if applicant is not None and not application.protected:
        party.text = f"{applicant.given_name} {applicant.family_name}"
    routing = routing_config().municipalities.get(code)
    if routing is not None:
        _add(case_file, "disposal", action="gallras", yearsAfterLastEntry=routing.retention_years)

    events = _add(case_file, "events")
    for event in package.events:
        _add(events, "event", kind=event.kind, at=_when(event.at), source=event.source)

    decisions = {d.id: d for d in package.decisions}
    records = _add(case_file, "records")
    for item in package.files:
        record = _add(records, "record", type=item.kind, id=item.ref, direction=DIRECTION[item.kind])
        _add(record, "title", item.title)
        _add(record, "created", _when(item.created))
        decision = decisions.get(item.ref) if item.kind == "decision" else None
        if decision is not None:
            _add(record, "outcome", decision.outcome)
            _add(record, "decidedBy", decision.decided_by)
            if decision.calculation_lines is not None:
                _calculation_lines(record, decision.calculation_lines)
        _add(
            record,
            "file",
            path=item.path,
            mediaType=item.media_type,
            size=len(item.data),
            checksumAlgorithm="SHA-256",
            checksum=item.sha256,
        )
        if item.kind == "exchange":
            _add(record, "frozenDigest", frozen_digests[item.ref], algorithm="SHA-256")
        elif item.kind == "decision" and decision is not None:
            _add(record, "frozenDigest", decision.document_sha256, algorithm="SHA-256")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _calculation_lines(record, lines: list[dict]) -> None:
    """The lines the decision rests on, as its snapshot keeps them, in Swedish (the archive's language)."""
    sums = totals(lines)
    element = _add(
        record, "calculationLines", needOre=sums["needOre"], incomeOre=sums["incomeOre"], resultOre=sums["resultOre"]
    )
    for line in lines:
        judged_at = line.get("judgedAt")
        if judged_at:
            judged_at = _when(datetime.fromisoformat(judged_at.replace("Z", "+00:00")))
        row = _add(
            element,
            "line",
            id=line["id"],
            group=line["group"],
            code=line.get("code") or line["group"],
            proposedOre=line["proposedOre"],
            amountOre=line["amountOre"],
            status=line["status"],
            judgedBy=line.get("judgedBy") or None,
            judgedAt=judged_at or None,
        )
        if line.get("text"):
            _add(row, "text", line["text"])
        else:
            with force_locale("sv"):
                _add(row, "text", line_text(line))
        if line.get("reason"):
            _add(row, "reason", line["reason"])


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def validate(data: bytes) -> list[str]:
    """The schema's complaints about a description (empty when it is valid)."""
    checker = schema()
    document = etree.fromstring(data)
    return [] if checker.validate(document) else [str(e) for e in checker.error_log]
