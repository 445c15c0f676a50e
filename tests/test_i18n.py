from datetime import date

import pytest
from flask_babel import force_locale

from portal.i18n.services import NATIVE_NAMES, SUPPORTED, day, money, month, text_direction
from tests.support import page_checks, soup


@pytest.mark.parametrize(
    "header,lang,direction",
    [
        (None, "sv", "ltr"),
        ("en-GB,en;q=0.9", "en", "ltr"),
        ("ar-SE,ar;q=0.9,sv;q=0.5", "ar", "rtl"),
        ("fr-FR,de;q=0.8", "sv", "ltr"),
    ],
)
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
    assert doc.find("h1").get_text(strip=True) == "التقدم بطلب للحصول على المساعدة المالية (ekonomiskt bistånd)"


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
    assert len(doc.find("main").find_all("a", lang=True)) == len(SUPPORTED)


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/language?lang=en&next=//evil.example/")
    assert response.location == "/"


def test_language_links_are_marked_with_their_language(client):
    nav = soup(client.get("/")).find("nav", class_="language-switcher")
    assert {a["lang"] for a in nav.find_all("a")} == set(SUPPORTED)
    assert {a.get_text(strip=True) for a in nav.find_all("a")} == {NATIVE_NAMES[code] for code in SUPPORTED}
    assert nav.find("a", attrs={"aria-current": "true"})["lang"] == "sv"


def test_formats_per_locale(app):
    with app.test_request_context():
        with force_locale("sv"):
            assert money(123456) == "1\xa0234,56\xa0kr"
            assert month(date(2026, 12, 1)) == "december 2026"
            assert text_direction() == "ltr"
        with force_locale("en"):
            assert money(123456) == "SEK\xa01,234.56"
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


# CLDR's pattern per locale; a letter sign is kept apart from the digits (CLDR currency spacing).
AMOUNTS = {
    "sv": "13\xa0329,36\xa0kr",
    "en": "SEK\xa013,329.36",
    "ar": "\u200f13,329.36\xa0SEK",
    "so": "SEK\xa013,329.36",
    "fa": "\u200eSEK\xa013,329.36",
    "ti": "SEK\xa013,329.36",
    "uk": "13\xa0329,36\xa0SEK",
    "fi": "13\xa0329,36\xa0SEK",
}
DAYS = {
    "sv": "4 december 2026",
    "en": "December 4, 2026",
    "ar": "4 ديسمبر 2026",
    "so": "Diseembar 4, 2026",
    "fa": "4 دسامبر 2026",
    "ti": "ታሕሳስ 4, 2026",
    "uk": "4 грудня 2026\u202fр.",
    "fi": "4. joulukuuta 2026",
}


@pytest.mark.parametrize("locale", list(NATIVE_NAMES))
def test_amounts_and_dates_in_each_language(app, locale):
    """Every language the portal has or will enable; the formats come from CLDR, not the catalogs."""
    with app.test_request_context(), force_locale(locale):
        assert money(1332936) == AMOUNTS[locale]
        assert day(date(2026, 12, 4)) == DAYS[locale]
        assert text_direction() == ("rtl" if locale in ("ar", "fa") else "ltr")


def test_every_language_is_named_in_itself():
    assert NATIVE_NAMES == {
        "sv": "Svenska",
        "en": "English",
        "ar": "العربية",
        "so": "Soomaali",
        "fa": "فارسی",
        "ti": "ትግርኛ",
        "uk": "Українська",
        "fi": "Suomi",
    }
    assert set(SUPPORTED) <= set(NATIVE_NAMES)


def test_a_logged_in_person_s_choice_is_kept_for_the_next_login_and_the_notifications(app, client, login):
    from portal.audit.models import AuditEvent
    from portal.case.models import ContactDetails
    from portal.case.notify import language_of
    from portal.extensions import db
    from tests.test_journey import SINGLE_ADULT

    login(SINGLE_ADULT)
    client.get("/language?lang=en&next=/overview")  # a link (GET): this browser only, nothing kept
    assert db.session.scalars(db.select(ContactDetails)).all() == []
    header = soup(client.get("/overview")).find("nav", class_="language-switcher").find("form")
    assert header["method"] == "post" and header.find("button", attrs={"name": "lang", "value": "en"})
    token = header.find("input", attrs={"name": "csrf_token"})["value"]
    chosen = client.post(header["action"], data={"csrf_token": token, "next": "/overview", "lang": "en"})
    assert chosen.status_code == 303 and chosen.location.endswith("/overview")
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.object_type == "contact_details")).one()
    contact = db.session.get(ContactDetails, event.subject_id)
    assert contact.language == "en" and language_of(contact) == "en"
    assert (contact.email, contact.notify_email, contact.notify_sms) == (None, False, False)

    other_browser = app.test_client()  # no language cookie: the person's own choice, not the browser's wish
    from tests.support import idp_login

    idp_login(other_browser, "/auth/login", {"subject": SINGLE_ADULT})
    page_checks(other_browser.get("/overview", headers={"Accept-Language": "ar"}), lang="en")
    # A choice in that browser still wins, and becomes the person's.
    form = soup(other_browser.get("/overview")).find("nav", class_="language-switcher").find("form")
    other_browser.post(
        form["action"],
        data={"csrf_token": form.find("input", attrs={"name": "csrf_token"})["value"], "next": "/", "lang": "ar"},
    )
    page_checks(other_browser.get("/overview"), lang="ar", direction="rtl")
    db.session.expire_all()
    assert db.session.get(ContactDetails, event.subject_id).language == "ar"


def test_an_anonymous_choice_stores_nothing(client):
    from portal.case.models import ContactDetails
    from portal.extensions import db

    client.get("/language?lang=en&next=/")
    assert db.session.scalars(db.select(ContactDetails)).all() == []
