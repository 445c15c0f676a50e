"""Languages beyond the catalogs (issue 19): bidirectional text isolated on the check page in Arabic
and Persian, the language menu, fonts for every script on pages and in PDFs, logical CSS only."""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from portal.config import REPO_ROOT
from portal.i18n import routes as i18n_routes
from portal.i18n import services as i18n
from tests import factories
from tests.support import idp_login, page_checks, soup

AMINA = "199212252382"  # Amina Yusuf in the test data
STATIC = REPO_ROOT / "static"


@pytest.fixture
def languages(monkeypatch):
    """Enables languages for one test, as adding them to ENABLED will: the pages work in them
    (direction, isolation, menu) whether or not their catalog is complete yet."""

    def enable(*codes):
        supported = i18n.SUPPORTED + tuple(c for c in codes if c not in i18n.SUPPORTED)
        monkeypatch.setattr(i18n, "SUPPORTED", supported)
        monkeypatch.setattr(i18n_routes, "SUPPORTED", supported)

    return enable


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_check_answers_isolates_names_agencies_and_amounts_in_right_to_left_text(app, languages, lang):
    languages(lang)
    application = factories.draft(AMINA)
    factories.with_consents(application, ["arbetsformedlingen.basic", "arbetsformedlingen.extended"])
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": AMINA})
    client.get(f"/language?lang={lang}&next=/")
    doc = page_checks(client.get(f"/applications/{application.id}/check"), lang=lang, direction="rtl")

    # "Arbetsförmedlingen (more information) – Amina Yusuf": the agency with its note, and the name,
    # each an isolate, so the dash and the parentheses stay where they belong.
    consent_items = [li for li in doc.select("li") if "Arbetsförmedlingen" in li.get_text()]
    assert consent_items, "the consents are listed on the check page"
    extended = [li for li in consent_items if "(" in li.get_text()]
    assert extended
    for item in consent_items:
        parts = item.find_all("bdi", recursive=False)
        assert [p.get_text(strip=True).split(" (")[0] for p in parts] == ["Arbetsförmedlingen", "Amina Yusuf"]
        # nothing but the separator outside the isolates
        outside = "".join(s for s in item.find_all(string=True, recursive=False)).strip()
        assert outside == "–"
    # the household's names and every amount among the key figures are isolated too
    household = doc.find("dt", string=re.compile(".")).find_parent("dl")
    assert household is not None
    assert any(b.get_text(strip=True) == "Amina Yusuf" for b in doc.select("dd bdi"))
    figures = doc.find(id="key-figures")
    amounts = [b.get_text() for b in figures.find_all("bdi")]
    assert amounts and all("SEK" in a for a in amounts if re.search(r"\d", a))
    # the header's "Logged in as" keeps the name apart
    assert doc.select_one(".site-header__user bdi").get_text(strip=True) == "Amina Yusuf"


def test_the_language_menu_names_each_language_in_itself_with_a_compact_menu(client, languages):
    languages("so", "fa", "ti", "uk", "fi")
    doc = soup(client.get("/"))
    nav = doc.find("nav", class_="language-switcher")
    wide = nav.find(class_="language-switcher__wide")
    compact = nav.find("details", class_="language-switcher__compact")
    assert compact is not None and compact.find("summary")
    for menu in (wide, compact):
        links = menu.find_all("a")
        assert [(a["lang"], a.get_text(strip=True)) for a in links] == [
            ("sv", "Svenska"),
            ("en", "English"),
            ("ar", "العربية"),
            ("so", "Soomaali"),
            ("fa", "فارسی"),
            ("ti", "ትግርኛ"),
            ("uk", "Українська"),
            ("fi", "Suomi"),
        ]
        assert all(a["href"].startswith("/language?lang=") for a in links)  # links: no JavaScript needed
    css = (STATIC / "css" / "portal.css").read_text()
    assert re.search(r"@media \(max-width: 40em\) \{[^}]*\.language-switcher__wide \{ display: none; \}", css)


def test_a_preview_language_is_chosen_and_rendered_right_to_left(client, languages):
    languages("fa")
    response = client.get("/language?lang=fa&next=/")
    assert response.status_code == 302
    page_checks(client.get("/"), lang="fa", direction="rtl")


# --- fonts -----------------------------------------------------------------------------------------

SAMPLES = {
    "latin": "Ansök om ekonomiskt bistånd",
    "cyrillic": "Українська",
    "arabic": "فارسی العربية",
    "ethiopic": "ትግርኛ",
}


def _cmap(path) -> set[int]:
    return set(TTFont(str(path)).getBestCmap())


