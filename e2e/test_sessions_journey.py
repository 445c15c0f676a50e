"""Sessions kept on the server (issue 12, point 3): a citizen is logged in in one browser; an
administrator, keyboard only, ends all the citizen's sessions (first with a wrong personnummer, which
is refused with what was typed kept); the citizen's next click gets the login page. After logging out,
the old session cookie opens nothing. Swedish, Arabic and Persian, axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.journey import LANGUAGES, Person, choose_language, tr

pytestmark = pytest.mark.e2e

# Test personnummer no other test logs in with (devstack/testdata/testpersonnummer.txt).
CITIZEN = {"sv": "199007302384", "ar": "195005050520", "fa": "190301249801"}


def ntr(lang: str, singular: str, plural: str, n: int) -> str:
    from babel.support import Translations

    from portal.config import REPO_ROOT

    return Translations.load(str(REPO_ROOT / "translations"), [lang]).ungettext(singular, plural, n) % {"num": n}


def _citizen_logs_in(stack, new_page, personnummer: str):
    page = new_page()
    page.goto(f"{stack.base_url}/auth/login")
    page.get_by_label(tr("sv", "Or enter another test personnummer")).fill(personnummer)
    page.locator("#submit").click()
    expect(page).to_have_url(f"{stack.base_url}/overview")
    return page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_administrator_ends_all_sessions_of_a_citizen(stack, new_page, axe, lang):
    citizen = _citizen_logs_in(stack, new_page, CITIZEN[lang])

    page = new_page()
    admin = Person(page, keyboard=True, axe=axe, lang=lang)
    page.goto(f"{stack.base_url}/municipality/")
    choose_language(admin, lang)
    admin.activate(page.get_by_role("link", name=tr(lang, "Log in with your organisation account")))
    admin.idp_login("Sara Förvaltare")
    expect(page).to_have_url(re.compile("^" + re.escape(stack.base_url) + "/"))  # back, logged in
    page.goto(f"{stack.base_url}/municipality/admin")
    admin.activate(page.get_by_role("link", name=tr(lang, "End all sessions of a person")))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(lang, "End all sessions of a person"))
    admin.check_page()
    field = page.get_by_label(tr(lang, "Personnummer or staff identity"))
    field.fill(CITIZEN[lang][:-1] + str((int(CITIZEN[lang][-1]) + 1) % 10))  # a wrong check digit
    admin.activate(page.get_by_role("button", name=tr(lang, "End all sessions")))
    expect(page.locator("[data-error-summary]")).to_contain_text(
        tr(lang, "Enter a personnummer with 12 digits (ÅÅÅÅMMDDNNNN), or a staff identity.")
    )
    expect(field).to_have_value(CITIZEN[lang][:-1] + str((int(CITIZEN[lang][-1]) + 1) % 10))  # kept
    admin.check_page()
    field.fill(CITIZEN[lang])
    admin.activate(page.get_by_role("button", name=tr(lang, "End all sessions")))
    ended = ntr(lang, "%(num)d session ended.", "%(num)d sessions ended.", 1)
    expect(page.get_by_role("status")).to_contain_text(ended)
    admin.check_page()

    citizen.reload()  # the next click: sent to log in again, at the identity provider
    assert citizen.url.startswith(f"{stack.idp_url}/authorize")


def test_a_cookie_kept_after_logout_opens_nothing(stack, new_page):
    page = _citizen_logs_in(stack, new_page, CITIZEN["sv"])
    kept = [c for c in page.context.cookies() if c["name"] == "portal_session"]
    assert kept and len(kept[0]["value"]) == 43  # a random id, nothing else
    page.get_by_role("button", name=tr("sv", "Log out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("sv", "You are logged out"))
    replay = new_page()
    replay.context.add_cookies(kept)
    replay.goto(f"{stack.base_url}/overview")
    assert replay.url.startswith(f"{stack.idp_url}/authorize")  # the login, not the overview
