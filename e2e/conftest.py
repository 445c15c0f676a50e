"""Browser journeys: the whole stack on real ports (SQLite), driven in Debian's Chromium."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from devstack.stack import start_stack
from portal.config import Config
from tests.support import free_port

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")


CURRENT: dict = {}


def pytest_collection_modifyitems(config, items):
    """The journeys' Persian runs are marked ``persian``: bin/test runs them (``-m persian``) in the lane
    beside the other journeys, so the journeys in three languages take no longer than in two."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if item.get_closest_marker("e2e") and callspec is not None and callspec.params.get("lang") == "fa":
            item.add_marker(pytest.mark.persian)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e")
    config = Config(
        base_url=f"http://127.0.0.1:{free_port()}",
        idp_url=f"http://127.0.0.1:{free_port()}",
        sandbox_url=f"http://127.0.0.1:{free_port()}",
        database_url=f"sqlite:///{workdir / 'portal.sqlite3'}",
        instance_path=workdir / "instance",
        smtp_port=0,  # the stack's mail sink on a free port
        demo_mailbox_url=f"http://127.0.0.1:{free_port()}",
    )
    running = start_stack(config)
    CURRENT["stack"] = config  # for helpers that prepare the stack's database (e2e/test_fetch_journey.py)
    yield config
    running.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def _new_page(javascript: bool = True):
        context = browser.new_context(java_script_enabled=javascript, locale="sv-SE")
        context.set_default_timeout(20_000)  # generous: CI shares two cores
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


class AxeChecker:
    """Runs axe-core on a page and collects what it finds, so a journey reports every page."""

    def __init__(self, enabled: bool = True):
        self.axe = Axe()
        self.enabled = enabled
        self.pages: list[str] = []

    def check(self, page) -> None:
        if not self.enabled:
            return
        results = self.axe.run(page)
        self.pages.append(page.url)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


#: The journeys whose Persian run axe checks too: the thin journey and the key pages in every language (issue 19).
#: Every other journey's Persian run shows the same templates, in the same direction, as its Arabic run, which axe
#: checks page by page; axe is about half of a journey's time, and leaving it out there takes about three minutes
#: off CI's longer lane (README).
AXE_IN_PERSIAN = frozenset({"test_thin_journey.py", "test_languages_journey.py"})


@pytest.fixture
def axe(request):
    callspec = getattr(request.node, "callspec", None)
    persian = callspec is not None and callspec.params.get("lang") == "fa"
    return AxeChecker(enabled=not persian or request.node.path.name in AXE_IN_PERSIAN)