@pytest.mark.parametrize("script", list(SAMPLES))
def test_each_script_has_its_font_served_by_the_portal_with_its_unicode_range(script):
    css = (STATIC / "css" / "fonts.css").read_text()
    for weight in ("400", "700"):
        path = STATIC / "fonts" / f"noto-{script}-{weight}.woff2"
        assert {ord(c) for c in SAMPLES[script] if not c.isspace()} <= _cmap(path), path.name
        rule = re.search(r"@font-face \{[^}]*noto-" + script + "-" + weight + r"\.woff2[^}]*\}", css)
        assert rule and "unicode-range" in rule.group(0) and '"Egna Noto"' in rule.group(0)
    assert "http" not in css  # served by the portal, never a CDN
    assert (STATIC / "fonts" / "OFL.txt").read_text().count("SIL Open Font License") >= 1


def test_the_latin_font_has_no_other_script_so_a_swedish_page_downloads_nothing_else():
    latin = _cmap(STATIC / "fonts" / "noto-latin-400.woff2")
    assert not any(0x0600 <= c <= 0x06FF or 0x0400 <= c <= 0x04FF or 0x1200 <= c <= 0x139F for c in latin)


def test_the_language_names_have_tiny_fonts_of_their_own_letters():
    names = "".join(i18n.NATIVE_NAMES.values())
    for script, wanted in (("arabic", "العربيةفارسی"), ("ethiopic", "ትግርኛ"), ("cyrillic", "Українська")):
        path = STATIC / "fonts" / f"names-{script}-400.woff2"
        assert {ord(c) for c in wanted} <= _cmap(path) and all(c in names for c in wanted)
        assert path.stat().st_size < 10_000
    css = (STATIC / "css" / "fonts.css").read_text()
    assert re.search(r'\.language-switcher a\[lang\] \{ font-family: "Egna Names"', css)


def test_every_page_links_the_fonts(client):
    doc = soup(client.get("/"))
    assert doc.find("link", href=re.compile(r"/static/css/fonts\.css"))
    assert not doc.find("link", href=re.compile(r"^https?://"))


def test_a_pdf_sets_every_script_in_its_noto_font():
    from weasyprint import HTML

    from portal.exchange.pdf import _environment

    html = (
        _environment("sv")
        .from_string(
            '{% extends "base.html" %}{% block body %}<p>Ansökan</p><p lang="uk">Українська</p>'
            '<p lang="fa" dir="rtl">فارسی</p><p lang="ar" dir="rtl">العربية</p><p lang="ti">ትግርኛ</p>'
            "{% endblock %}"
        )
        .render()
    )
    data = HTML(string=html, base_url=str(REPO_ROOT / "templates" / "pdf")).write_pdf()
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert {"Noto-Sans", "Noto-Naskh-Arabic", "Noto-Sans-Ethiopic"} <= fonts, fonts
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "ትግርኛ" in text and "Українська" in text


# --- direction -------------------------------------------------------------------------------------

PHYSICAL = re.compile(
    r"(?<![\w-])(margin|padding|border)-(left|right)\b|(?<![\w-])(left|right)\s*:|"
    r"text-align:\s*(left|right)|float:\s*(left|right)"
)


@pytest.mark.parametrize("name", sorted(p.name for p in (STATIC / "css").glob("*.css")))
def test_styles_use_logical_properties_so_right_to_left_mirrors_itself(name):
    css = (STATIC / "css" / name).read_text()
    assert not PHYSICAL.findall(css), name


# --- notifications ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["so", "fa", "ti", "uk", "fi"])
def test_a_notification_is_written_in_the_person_s_language_once_it_is_enabled(app, monkeypatch, languages, lang):
    from babel.support import Translations

    from portal.case import notify
    from portal.case.models import ContactDetails

    if not (REPO_ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").exists():
        pytest.skip(f"no {lang} catalog yet")
    contact = ContactDetails(person_id="x", language=lang)
    if lang not in i18n.SUPPORTED:
        assert notify.language_of(contact) == "sv"  # not enabled: Swedish
    languages(lang)
    monkeypatch.setattr(notify, "LANGUAGES", i18n.SUPPORTED)
    assert notify.language_of(contact) == lang
    text = notify.text_for(lang, "https://egna.example/overview")
    catalog = Translations.load(str(REPO_ROOT / "translations"), [lang])
    assert text.subject == catalog.gettext("There is news for you in Egna utrymmet")
    assert text.subject != "There is news for you in Egna utrymmet"
    assert "https://egna.example/overview" in text.sms and text.language == lang


@pytest.mark.parametrize("lang,font", [("ti", "Noto-Sans-Ethiopic"), ("fa", "Noto-Naskh-Arabic"), ("uk", "Noto-Sans")])
def test_the_receipt_s_translated_part_is_set_in_its_script_s_font(lang, font):
    from tests.test_pdf import _receipt

    if not (REPO_ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").exists():
        pytest.skip(f"no {lang} catalog yet")
    reader = PdfReader(io.BytesIO(_receipt(lang)))
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert font in fonts, fonts
    text = "".join(page.extract_text() for page in reader.pages)
    sample = {"ti": "\u1200", "fa": "\u0600", "uk": "\u0400"}[lang]
    assert any(ord(c) >= ord(sample) and ord(c) < ord(sample) + 0x100 for c in text), "the cover is translated"
