"""The exchange document for people: a Swedish PDF of the same content, and the applicant's
receipt (kvittens). Both are rendered from the document alone (no database, no request), so
the PDF shows exactly what the JSON says.

The PDFs are HTML templates (``templates/pdf/``) laid out by WeasyPrint, whose Pango/HarfBuzz stack
shapes every script (Arabic joined, right to left) with fonts found through fontconfig (Noto Sans and
Noto Naskh Arabic from the Debian package ``fonts-noto-core``, DejaVu Sans as fallback), embedded as
subsets. Every PDF is tagged (a structure tree, ``/MarkInfo``, ``/Lang``) so a screen reader can read
it (EN 301 549 §10, PDF/UA-1). The copies a municipality archives (the application and the decision)
are PDF/A-2a, the archival format whose level "a" also requires the tagging; they carry the PDF/UA
identifier too. docs/decisions/0006-accessible-documents.md explains the choice.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.support import Translations
from flask_babel import force_locale
from jinja2 import Environment, FileSystemLoader, select_autoescape

from portal.clock import SWEDEN
from portal.config import REPO_ROOT
from portal.exchange import document as exchange
from portal.situation.summary import for_document

THEME_ORDER = ("income", "housing", "work", "assets", "other")
THEME_SV = {
    "income": "Inkomster",
    "housing": "Boende",
    "work": "Arbete och aktivitet",
    "assets": "Tillgångar",
    "other": "Övrigt",
}
SCOPE_SV = {"folkbokforing": "Folkbokföring", "basic": "Grunduppgifter", "extended": "Utökade uppgifter"}
KIND_SV = {"pdf": "PDF", "jpeg": "JPEG-bild", "png": "PNG-bild"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# The person's own copy is PDF/UA-1; an archived copy is PDF/A-2a (tagged) and says it is PDF/UA-1 too.
PERSONAL = "pdf/ua-1"
ARCHIVED = "pdf/a-2a"
_UA_IDENTIFIER = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
    b"<pdfuaid:part>1</pdfuaid:part></rdf:Description></rdf:RDF>"
)


# --- formatting -------------------------------------------------------------------------------


def _text(value) -> str:
    """Printable text: control characters (other than new lines and tabs) dropped."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def kronor(ore: int | None) -> str:
    """Öre as Swedish kronor: 5 123,00 kr (a minus sign for negatives)."""
    if ore is None:
        return "–"
    sign = "−" if ore < 0 else ""
    whole, part = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{part:02d}\u00a0kr"


def _parse_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value: str | None) -> str:
    """A UTC timestamp as Swedish time, with the UTC time beside it."""
    moment = _parse_utc(value)
    if moment is None:
        return _text(value) or "–"
    local = moment.astimezone(SWEDEN)
    return f"{local:%Y-%m-%d} kl. {local:%H:%M} svensk tid ({moment.astimezone(UTC):%H:%M} UTC)"


def when_utc(value: str | None) -> str:
    moment = _parse_utc(value)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else (_text(value) or "–")


