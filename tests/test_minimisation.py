"""Only what the application needs is kept: values planted in every raw payload, in fields no
normaliser asks for, reach neither the database, nor the logs, nor what the municipality sees."""

from __future__ import annotations

import json
import logging
import shutil
from datetime import date

import httpx
import pytest
from sqlalchemy import text

from devstack import STAFF_FILE
from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal import create_app
from portal.config import REPO_ROOT, Config
from portal.delivery.services import run_once
from portal.extensions import db
from portal.providers.items import Period
from portal.providers.registry import provider as provider_named
from tests.conftest import PORTAL_BASE, IsolatedClient
from tests.support import cosign_application, idp_login, send_application
from tests.test_fetch import consent, unit_keys
from tests.test_journey import start_application

SENTINEL = "SENTINEL-7f3a9c"


def plant(node):
    """Add a raw-only field, holding the sentinel, to every object of a payload."""
    if isinstance(node, dict):
        for value in node.values():
            plant(value)
        node["InterntNotat"] = f"{SENTINEL} handläggare Kalle"
    elif isinstance(node, list):
        for value in node:
            plant(value)


@pytest.fixture
def planted_sandbox(tmp_path):
    persons = tmp_path / "persons"
    shutil.copytree(REPO_ROOT / "devstack" / "testdata" / "persons", persons)
    for path in persons.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for provider, sets in record.get("providers", {}).items():
            if provider != "skatteverket":
                plant(sets)
            else:
                for name, payload in sets.items():
                    if name != "folkbokforing":
                        plant(payload)
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with serve(create_sandbox_app(persons_dir=persons)) as url:
        # The planted values really are in what the agencies answer.
        csn = provider_named("csn")
        path, body = csn.request("200304302383", "studiemedel", Period(date(2026, 12, 1)))
        raw = httpx.post(f"{url}{path}", json=body, headers={"Authorization": "Bearer sandbox-token"})
        assert SENTINEL in raw.text
        yield url


def test_raw_only_values_never_reach_database_logs_or_municipality(
    databases, live_services, planted_sandbox, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    url = databases.fresh()
    app = create_app(
        Config(
            base_url=PORTAL_BASE,
            staff_directory=STAFF_FILE,
            database_url=url,
            idp_url=live_services["idp_url"],
            sandbox_url=planted_sandbox,
            fetch_in_background=False,
            instance_path=tmp_path / "instance",
        )
    )
    app.config["TESTING"] = True
    app.test_client_class = IsolatedClient
    try:
        with app.app_context():
            applicant = app.test_client()
            idp_login(applicant, "/auth/login", {"subject": "196108283166"})  # a couple in Göteborg
            path = start_application(applicant)
            consent(applicant, path, unit_keys(extended=True))
            seen = [applicant.get(f"{path}/information").get_data(as_text=True)]
            items = db.session.execute(text("SELECT count(*) FROM information_item")).scalar()
            assert items > 10  # the fetch really happened
            send_application(applicant, path, "196108283166")
            husband = app.test_client()
            idp_login(husband, "/auth/login", {"subject": "196201082697"})
            cosign_application(husband, path, "196201082697")
            assert run_once() == 1

            caseworker = app.test_client()
            idp_login(caseworker, "/auth/staff/login", {"subject": "staff-goteborg-1"})
            inbox = caseworker.get("/municipality/inbox").get_data(as_text=True)
            seen.append(inbox)
            application_id = path.rsplit("/", 1)[1]
            seen.append(caseworker.get(f"/municipality/inbox/{application_id}").get_data(as_text=True))

            for table in db.metadata.sorted_tables:
                rows = db.session.execute(table.select()).all()
                assert SENTINEL not in repr(rows), f"raw-only value stored in {table.name}"
            db.session.remove()
            db.engine.dispose()
    finally:
        databases.drop(url)
    assert not any(SENTINEL in page for page in seen)
    assert not [r for r in caplog.records if SENTINEL in r.getMessage()]
