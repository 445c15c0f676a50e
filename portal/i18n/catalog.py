"""Catalog checks for CI: the committed template must match the code, every supported
language must translate every message, and every translation must keep to the glossary
(portal/i18n/glossary.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from portal.config import REPO_ROOT
from portal.i18n import glossary
from portal.i18n.services import SUPPORTED

TRANSLATIONS = REPO_ROOT / "translations"


def extract(target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(REPO_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(target),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )


def _ids(path: Path) -> set:
    with path.open("rb") as fh:
        return {(m.id, m.context) for m in read_po(fh) if m.id}


def check(languages: tuple[str, ...] = SUPPORTED) -> list[str]:
    problems: list[str] = []
    terms = glossary.load()
    template = TRANSLATIONS / "messages.pot"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        extract(fresh)
        wanted = _ids(fresh)
    if not template.exists() or _ids(template) != wanted:
        problems.append("translations/messages.pot is stale: run `bin/translations update`")
    for locale in languages:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            problems.append(f"{locale}: no catalog")
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for msgid, context in sorted(wanted, key=str):
            message = catalog.get(msgid, context)
            strings = message.string if message else None
            missing = not all(strings) if isinstance(strings, tuple) else not strings
            if message is None or missing or message.fuzzy:
                problems.append(f"{locale}: untranslated {msgid!r}")
        problems += glossary.check_catalog(locale, catalog, terms)
    return problems