def month_sv(value: str | None) -> str:
    """ "2026-11" -> "november 2026"."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return format_date(date(year, month, 1), "LLLL yyyy", locale="sv")
    except ValueError:
        return _text(value)


def language_sv(code: str | None) -> str:
    """ "ar" -> "arabiska"."""
    if not code:
        return "okänt"
    try:
        return Locale.parse("sv").languages.get(code.split("-")[0], code)
    except Exception:
        return code


def personnummer(value: str | None) -> str:
    value = value or ""
    return f"{value[:8]}-{value[8:]}" if len(value) == 12 and value.isdigit() else _text(value)


def period_text(period: dict | None) -> str:
    period = period or {}
    start, end = period.get("start"), period.get("end")
    if start and end:
        return start if start == end else f"{start} – {end}"
    if start:
        return f"från {start}"
    if end:
        return f"till {end}"
    return ""


# --- HTML to PDF ------------------------------------------------------------------------------


@cache
def _environment(locale: str):
    """A Jinja environment for templates/pdf/ with the catalog of ``locale`` installed: the parts of a
    PDF in the applicant's language go through Babel, the Swedish parts (the municipality's language)
    are written in Swedish in the templates."""
    env = Environment(
        loader=FileSystemLoader(str(REPO_ROOT / "templates" / "pdf")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The i18n extension adds this method when the environment is made; its stubs cannot say so.
    env.install_gettext_translations(  # pyright: ignore[reportAttributeAccessIssue]
        Translations.load(str(REPO_ROOT / "translations"), [locale]), newstyle=True
    )
    env.filters.update(
        kronor=kronor,
        when=when,
        when_utc=when_utc,
        month_sv=month_sv,
        text=_text,
        personnummer=personnummer,
        period_text=period_text,
        language_sv=language_sv,
    )
    return env


def write_pdf(template: str, variant: str, locale: str = "sv", **context) -> bytes:
    """Render templates/pdf/``template`` and lay it out as a tagged PDF of ``variant``."""
    from weasyprint import HTML  # deferred: importing WeasyPrint takes over a second, only rendering needs it

    html = _environment(locale).get_template(template).render(**context)
    document = HTML(string=html, base_url=str(REPO_ROOT / "templates" / "pdf")).render()
    if variant == ARCHIVED:
        document.metadata.xmp_metadata.append(_UA_IDENTIFIER)
    pdf = document.write_pdf(pdf_variant=variant)
    assert pdf is not None  # without a target, WeasyPrint answers the bytes
    return pdf


def _member_names(doc: dict) -> dict[int | None, str]:
    """memberId -> how the PDF names the member (relation only when protected)."""
    applicant = doc.get("applicant") or {}
    names = {applicant.get("memberId"): f"Sökande: {applicant.get('givenName', '')} {applicant.get('familyName', '')}"}
    for member in (doc.get("household") or {}).get("members", []):
        relation = member.get("relationLabel") or exchange.RELATION_SV.get(member.get("relation"), "Hushållsmedlem")
        if doc.get("protected") or "givenName" not in member:
            names[member.get("memberId")] = f"{relation} (uppgifter skyddade)"
        else:
            names[member.get("memberId")] = f"{relation}: {member.get('givenName', '')} {member.get('familyName', '')}"
    return names


def _fetched_groups(doc: dict, members: dict) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """The fetched items grouped by member (in household order), then by theme (in THEME_ORDER)."""
    order = list(members)
    by_member: dict = {}
    for item in doc.get("fetched") or []:
        by_member.setdefault(item.get("memberId"), []).append(item)
    groups = []
    for member_id in sorted(by_member, key=lambda m: order.index(m) if m in order else len(order)):
        themes: dict = {}
        for item in by_member[member_id]:
            themes.setdefault(item.get("theme"), []).append(item)
        ordered = sorted(themes, key=lambda t: THEME_ORDER.index(t) if t in THEME_ORDER else len(THEME_ORDER))
        groups.append(
            (
                members.get(member_id, f"Hushållsmedlem {member_id}"),
                [
                    (THEME_SV.get(theme, themes[theme][0].get("themeLabel") or theme), themes[theme])
                    for theme in ordered
                ],
            )
        )
    return groups


def render(doc: dict) -> bytes:
    """The whole application as a Swedish PDF (archived by the municipality: PDF/A-2a)."""
    members = _member_names(doc)
    stated = doc.get("applicantStated") or {}
    labels = {item.get("id"): item.get("label") for item in doc.get("fetched") or []}
    costs = {entry.get("id"): entry.get("label") for entry in (stated.get("costs") or {}).get("entries") or []}
    return write_pdf(
        "application.html",
        ARCHIVED,
        doc=doc,
        checksum=exchange.digest(doc),
        members=members,
        groups=_fetched_groups(doc, members),
        stated=stated,
        item_labels=labels,
        cost_labels=costs,
        scope_sv=SCOPE_SV,
        kind_sv=KIND_SV,
        situation=_situation(doc),
    )


def _situation(doc: dict) -> dict | None:
    """The applicant's situation (issue 16) in Swedish, from the document alone."""
    with force_locale("sv"):
        return for_document(doc)


def render_receipt(doc: dict, digest: str) -> bytes:
    """The applicant's receipt (kvittens): reference, time, municipality, digest; in Swedish, and
    also in the applicant's own language when that is another one (PDF/UA-1, the person's copy)."""
    language = (doc.get("language") or "sv").split("-")[0]
    municipality = (doc.get("municipality") or {}).get("name") or (doc.get("municipality") or {}).get("code") or "–"
    moment = _parse_utc(doc.get("submittedAt"))
    return write_pdf(
        "receipt.html",
        PERSONAL,
        locale=language,
        doc=doc,
        digest=digest,
        language=language,
        municipality=municipality,
        rtl=language in RTL_LANGUAGES,
        sent_utc=f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else None,
    )


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
