"""The glossary (translations/glossary.csv) and the catalog check's rules 1 and 2 built on it."""

from __future__ import annotations

import json

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from portal.config import REPO_ROOT
from portal.i18n import glossary
from portal.i18n.services import ENABLED


def catalog(*entries) -> Catalog:
    result = Catalog(locale="ar")
    for msgid, msgstr in entries:
        result.add(msgid, msgstr)
    return result


@pytest.fixture
def terms():
    return glossary.load()


def problems_about(language, entries, terms):
    return [p for p in glossary.check_catalog(language, catalog(*entries), terms) if "glossary:" not in p]


def test_the_glossary_has_every_term_of_both_rules_with_sv_en_ar_explained(terms):
    names = {t.term for t in terms}
    assert {"försörjningsstöd", "premiepension", "dagersättning (LMA)", "Kronofogden", "Mina meddelanden"} <= names
    assert {"municipality", "caseworker", "case", "social services", "digital mailbox"} <= names
    assert len([t for t in terms if t.rule == "2"]) == 20
    for term in terms:
        for language in ("sv", "en", "ar"):
            assert term.explanation.get(language), (term.term, language)
            assert term.forms(language), (term.term, language)
        if term.rule == "1":
            assert all(term.rendering[lang] == term.term for lang in ("sv", "en", "ar"))


def test_a_swedish_term_translated_away_is_found_and_one_kept_is_not(terms):
    found = problems_about("ar", [("Debts that Kronofogden collects", "الديون التي تحصّلها مصلحة التحصيل")], terms)
    assert found == ["ar: 'Kronofogden' not kept in Swedish in 'Debts that Kronofogden collects'"]
    assert (
        problems_about(
            "ar", [("Debts that Kronofogden collects", "الديون التي تحصّلها مصلحة التحصيل (Kronofogden)")], terms
        )
        == []
    )


def test_swedish_itself_may_inflect_its_terms(terms):
    assert (
        problems_about("sv", [("Debts that Kronofogden collects", "Skulder som Kronofogdens driver in")], terms) == []
    )


def test_a_domain_word_must_have_the_language_s_rendering(terms):
    found = problems_about("ar", [("Your case number", "رقم قضيتك")], terms)
    assert found == ["ar: 'case' not rendered as 'ملف' in 'Your case number'"]
    assert problems_about("ar", [("Your case number", "رقم ملفك")], terms) == []
    # Another sense of the word, listed in the glossary, and a placeholder are not the domain word.
    assert problems_about("ar", [("The municipality's case system", "نظام البلدية")], terms) == []
    assert problems_about("ar", [("%(case)s", "%(case)s")], terms) == []


def test_a_broken_plural_is_one_of_the_listed_forms(terms):
    assert problems_about("ar", [("Your assets", "أصولك")], terms) == []
    assert problems_about("ar", [("An asset", "أصل")], terms) == []


def test_a_swedish_term_alone_needs_an_explanation_beyond_and_or(terms):
    assert problems_about("ar", [("Premiepension", "Premiepension")], terms) == [
        "ar: 'Premiepension' is a Swedish term alone: explain it in the translation"
    ]
    assert problems_about(
        "ar", [("Sjukersättning or aktivitetsersättning", "Sjukersättning أو aktivitetsersättning")], terms
    )
    assert problems_about("ar", [("Premiepension", "Premiepension (جزء المعاش المستثمر في الصناديق)")], terms) == []
    # An agency's name alone is a name (a heading, a source), not a term to explain each time.
    assert problems_about("ar", [("Skatteverket", "Skatteverket")], terms) == []


def test_a_language_without_its_glossary_choices_fails(terms):
    for term in terms:  # as before its translator's choices were merged
        term.rendering.pop("fi", None)
        term.explanation.pop("fi", None)
    missing = [p for p in glossary.check_catalog("fi", catalog(), terms) if "glossary:" in p]
    assert "fi: glossary: no rendering of 'municipality'" in missing
    assert "fi: glossary: no explanation of 'försörjningsstöd'" in missing


def test_merge_takes_the_translators_choices_and_keeps_swedish_terms_swedish(tmp_path, terms):
    (tmp_path / "fi.json").write_text(
        json.dumps(
            {
                "municipality": {"rendering": "kun", "explanation": "Kunta, jossa asut."},
                "försörjningsstöd": {"rendering": "toimeentulotuki", "explanation": "Rahaa elämiseen."},
                "tomato": {"rendering": "tomaatti", "explanation": "-"},
            }
        ),
        encoding="utf-8",
    )
    problems = glossary.merge(terms, tmp_path)
    by_name = {t.term: t for t in terms}
    assert by_name["municipality"].rendering["fi"] == "kun"
    assert by_name["municipality"].explanation["fi"] == "Kunta, jossa asut."
    assert by_name["försörjningsstöd"].rendering["fi"] == "försörjningsstöd"
    assert by_name["försörjningsstöd"].explanation["fi"] == "Rahaa elämiseen."
    assert problems == [
        "fi: 'försörjningsstöd' must stay Swedish, not 'toimeentulotuki'",
        "fi: 'tomato' is not a term of the glossary",
    ]
    saved = tmp_path / "glossary.csv"
    glossary.save(terms, saved)
    again = {t.term: t for t in glossary.load(saved)}
    assert again["municipality"].rendering["fi"] == "kun" and again["case"].not_in == by_name["case"].not_in


@pytest.mark.parametrize("language", ENABLED)
def test_the_enabled_catalogs_keep_to_the_glossary(language, terms):
    with (REPO_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        problems = glossary.check_catalog(language, read_po(fh), terms)
    assert problems == []
