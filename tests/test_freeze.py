"""Submission freezes the exchange document; an invalid one never leaves; receipts."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.application.models import Application
from portal.delivery.models import Delivery
from portal.delivery.services import run_once
from portal.exchange import document
from portal.extensions import db
from portal.submission import services as submission
from portal.submission.models import FrozenDocument
from tests.support import idp_login, private_file_checks, send_application, soup
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
    private_file_checks(pdf)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert doc["reference"] in text

    run_once()
    caseworker = app.test_client()
    idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
    application_id = path.rsplit("/", 1)[1]
    as_json = caseworker.get(f"/municipality/inbox/{application_id}/document.json")
    private_file_checks(as_json, frozen.body.encode())
    assert as_json.headers["Digest"] == f"sha-256={frozen.sha256}"
    assert caseworker.get(f"/municipality/inbox/{application_id}/document.pdf").data.startswith(b"%PDF-")


def test_an_invalid_document_never_leaves(login, client, monkeypatch):
    login(SINGLE_ADULT)
    path = start_application(client)
    real_build = document.build
    monkeypatch.setattr(
        document,
        "build",
        lambda application, language, **loaded: {**real_build(application, language, **loaded), "schemaVersion": 1},
    )
    response = send_application(client, path, SINGLE_ADULT)
    assert response.status_code == 409 and soup(response).find(id="refusal-title") is not None
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(FrozenDocument)) == 0


def test_the_schema_is_served_at_a_stable_url(client):
    # Every published version stays where it was: documents frozen under 1.1.0 still point at it.
    for version in ("1.1.0", "1.2.0"):
        response = client.get(f"/exchange/schema/application-{version}.json")
        assert response.status_code == 200 and response.json["$id"].endswith(f"application-{version}.json")
    assert client.get("/exchange/schema/application-1.9.0.json").status_code == 404


def _errors(validator, doc) -> list[str]:
    return sorted(document._message(e) for e in validator.iter_errors(doc))


def _mutations(doc: dict):
    """Every value of ``doc`` removed and replaced by one of another type, and an unknown member added to
    every object (of a list, its first item stands for the others): (what, the changed copy)."""

    def places(node, path=()):
        yield path, node
        if isinstance(node, dict):
            for key, value in node.items():
                yield from places(value, (*path, key))
        elif isinstance(node, list) and node:
            yield from places(node[0], (*path, 0))

    def changed(path, change):
        copy = json.loads(json.dumps(doc))
        parent = copy
        for part in path[:-1]:
            parent = parent[part]
        change(parent, path[-1])
        return copy

    def remove(parent, key):
        del parent[key]

    for path, value in list(places(doc)):
        if isinstance(value, dict):
            yield (
                f"{path} + unknown",
                changed((*path, "unknownMember"), lambda p, k: p.__setitem__(k, 1))
                if path
                else {**doc, "unknownMember": 1},
            )
        if not path:
            continue
        other = 7 if isinstance(value, str) else ("x" if value is not None else [])
        yield f"{path} = {other!r}", changed(path, lambda p, k, v=other: p.__setitem__(k, v))
        yield f"{path} removed", changed(path, remove)


def test_the_compiled_validator_judges_exactly_as_the_published_schema(app):
    """The validator in use follows no references (they are resolved once, for speed); it must find
    exactly what the schema as published finds, in a full document changed in every place."""
    from tests.test_exchange import full_application

    application, _ = full_application()
    doc = document.build(application, "sv")
    fast, reference = document._validator(), document._reference_validator()
    assert fast is not reference and "$ref" not in json.dumps(fast.schema)
    assert _errors(fast, doc) == _errors(reference, doc) == []
    protected = {**doc, "protected": True}  # a protected document must not carry the address
    assert _errors(fast, protected) == _errors(reference, protected) != []
    found_invalid = 0
    for what, changed in _mutations(doc):
        expected = _errors(reference, changed)
        assert _errors(fast, changed) == expected, what
        found_invalid += bool(expected)
    assert found_invalid > 100  # the changes do make invalid documents


def _strings(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


def _replaced(doc: dict, path, value) -> dict:
    copy = json.loads(json.dumps(doc))
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copy


# Dates and times, well and badly formed, for every date or date-time in a document.
TRICKY_TIMES = (
    "2026-02-28",
    "2026-02-30",
    "2026-1-05",
    "20260105",
    "2026-01-05T10:00:00Z",
    "2026-01-05T10:00:00",
    "2026-01-05T10:00:00+01:00",
    "2026-01-05T25:00:00Z",
    "2026-01-05 10:00:00Z",
    "2026-01-05T10:00Z",
    "2026-01-05T10:00:00.5Z",
    "2026-01-05\n",
    "2026-01-05T10:00:00Z\n",
    "٢٠٢٦-٠١-٠٥",
    "",
)


def test_the_fast_validator_agrees_with_python_jsonschema(app):
    """jsonschema_rs decides whether a document is valid (python-jsonschema only lists the problems then):
    on a full document changed in every place, and with every date and time in it replaced by well and
    badly formed ones, it finds a problem exactly when python-jsonschema does; the detailed list is
    python-jsonschema's."""
    from tests.test_exchange import full_application

    application, _ = full_application()
    doc = document.build(application, "sv")
    reference = document._reference_validator()
    assert document._fast_errors(doc) == [] and _errors(reference, doc) == []
    document.validate(doc)
    protected = {**doc, "protected": True}
    assert document._fast_errors(protected) and _errors(reference, protected)

    changes = list(_mutations(doc))
    times = [(path, value) for path, value in _strings(doc) if value[:4].isdigit() and value[4:5] == "-"]
    assert len(times) >= 8  # created, submitted, fetched, period, birth date, ...
    changes += [(f"{path} = {tricky!r}", _replaced(doc, path, tricky)) for path, _ in times for tricky in TRICKY_TIMES]
    found_invalid = 0
    for what, changed in changes:
        expected = _errors(reference, changed)
        fast = document._fast_errors(changed)
        assert fast is not None and bool(fast) == bool(expected), (what, fast, expected)
        found_invalid += bool(expected)
        expected += document._consistency_errors(changed)  # (a shown value is not the sealed one)
        if expected:
            with pytest.raises(document.InvalidDocument) as invalid:
                document.validate(changed)
            assert sorted(invalid.value.errors) == sorted(expected), what  # python-jsonschema's detailed list
        else:
            document.validate(changed)
    assert found_invalid > 150


