"""The calculation lines through the municipality API: read (audited), accept and change with the API's
conventions (scopes, RFC 9457 problems, idempotency), the history, and the decision carrying the final lines
in its representation and its event."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.calculation import services as calculation
from portal.calculation.models import LineChange
from portal.extensions import db
from tests import factories
from tests.test_api import (
    LINKOPING,
    UPPSALA,
    _fresh_clients,  # noqa: F401  (autouse fixture)
    send_to_uppsala,
)
from tests.test_api_case import System


def _registered():
    application = send_to_uppsala()
    factories.received(application)
    return application


def _path(application, line_id: str = "") -> str:
    return f"/applications/{application.id}/calculation-lines" + (f"/{line_id}" if line_id else "")


def test_a_system_reads_accepts_and_changes_lines(app):
    application = _registered()
    system = System(app.test_client())
    listed = system.get(_path(application))
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["proposed"] is True and body["available"] is True
    ids = [line["id"] for line in body["lines"]]
    member = application.members[0].id
    assert ids[0] == f"norm-person-{member}" and "norm-household" in ids
    assert all(line["status"] == "proposed" and line["history"] == [] for line in body["lines"])
    assert body["resultOre"] == body["proposedResultOre"] == body["needOre"] - body["incomeOre"]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "read", AuditEvent.object_type == "calculation_lines")
        )
        == 1
    )

    accepted = system.post(_path(application, f"norm-person-{member}"), {"action": "accept"}, key="acc-1")
    assert accepted.status_code == 201 and accepted.get_json()["status"] == "accepted"
    household = next(line for line in body["lines"] if line["id"] == "norm-household")
    changed = system.post(
        _path(application, "norm-household"),
        {
            "action": "change",
            "amountOre": household["proposedOre"] - 10000,
            "reason": "Delad bostad: halva hushållskostnaden.",
            "judgedBy": "Per Handläggare",
        },
        key="chg-1",
    )
    line = changed.get_json()
    assert changed.status_code == 201
    assert (line["status"], line["amountOre"], line["reason"], line["judgedBy"]) == (
        "changed",
        household["proposedOre"] - 10000,
        "Delad bostad: halva hushållskostnaden.",
        "Per Handläggare",
    )
    assert [h["source"] for h in line["history"]] == ["api"]

    # The same key and body: the first result, nothing new. The same key with another body: 422.
    again = system.post(
        _path(application, "norm-household"),
        {
            "action": "change",
            "amountOre": household["proposedOre"] - 10000,
            "reason": "Delad bostad: halva hushållskostnaden.",
            "judgedBy": "Per Handläggare",
        },
        key="chg-1",
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    reused = system.post(_path(application, "norm-household"), {"action": "accept"}, key="chg-1")
    assert reused.status_code == 422 and reused.get_json()["error"] == "idempotency_key_reused"
    assert db.session.scalar(select(func.count()).select_from(LineChange)) == 2

    after = system.get(_path(application)).get_json()
    assert after["resultOre"] == after["proposedResultOre"] - 10000

    # The decision carries the lines as they stand: in its representation and in its event.
    factories.decided(application, "refused")
    decisions = system.get(f"/applications/{application.id}/decisions").get_json()["decisions"]
    decided = {line["id"]: line for line in decisions[0]["calculationLines"]}
    assert decided["norm-household"]["status"] == "changed" and decided[f"norm-person-{member}"]["status"] == "accepted"
    events = system.get(f"/applications/{application.id}/events").get_json()["events"]
    decision_event = next(e for e in events if e["type"] == "decision")
    assert decision_event["data"]["calculationLines"] == decisions[0]["calculationLines"]
    # After the decision a line cannot be judged any more.
    late = system.post(_path(application, "norm-household"), {"action": "accept"})
    assert late.status_code == 409 and late.headers["Content-Type"] == "application/problem+json"


def test_bad_input_scopes_and_other_municipalities(app):
    application = _registered()
    api = app.test_client()
    system = System(api)
    for body, pointer in (
        ({"action": "change", "amountOre": 100}, "/reason"),
        ({"action": "change", "reason": "x"}, "/amountOre"),
        ({"action": "accept", "amountOre": 100}, "/amountOre"),
        ({"action": "delete"}, "/action"),
        ({"action": "change", "amountOre": -1, "reason": "x"}, "/amountOre"),
        ({"action": "accept", "extra": 1}, "/extra"),
    ):
        refused = system.post(_path(application, "norm-household"), body)
        assert refused.status_code == 400, body
        assert refused.get_json()["errors"][0]["pointer"] == pointer
    assert system.post(_path(application, "cost-nothing"), {"action": "accept"}).status_code == 404
    assert system.post(_path(application, "norm-household"), data="x", content_type="text/plain").status_code == 415
    reader = System(api, UPPSALA, scope="applications:read")
    assert reader.post(_path(application, "norm-household"), {"action": "accept"}).status_code == 403
    assert reader.get(_path(application)).status_code == 200
    other = System(api, LINKOPING)
    assert other.get(_path(application)).status_code == 404
    assert other.post(_path(application, "norm-household"), {"action": "accept"}).status_code == 404
    assert calculation.changes(application) == []
