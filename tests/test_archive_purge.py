"""Issue 17, point 4: gallring. A finished case is purged once its municipality's retention (routing
``retention_years``, five years by default) has run out after its last entry, by ``portal.clock``;
the dry run changes nothing; the audit log keeps its rows; nothing logged names a person."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from portal import clock
from portal.application.models import Application
from portal.archive import retention
from portal.archive.cli import cases
from portal.attachments.storage import current_storage
from portal.audit.models import AuditEvent
from portal.case import services as case
from portal.db import Base
from portal.extensions import db
from portal.routing import config as routing
from tests import factories
from tests.test_attachments_domain import make_pdf

EMMA = "199107172380"  # Stockholm (0180): two years' retention in this test's routing
ANDERS = "199006022397"  # Uppsala (0380): the default, five years
LINA = "199001252387"  # Malmö: an open case, never due


@pytest.fixture
def two_years_in_stockholm(tmp_path, monkeypatch):
    raw = json.loads(routing.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["municipalities"]["0180"]["retention_years"] = 2
    path = tmp_path / "routing.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(routing.ENV, str(path))
    routing.clear_cache()
    yield
    routing.clear_cache()


def finished(who: str, attachment: bytes | None = None) -> Application:
    application = factories.draft(who)
    if attachment is not None:
        factories.attached(application, attachment, "kvitto.pdf")
    factories.received(factories.delivered(factories.submitted(application)))
    factories.decided(application)
    return application


def rows_of(application_id: str) -> dict[str, int]:
    counts = {}
    for table in Base.metadata.sorted_tables:
        if "application_id" in table.c:
            counts[table.name] = db.session.scalar(
                select(func.count()).select_from(table).where(table.c.application_id == application_id)
            )
    counts["application"] = db.session.scalar(
        select(func.count()).select_from(Application).where(Application.id == application_id)
    )
    return counts


def audit_rows() -> list[tuple]:
    return list(
        db.session.execute(
            select(AuditEvent.id, AuditEvent.subject_id, AuditEvent.object_id, AuditEvent.purpose).order_by(
                AuditEvent.id
            )
        )
    )


def test_due_by_the_clock_per_municipality_dry_run_first_then_purged(app, two_years_in_stockholm, caplog):
    emma = finished(EMMA, attachment=make_pdf())
    key = db.session.scalar(
        select(Base.metadata.tables["attachment"].c.storage_key).where(
            Base.metadata.tables["attachment"].c.application_id == emma.id
        )
    )
    following = factories.next_month(emma)  # the next month's application stays, without its link back
    anders = finished(ANDERS)
    lina = factories.sent(LINA)  # open: never due
    before = {a.id: rows_of(a.id) for a in (emma, anders, lina, following)}
    assert before[emma.id]["application_event"] > 0 and before[emma.id]["frozen_document"] == 1
    assert before[emma.id]["decision"] == 1 and before[emma.id]["attachment"] == 1
    names = [(m.given_name, m.family_name) for a in (emma, anders) for m in a.members]
    identifiers = [emma.id, emma.reference, emma.case_number, anders.id, anders.reference, EMMA, ANDERS]
    emma_id = emma.id

    assert retention.due() == []
    assert retention.pending(emma).due_at.year == clock.now().year + 2
    assert retention.pending(lina) is None
    caplog.set_level(logging.INFO)
    runner = CliRunner()

    with clock.travelled(clock.now() + timedelta(days=365 * 2 - 2)):
        assert retention.due() == []  # not quite two years after the decision
    with clock.travelled(clock.now() + timedelta(days=365 * 2 + 2)):
        assert [d.application_id for d in retention.due()] == [emma.id]
        audit_before = audit_rows()
        dry = runner.invoke(cases, ["purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "municipality=0180 cases=1" in dry.output and "due=1" in dry.output
        db.session.expire_all()
        assert {a.id: rows_of(a.id) for a in (emma, anders, lina, following)} == before  # nothing changed
        assert current_storage().exists(key)
        assert audit_rows() == audit_before

        done = runner.invoke(cases, ["purge"])
        assert done.exit_code == 0, done.output
        assert "municipality=0180 cases=1" in done.output and "purged=1" in done.output

    db.session.expire_all()
    assert set(rows_of(emma_id).values()) == {0}  # the case and everything that belonged to it
    assert not current_storage().exists(key)
    assert rows_of(anders.id) == before[anders.id] and rows_of(lina.id) == before[lina.id]
    assert rows_of(following.id) == before[following.id]
    assert db.session.get(Application, following.id).previous_id is None
    # The audit log keeps every row as it was; the purge adds one that names the case's internal id only.
    after = audit_rows()
    assert after[: len(audit_before)] == audit_before
    added = after[len(audit_before) :]
    assert [(subject, object_id) for _, subject, object_id, _ in added] == [(None, emma_id)]
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("portal.archive"))
    assert "municipality=0180 cases=1" in logged
    for text in identifiers + [part for name in names for part in name]:
        assert text not in logged and text not in dry.output + done.output

    # Uppsala's default five years: due after five, not before.
    with clock.travelled(clock.now() + timedelta(days=365 * 5 - 2)):
        assert retention.due() == []
    with clock.travelled(clock.now() + timedelta(days=365 * 5 + 3)):
        assert [d.application_id for d in retention.due()] == [anders.id]
        assert retention.purge() == {"0380": 1}
    assert db.session.get(Application, lina.id) is not None


def test_a_later_entry_restarts_the_retention(app):
    application = finished(ANDERS)
    first = retention.pending(application).due_at
    with clock.travelled(clock.now() + timedelta(days=400)):
        case.close(application)
    db.session.expire_all()
    later = retention.pending(db.session.get(Application, application.id)).due_at
    assert later > first + timedelta(days=390)


def test_the_retention_rule_is_checked_when_the_routing_is_loaded(tmp_path):
    raw = json.loads(routing.DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["default"]["retention_years"] = 7
    raw["municipalities"]["0180"]["retention_years"] = 0
    raw["municipalities"]["1980"]["retention_years"] = "5"
    path = tmp_path / "routing.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(routing.RoutingConfigError) as refused:
        routing.load(path)
    assert sorted(p.split(":")[0] for p in refused.value.problems) == [
        "municipalities.0180.retention_years",
        "municipalities.1980.retention_years",
    ]
    del raw["municipalities"]["0180"]["retention_years"], raw["municipalities"]["1980"]["retention_years"]
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    loaded = routing.load(path)
    assert loaded.municipalities["0380"].retention_years == 7  # from the default
    assert loaded.municipalities["0180"].retention_years == 7  # listed, without its own rule
    assert routing.load(routing.DEFAULT_PATH).municipalities["0380"].retention_years == 5


def test_years_are_added_on_the_calendar():
    assert retention.add_years(datetime(2024, 2, 29, 12, tzinfo=UTC), 5) == datetime(2029, 2, 28, 12, tzinfo=UTC)
    assert retention.add_years(datetime(2026, 3, 1, tzinfo=UTC), 2) == datetime(2028, 3, 1, tzinfo=UTC)