def test_a_document_is_valid_only_if_both_validators_say_so(app):
    """Where jsonschema_rs is the stricter (in Python a pattern's ``$`` lets a trailing newline through),
    the document is refused with the fast validator's findings."""
    from tests.test_exchange import full_application

    application, _ = full_application()
    doc = {**document.build(application, "sv"), "reference": application.reference + "\n"}
    assert _errors(document._reference_validator(), doc) == []
    with pytest.raises(document.InvalidDocument) as invalid:
        document.validate(doc)
    assert invalid.value.errors and all(line.startswith("/reference: ") for line in invalid.value.errors)


def _reads(statements: list[str], table: str) -> int:
    return sum(1 for s in statements if s.startswith("SELECT") and f" FROM {table} " in f"{s} ")


def test_sending_reads_each_thing_once_and_sends_what_it_checked(app):
    """The seal check, the document and the indication share one reading of the fetched items, the fetch
    calls and the stated entries; what is frozen is the document as built from the database; the audit
    records, the timeline entry and the outbox record are written with it."""
    from sqlalchemy import event

    from portal.application.models import ApplicationEvent
    from portal.audit.models import AuditEvent
    from portal.db import utcnow
    from tests.test_exchange import full_application

    application, item = full_application()
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        submission.submit(application, signed_at=utcnow(), acr="test")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    for table in ("information_item", "fetch_call", "supplement_cost", "supplement_income", "signature"):
        assert _reads(statements, table) == 1, table
    assert _reads(statements, "application_event") == 0

    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == "submitted"
    frozen = db.session.scalar(select(FrozenDocument))
    doc = json.loads(frozen.body)
    assert doc == document.build(application, "sv")  # built afresh from the database: the same
    assert [(f["id"], f["source"]["seal"]["signature"]) for f in doc["fetched"]] == [(item.id, item.seal)]
    assert doc["indication"]["available"] and doc["notFetched"][0]["reason"] == "timeout"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1
    assert {e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == application.id))} >= {
        "sign",
        "submit",
    }
    assert "submitted" in [
        e.kind
        for e in db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id))
    ]


def test_an_item_changed_after_fetching_stops_the_sending(app):
    from portal.db import utcnow
    from tests.test_exchange import full_application

    application, item = full_application()
    item.amount_ore += 100  # no longer what was sealed
    db.session.commit()
    with pytest.raises(submission.NotSubmittable) as refused:
        submission.submit(application, signed_at=utcnow(), acr="test")
    assert refused.value.reason == "broken_seal"
    db.session.rollback()
    assert db.session.get(Application, application.id).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(FrozenDocument)) == 0
