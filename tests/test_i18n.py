from datetime import date

import pytest
from flask_babel import force_locale

from portal.i18n.services import money, month, text_direction
from tests.support import page_checks, soup


@pytest.mark.parametrize("header,lang,direction", [
    (None, "sv", "ltr"),
    ("en-GB,en;q=0.9", "en", "ltr"),
    ("ar-SE,ar;q=0.9,sv;q=0.5", "ar", "rtl"),
    ("fr-FR,de;q=0.8", "sv", "ltr"),
])
def test_accept_language_then_swedish(client, header, lang, direction):
    headers = {"Accept-Language": header} if header else {}
    page_checks(client.get("/", headers=headers), lang=lang, direction=direction)


def test_explicit_choice_beats_accept_language(client):
    response = client.get("/language?lang=ar&next=/", headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.location == "/"
    assert "portal_lang=ar" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/", headers={"Accept-Language": "en"})
    doc = page_checks(page, lang="ar", direction="rtl")
    assert doc.find("h1").get_text(strip=True) == "التقدم بطلب للحصول على المساعدة المالية"


def test_swedish_is_translated(client):
    doc = page_checks(client.get("/"))
    assert doc.find("h1").get_text(strip=True) == "Ansök om ekonomiskt bistånd"
    assert doc.find("a", class_="skip-link").get_text(strip=True) == "Hoppa till huvudinnehållet"


def test_unknown_language_gets_a_translated_page_and_no_cookie(client):
    response = client.get("/language?lang=xx&next=/")
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "portal_lang" not in response.headers["Set-Cookie"]
    doc = page_checks(response)
    assert doc.find("h1").get_text(strip=True) == "Det språket finns inte"
    assert len(doc.find("main").find_all("a", lang=True)) == 3


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/language?lang=en&next=//evil.example/")
    assert response.location == "/"


def test_language_links_are_marked_with_their_language(client):
    nav = soup(client.get("/")).find("nav", class_="language-switcher")
    assert {a["lang"] for a in nav.find_all("a")} == {"sv", "en", "ar"}
    assert nav.find("a", attrs={"aria-current": "true"})["lang"] == "sv"


def test_formats_per_locale(app):
    with app.test_request_context():
        with force_locale("sv"):
            assert money(123456) == "1\xa0234,56\xa0kr"
            assert month(date(2026, 12, 1)) == "december 2026"
            assert text_direction() == "ltr"
        with force_locale("en"):
            assert money(123456) == "SEK1,234.56"
            assert month(date(2026, 12, 1)) == "December 2026"
        with force_locale("ar"):
            assert text_direction() == "rtl"
            assert "2026" in month(date(2026, 12, 1)) or "٢٠٢٦" in month(date(2026, 12, 1))


def test_outside_a_request_the_default_language_is_used(app):
    """A worker formats amounts and dates without a request; the locale must not need one."""
    from portal.i18n.services import select_locale

    with app.app_context():
        assert select_locale() == "sv"
        assert month(date(2026, 12, 1)) == "december 2026"
        assert text_direction() == "ltr"
