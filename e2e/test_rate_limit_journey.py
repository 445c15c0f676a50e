"""Too many attempts (issue 13, point 2): past a limit the person gets a page saying, in their language,
when to try again; it passes axe in Swedish, Arabic and Persian, works by keyboard alone and without JavaScript.
A portal of its own beside the journeys' stack (the same database), with the login limit at one a
minute: the second login callback is refused."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from devstack.stack import Stack
from e2e.journey import Person, choose_language, expect_language, tr
from portal.config import RATE_LIMITS
from tests.support import free_port


@pytest.fixture(scope="module")
def limited(stack):
    from portal import create_app

    port = free_port()
    config = replace(stack, base_url=f"http://127.0.0.1:{port}", ratelimits={**RATE_LIMITS, "login": "1 per minute"})
    servers = Stack()
    servers.add(create_app(config), "127.0.0.1", port)
    yield config.base_url
    servers.shutdown()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_page_after_too_many_attempts_says_when_to_try_again(limited, new_page, axe, javascript):
    page = new_page(javascript=javascript)
    axe = axe if javascript else None  # axe runs in the page: it needs JavaScript
    person = Person(page, keyboard=True, axe=axe, lang="sv")
    callback = f"{limited}/auth/callback/citizen?code=nothing&state=nothing"
    page.goto(callback)  # the one attempt the minute allows (refused by the login itself: no such state)
    answer = page.goto(callback)
    assert answer.status == 429
    assert 0 < int(answer.headers["retry-after"]) <= 60
    expect(page.locator("h1")).to_have_text(tr("sv", "Too many attempts in a short time"))
    expect(page.locator("main")).to_contain_text(re.compile(r"försöka igen om .+ klockan \d"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    person.check_page()

    # In Arabic, right to left, by the language switcher: still too soon, the same page.
    choose_language(person, "ar")
    expect(page.locator("h1")).to_have_text(tr("ar", "Too many attempts in a short time"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    arabic = Person(page, keyboard=True, axe=axe, lang="ar")
    arabic.check_page()

    # And in Persian, also right to left: its own catalog, the same page.
    choose_language(arabic, "fa")
    expect(page.locator("h1")).to_have_text(tr("fa", "Too many attempts in a short time"))
    expect_language(page, "fa")
    persian = Person(page, keyboard=True, axe=axe, lang="fa")
    persian.check_page()
    persian.activate(page.get_by_role("link", name=tr("fa", "Go to the start page")))
    expect(page).to_have_url(f"{limited}/")
