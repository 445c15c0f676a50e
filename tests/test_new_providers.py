"""The providers added for issue 22 end to end: consent, fetch over HTTP from the sandbox, what is
stored, what the applicant and the municipality see. Values planted in every raw payload of these
providers, in fields no normaliser asks for, and the raw-only values of the cast (case numbers,
case officers, notes, organisation numbers) reach neither the database, nor the logs, nor the
municipality."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from sqlalchemy import select

from devstack import STAFF_FILE
from portal import create_app
from portal.application.models import Application
from portal.config import REPO_ROOT, Config
from portal.consent.services import units
from portal.delivery.services import run_once
from portal.exchange import document as exchange
from portal.extensions import db
from portal.information.models import InformationItem
from tests.conftest import PORTAL_BASE, IsolatedClient
from tests.support import idp_login, send_application
from tests.test_fetch import consent
from tests.test_journey import start_application

SENTINEL = "SENTINEL-22b7e1"
NEW_PROVIDERS = (
    "kronofogden",
    "arbetsgivardeklaration",
    "bolagsverket",
    "banktransaktioner",
    "akassa_arenden",
    "forsakringskassan_arenden",
    "csn_arenden",
    "pensionsmyndigheten_arenden",
)
# Uppsala: Kronofogden has a debt and a refused skuldsanering; an employer declared October's pay;
# managing director and board member of a company until it went into liquidation in September;
# his bank account has his father's support, friends' Swish, groceries, rent and two large withdrawals;
# his application for unemployment benefit is being decided
SINGLE_ADULT = "199006022397"
RAW_ONLY = (
    "E-870233-26",
    "Jonas Wik",
    "Parkeringsavgifter",
    "556578-0839",
    "SKS-2026-011207",
    "556889-0021",
    "Fyrislundsgatan",
    "559188-2047",
    "Kerstin Likvidatorsson",
    "196811021234",
    "Kungsgatan 48",
    "TX0000",
    "Uppsalahem",
    "ICA Kvantum Luthagen",
    "Kortköp",
    "SE35 8000",
    "Stöd från pappa",
    "Sara Testsson",
    "Johanna Berg",
    "AEA-2026-118830",
    "Kim Sjö",
)

SHOWN = ("Aimo Park Sweden AB", "Uppsala Evenemang &amp; Servering AB", "Testsson Event &amp; Ljud AB")


def plant(node):
    if isinstance(node, dict):
        for value in node.values():
            plant(value)
        node["internAnteckning"] = f"{SENTINEL} handläggare Kalle"
    elif isinstance(node, list):
        for value in node:
            plant(value)


@pytest.fixture
def planted_persons(tmp_path):
    persons = tmp_path / "persons"
    shutil.copytree(REPO_ROOT / "devstack" / "testdata" / "persons", persons)
    for path in persons.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for name in NEW_PROVIDERS:
            plant(record.get("providers", {}).get(name, {}))
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return persons


def test_new_providers_fetched_minimised_and_shown(
    databases, live_services, planted_persons, tmp_path, caplog, as_authored
):
    """On the day the cast was written, so the bank's transactions up to today are the file's."""
    from devstack.sandbox import create_sandbox_app
    from devstack.sandbox.testing import serve

    caplog.set_level(logging.DEBUG)
    url = databases.fresh()
    with serve(create_sandbox_app(persons_dir=planted_persons)) as sandbox_url:
        app = create_app(
            Config(
                base_url=PORTAL_BASE,
                staff_directory=STAFF_FILE,
                database_url=url,
                idp_url=live_services["idp_url"],
                sandbox_url=sandbox_url,
                fetch_in_background=False,
                instance_path=tmp_path / "instance",
            )
        )
        app.config["TESTING"] = True
        app.test_client_class = IsolatedClient
        try:
            with app.app_context():
                applicant = app.test_client()
                idp_login(applicant, "/auth/login", {"subject": SINGLE_ADULT})
                path = start_application(applicant)
                consent(applicant, path, [u.key for u in units() if u.provider.name in NEW_PROVIDERS])
                mine = applicant.get(f"{path}/information").get_data(as_text=True)
                stored = db.session.scalars(
                    select(InformationItem).where(InformationItem.provider.in_(NEW_PROVIDERS))
                ).all()
                assert sorted((i.kind, i.amount_ore) for i in stored) == [
                    ("akassa_arenden.arenden.application", None),
                    ("arbetsgivardeklaration.lon.benefit", 18_000),
                    ("arbetsgivardeklaration.lon.pay", 435_000),
                    *[("banktransaktioner.kontohandelser.incoming", 150_000)] * 4,
                    ("banktransaktioner.kontohandelser.incoming", 300_000),
                    ("banktransaktioner.kontohandelser.incoming", 435_000),
                    *[("banktransaktioner.kontohandelser.incoming_other", 25_000)] * 3,
                    ("banktransaktioner.kontohandelser.incoming_other", 43_000),
                    ("banktransaktioner.kontohandelser.withdrawal", 600_000),
                    ("banktransaktioner.kontohandelser.withdrawal", 1_250_000),
                    ("bolagsverket.roller.role", None),
                    ("bolagsverket.roller.role", None),
                    ("kronofogden.skulder.debt", 648_000),
                    ("kronofogden.skuldsanering.case", None),
                ]
                assert "Aimo Park Sweden AB" in mine and "Skuld som Kronofogden driver in" in mine  # in Swedish
                send_application(applicant, path, SINGLE_ADULT)
                assert run_once() == 1

                caseworker = app.test_client()
                idp_login(caseworker, "/auth/staff/login", {"subject": "staff-uppsala-1"})
                application_id = path.rsplit("/", 1)[1]
                theirs = caseworker.get(f"/municipality/inbox/{application_id}").get_data(as_text=True)
                for shown in SHOWN:
                    assert shown in theirs
                # The municipality's document: valid against the published schema, with the new kinds.
                document = exchange.build(db.session.get(Application, application_id), "sv")
                exchange.validate(document)
                assert {f"{e['source']['provider']}.{e['source']['set']}" for e in document["fetched"]} >= {
                    "kronofogden.skulder",
                    "arbetsgivardeklaration.lon",
                    "bolagsverket.roller",
                    "banktransaktioner.kontohandelser",
                    "akassa_arenden.arenden",
                }
                theirs += json.dumps(document, ensure_ascii=False)

                for table in db.metadata.sorted_tables:
                    rows = repr(db.session.execute(table.select()).all())
                    assert SENTINEL not in rows, f"raw-only value stored in {table.name}"
                    for value in RAW_ONLY:
                        assert value not in rows, (value, table.name)
                db.session.remove()
                db.engine.dispose()
        finally:
            databases.drop(url)
    for page in (mine, theirs):
        assert SENTINEL not in page
        assert not [value for value in RAW_ONLY if value in page]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SENTINEL not in logged and not [value for value in RAW_ONLY if value in logged]
    assert SINGLE_ADULT not in logged
