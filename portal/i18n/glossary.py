"""The glossary (translations/glossary.csv): the domain terms, each with its rendering and a
one-sentence explanation per language, and the checks that keep the catalogs true to it.

Rule 1: a Swedish term (an agency, a benefit, a legal term) stays Swedish, verbatim, in every
translation whose msgid contains it, because the applicant must recognise it in letters; a
message that is nothing but such a term (a benefit's label) carries an explanation too.
Rule 2: an English domain word ("municipality", "case"...) has one rendering per language, used
in every translation whose msgid contains it. A rendering is a stem that survives inflection;
"a|b" lists the forms of one word that share no stem (Arabic broken plurals: "أصل|أصول").
See docs/design.md, "Languages".
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog

from portal.config import REPO_ROOT

GLOSSARY = REPO_ROOT / "translations" / "glossary.csv"
PER_LANGUAGE = REPO_ROOT / "translations" / "glossary"  # <lang>.json from the translators
LANGUAGES = ("sv", "en", "ar", "so", "fa", "ti", "uk", "fi")  # the glossary's columns
_PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}|<[^>]+>", re.I)
# What may join Swedish terms in a label ("Aktivitetsstöd and etableringsersättning").
_JOINERS = re.compile(r"\b(and|or|the)\b|[\W\d_]", re.I)
# A translation explains a lone Swedish term with words in parentheses ("Premiepension (the part of
# the state pension ...)") or a phrase longer than any language's "and"/"or" between two terms.
_EXPLANATION_LETTERS = 8
_IN_PARENTHESES = re.compile(r"\([^()]*[^\W\d_][^()]*\)")


@dataclass
class Term:
    term: str
    rule: str  # "1": Swedish kept verbatim; "2": an English word rendered once per language
    explain_alone: bool = False
    not_in: list[str] = field(default_factory=list)  # English phrases where the word means something else
    rendering: dict[str, str] = field(default_factory=dict)
    explanation: dict[str, str] = field(default_factory=dict)

    def forms(self, language: str) -> list[str]:
        return [form.strip() for form in self.rendering.get(language, "").split("|") if form.strip()]

    def english(self) -> re.Pattern:
        if self.rule == "1":
            return re.compile(r"(?<!\w)" + re.escape(self.term) + r"(?!\w)", re.I)
        stem = self.term[:-1] if self.term.endswith("s") else self.term
        return re.compile(r"\b" + re.escape(stem) + r"(s|es)?\b", re.I)


def columns() -> list[str]:
    names = ["term", "rule", "explain_alone", "not_in"]
    for language in LANGUAGES:
        names += [language, f"{language}_explanation"]
    return names


def load(path: Path = GLOSSARY) -> list[Term]:
    terms = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            terms.append(
                Term(
                    term=row["term"],
                    rule=row["rule"],
                    explain_alone=row.get("explain_alone") == "yes",
                    not_in=[p.strip() for p in (row.get("not_in") or "").split(";") if p.strip()],
                    rendering={lang: row.get(lang) or "" for lang in LANGUAGES if row.get(lang)},
                    explanation={
                        lang: row.get(f"{lang}_explanation") or ""
                        for lang in LANGUAGES
                        if row.get(f"{lang}_explanation")
                    },
                )
            )
    return terms


def save(terms: list[Term], path: Path = GLOSSARY) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns(), lineterminator="\n")
        writer.writeheader()
        for term in terms:
            row = {
                "term": term.term,
                "rule": term.rule,
                "explain_alone": "yes" if term.explain_alone else "",
                "not_in": "; ".join(term.not_in),
            }
            for language in LANGUAGES:
                row[language] = term.rendering.get(language, "")
                row[f"{language}_explanation"] = term.explanation.get(language, "")
            writer.writerow(row)


def merge(terms: list[Term], directory: Path = PER_LANGUAGE) -> list[str]:
    """Fill each language's rendering and explanation from translations/glossary/<lang>.json
    (the translators' choices: {"<term>": {"rendering": ..., "explanation": ...}}). Returns what
    could not be merged; a rule-1 term's rendering is the Swedish term itself, whatever the file says."""
    problems = []
    by_name = {t.term.lower(): t for t in terms}
    for path in sorted(directory.glob("*.json")):
        language = path.stem
        if language not in LANGUAGES:
            problems.append(f"{path.name}: not a language of the glossary")
            continue
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            term = by_name.get(name.strip().lower())
            if term is None:
                problems.append(f"{language}: {name!r} is not a term of the glossary")
                continue
            rendering = (entry.get("rendering") or "").strip()
            if term.rule == "1":
                if rendering and rendering.lower() != term.term.lower():
                    problems.append(f"{language}: {term.term!r} must stay Swedish, not {rendering!r}")
                term.rendering[language] = term.term
            elif rendering:
                term.rendering[language] = rendering
            if (entry.get("explanation") or "").strip():
                term.explanation[language] = entry["explanation"].strip()
    return problems


def _source(msgid: str, term: Term) -> str:
    text = _PLACEHOLDER.sub(" ", msgid)
    for phrase in term.not_in:
        text = re.sub(re.escape(phrase), " ", text, flags=re.I)
    return text


def _strings(message) -> list[str]:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return [s for s in strings if s]


def _has(strings: list[str], forms: list[str], plural: bool) -> bool:
    """Every translation has one of the forms; of a plural's forms one is enough (Arabic's "no
    messages" form, for one, rarely names the thing)."""
    found = [any(form.lower() in s.lower() for form in forms) for s in strings]
    return any(found) if plural else all(found)


def _bare(msgid: str, rule1: list[Term]) -> bool:
    """The message is nothing but Swedish terms (a label such as "Premiepension")."""
    text = msgid
    for term in rule1:
        text = term.english().sub(" ", text)
    return not _JOINERS.sub("", text)


def check_catalog(language: str, catalog: Catalog, terms: list[Term]) -> list[str]:  # noqa: C901 - every glossary rule for one message in one pass, so each message is read once
    problems = []
    rule1 = [t for t in terms if t.rule == "1"]
    for term in terms:
        if language not in term.explanation:
            problems.append(f"{language}: glossary: no explanation of {term.term!r}")
        if term.rule == "2" and not term.forms(language):
            problems.append(f"{language}: glossary: no rendering of {term.term!r}")
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        strings = _strings(message)
        if not strings:
            continue  # missing: reported by the completeness check
        plural = isinstance(message.id, (tuple, list))
        for term in terms:
            source = _source(msgid, term)
            if term.rule == "1":
                # Swedish text inflects its own words ("Försäkringskassans"); the rule is for translations.
                if language == "sv":
                    continue
                for found in {m.group(0) for m in term.english().finditer(source)}:
                    if not _has(strings, [found], plural):
                        problems.append(f"{language}: {found!r} not kept in Swedish in {msgid!r}")
            elif (
                language != "en"
                and term.forms(language)
                and term.english().search(source)
                and not _has(strings, term.forms(language), plural)
            ):
                problems.append(f"{language}: {term.term!r} not rendered as {term.rendering[language]!r} in {msgid!r}")
        if (
            language != "sv"
            and _bare(msgid, rule1)
            and any(t.explain_alone and t.english().search(msgid) for t in rule1)
        ):
            rest = strings[0]
            for term in rule1:
                rest = term.english().sub(" ", rest)
            if not _IN_PARENTHESES.search(rest) and len(re.sub(r"[\W\d_]", "", rest)) < _EXPLANATION_LETTERS:
                problems.append(f"{language}: {msgid!r} is a Swedish term alone: explain it in the translation")
    return problems
