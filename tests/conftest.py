from __future__ import annotations

import contextvars
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from devstack import STAFF_FILE
from devstack.stack import Stack, idp_clients
from portal import clock, create_app
from portal.config import Config
from portal.extensions import db as _db
from tests.support import Databases, free_port, idp_login

PORTAL_BASE = "http://localhost"  # the Flask test client's host
GENEROUS_DEADLINE_SECONDS = 20.0


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=None,
        metavar="MOMENT",
        help="run with portal.clock set to this ISO 8601 moment (a date alone: noon in Sweden); "
        "it keeps ticking from there",
    )
    parser.addoption(
        "--move-process-clock",
        default=None,
        metavar="DAYS",
        type=int,
        help="move the whole process's wall clock (time.time, datetime.now, date.today: the portal, "
        "the identity provider and the sandbox alike) by DAYS days, ticking",
    )


def pytest_configure(config):
    days = config.getoption("--move-process-clock")
    if days:
        # time-machine rather than libfaketime: Debian's libfaketime 0.9.10 breaks Python's timed waits
        # (a sleep fails with EINVAL, or a lock with a timeout waits for the days moved).
        import time_machine

        config._moved_clock = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
        config._moved_clock.start()
    config.addinivalue_line("markers", "unit: needs no database and no server (set by the fixtures a test uses)")
    config.addinivalue_line("markers", "integration: needs a server or a database although it asks for no fixture")
    config.addinivalue_line(
        "markers", "own_processes: starts portal processes (a worker) whose clock the test process cannot move"
    )
    config.addinivalue_line(
        "markers",
        "calendar: depends on the date; run again at month ends, a year "
        "boundary, 29 February, the summer-time change and with the clock moved",
    )


#: fixtures that mean a test needs servers or a database: it is an integration test, not a unit test
INTEGRATION_FIXTURES = {"databases", "live_services", "app", "client", "config"}
#: modules whose tests start servers or processes of their own
SERVER_MODULES = {
    "test_sandbox_http.py",
    "test_delivery_reliability.py",
    "test_webhook.py",
    "test_notify.py",
    "test_minimisation.py",
}


#: modules whose tests depend on the date (besides those marked ``calendar`` themselves): run again by
#: bin/test with the process clock moved (docs/decisions/0005-test-data-moves-with-time.md)
CALENDAR_MODULES = {
    "test_calendar.py",
    "test_clock.py",
    "test_sandbox_dates.py",
    "test_minimisation.py",
    "test_drafts.py",
    "test_case_services.py",
    "test_nextmonth.py",
    "test_nextmonth_compare.py",
    "test_routing.py",
    "test_indication.py",
    "test_mandates.py",
}


def pytest_collection_modifyitems(config, items):
    """``bin/test unit`` runs what needs neither a database nor a server (``-m unit``); ``-m calendar``
    what depends on the date."""
    moved = config.getoption("--move-process-clock")
    for item in items:
        if moved and item.get_closest_marker("own_processes"):
            item.add_marker(
                pytest.mark.skip(
                    reason="starts portal processes of its own, whose clock --move-process-clock cannot move"
                )
            )
        if item.path.name in CALENDAR_MODULES:
            item.add_marker(pytest.mark.calendar)
        needs = set(getattr(item, "fixturenames", ())) & INTEGRATION_FIXTURES
        serves = "over_http" in item.name or item.path.name in SERVER_MODULES
        if not needs and not serves and not item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.unit)


def pytest_unconfigure(config):
    moved = getattr(config, "_moved_clock", None)
    if moved is not None:
        moved.stop()


@pytest.fixture(autouse=True)
def _the_clock(request):
    """Every test starts on the session's clock (the machine's, or ``--clock``) and leaves it so."""
    moment = request.config.getoption("--clock")
    if moment:
        clock.travel(clock.parse_moment(moment))
    else:
        clock.reset()
    yield
    clock.reset()


@pytest.fixture
def as_authored():
    """The clock on the day the sandbox's cast was written as seen on, for tests that compare a fetch
    with the person files' own dates (devstack/sandbox/dates.py)."""
    from devstack.sandbox.dates import AUTHORED_DAY

    clock.travel(clock.parse_moment(AUTHORED_DAY.isoformat()))
    yield AUTHORED_DAY


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def live_services():
    """The test identity provider and the sandbox providers on real ports, once per run."""
    from devstack.idp import create_idp_app
    from devstack.sandbox import create_sandbox_app

    idp_url = f"http://127.0.0.1:{free_port()}"
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    template = Config(base_url=PORTAL_BASE, idp_url=idp_url, sandbox_url=sandbox_url)
    stack = Stack()
    stack.add(
        create_idp_app(issuer=idp_url, clients=idp_clients(template)), "127.0.0.1", int(idp_url.rsplit(":", 1)[1])
    )
    stack.add(create_sandbox_app(api_token=template.sandbox_token), "127.0.0.1", int(sandbox_url.rsplit(":", 1)[1]))
    yield {"idp_url": idp_url, "sandbox_url": sandbox_url}
    stack.shutdown()


@pytest.fixture
def config(databases, live_services, tmp_path):
    url = databases.fresh()
    # A generous provider deadline: on a busy shared machine the in-process sandbox can be slow, and a
    # test that is about deadlines sets its own (tests/test_fetch_core.py, the sandbox's faults).
    yield Config(
        base_url=PORTAL_BASE,
        staff_directory=STAFF_FILE,
        database_url=url,
        idp_url=live_services["idp_url"],
        fetch_in_background=False,
        sandbox_url=live_services["sandbox_url"],
        instance_path=tmp_path / "instance",
        provider_timeout_seconds=GENEROUS_DEADLINE_SECONDS,
    )
    databases.drop(url)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, even while the test holds
    one open for database access (else ``g`` — and the CSRF token cached in it — leaks
    between requests and clients)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(FlaskClient.open, self, *args, **kwargs)


@pytest.fixture
def app(config):
    app = create_app(config)
    app.config["TESTING"] = True
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    def _login(personnummer: str):
        return idp_login(client, "/auth/login", {"subject": personnummer})

    return _login


@pytest.fixture
def staff_login(client):
    def _login(sub: str):
        return idp_login(client, "/auth/staff/login", {"subject": sub})

    return _login


@pytest.fixture
def sandbox(live_services):
    """The sandbox's control API: faults and the call log, cleared before and after a test."""
    import httpx

    control = httpx.Client(base_url=live_services["sandbox_url"], headers={"Authorization": "Bearer sandbox-token"})
    control.delete("/_control/faults")
    control.delete("/_control/calls")
    yield control
    control.delete("/_control/faults")
    control.close()
