"""The exchange document for people: a Swedish PDF of the same content, and the applicant's
receipt (kvittens). Both are rendered from the document alone (no database, no request), so
the PDF shows exactly what the JSON says.

Text is set in a Unicode TrueType font found on the machine (DejaVu Sans from the Debian package
``fonts-dejavu-core``, else Noto Sans or Liberation Sans; ``PORTAL_PDF_FONT`` and
``PORTAL_PDF_FONT_BOLD`` override). Noto Sans Arabic (``fonts-noto-core``), when present, is a
fallback for Arabic letters. With ``uharfbuzz`` installed, Arabic is shaped and set right to
left; without it the letters are kept but shown unjoined.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.clock import SWEDEN
from portal.exchange import document as exchange

FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts/TTF", "/usr/local/share/fonts")
# (regular, bold) file names, first found wins.
FONT_FILES = (
    ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf"),
    ("liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
FALLBACK_FILES = ("noto/NotoSansArabic-Regular.ttf", "noto/NotoNaskhArabic-Regular.ttf")
FONT = "body"

THEME_ORDER = ("income", "housing", "work", "assets", "other")
THEME_SV = {"income": "Inkomster", "housing": "Boende", "work": "Arbete och aktivitet", "assets": "Tillgångar",
            "other": "Övrigt"}
SCOPE_SV = {"folkbokforing": "Folkbokföring", "basic": "Grunduppgifter", "extended": "Utökade uppgifter"}
KIND_SV = {"pdf": "PDF", "jpeg": "JPEG-bild", "png": "PNG-bild"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class FontMissing(RuntimeError):
    """No Unicode TrueType font: install ``fonts-dejavu-core`` (Debian) or set PORTAL_PDF_FONT."""


@cache
def fonts() -> tuple[str, str, tuple[str, ...]]:
    """(regular, bold, fallbacks) font files."""
    override = os.environ.get("PORTAL_PDF_FONT")
    if override:
        if not Path(override).is_file():
            raise FontMissing(f"PORTAL_PDF_FONT {override} does not exist")
        bold = os.environ.get("PORTAL_PDF_FONT_BOLD") or override
        chosen: tuple[str, str] | None = (override, bold if Path(bold).is_file() else override)
    else:
        chosen = None
        for regular, bold in FONT_FILES:
            for folder in FONT_DIRS:
                if (Path(folder) / regular).is_file():
                    bold_path = Path(folder) / bold
                    chosen = (str(Path(folder) / regular),
                              str(bold_path) if bold_path.is_file() else str(Path(folder) / regular))
                    break
            if chosen:
                break
    if chosen is None:
        raise FontMissing("no Unicode TrueType font found: install the Debian package fonts-dejavu-core")
    fallbacks = tuple(str(Path(folder) / name) for name in FALLBACK_FILES for folder in FONT_DIRS
                      if (Path(folder) / name).is_file())[:1]
    return chosen[0], chosen[1], fallbacks


@cache
def shaping_available() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


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
    """"2026-11" -> "november 2026"."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        from babel.dates import format_date

        return format_date(date(year, month, 1), "LLLL yyyy", locale="sv")
    except (ValueError, ImportError):
        return _text(value)


def language_sv(code: str | None) -> str:
    """"ar" -> "arabiska"."""
    if not code:
        return "okänt"
    try:
        from babel import Locale

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


# --- the PDF ----------------------------------------------------------------------------------

class _Pdf(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        regular, bold, fallbacks = fonts()
        self.add_font(FONT, "", regular)
        self.add_font(FONT, "B", bold)
        names = []
        for index, path in enumerate(fallbacks):
            name = f"fallback{index}"
            self.add_font(name, "", path)
            names.append(name)
        if names:
            self.set_fallback_fonts(names, exact_match=False)
        if shaping_available():
            self.set_text_shaping(True)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_creator("Egna utrymmet")
        self.alias_nb_pages()
        self.add_page()

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"{self.footer_text} · sida {self.page_no()} av {{nb}}", align="C")
        self.set_text_color(0)

    # building blocks
    def doc_title(self, text: str):
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 8, _text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str, size: int = 13):
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 7, _text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if size >= 13:
            self.set_draw_color(160)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(1.5)

    def para(self, text: str, size: float = 10, bold: bool = False, indent: float = 0, grey: bool = False):
        self.set_font(FONT, "B" if bold else "", size)
        if grey:
            self.set_text_color(80)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, _text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def field(self, label: str, value: str, width: float = 52, size: float = 10, colon: bool = True):
        """A label and its value on one row (the value wraps in its column)."""
        label = _text(label) + (":" if colon and not label.endswith(":") else "")
        self.set_font(FONT, "B", 10)
        y = self.get_y()
        if y > self.h - 25:
            self.add_page()
        label_lines = len(self.multi_cell(width, 5.5, label, align="L", dry_run=True, output="LINES"))
        top, page = self.get_y(), self.page
        self.multi_cell(width, 5.5, label, align="L", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_font(FONT, "", size)
        self.multi_cell(0, 5.5, _text(value) or "–", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.page == page and self.get_y() < top + label_lines * 5.5:
            self.set_y(top + label_lines * 5.5)

    def notice(self, text: str):
        self.set_font(FONT, "B", 10)
        self.set_fill_color(255, 240, 200)
        self.multi_cell(0, 5.5, _text(text), border=1, align="L", fill=True, padding=2,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)


def _member_names(doc: dict) -> dict[int, str]:
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


def render(doc: dict) -> bytes:
    """The whole application as a Swedish PDF."""
    checksum = exchange.digest(doc)
    reference = doc.get("reference", "")
    pdf = _Pdf(f"Ansökan {reference}")
    pdf.set_title(f"Ansökan om ekonomiskt bistånd {reference}")
    pdf.set_subject("Ansökan om ekonomiskt bistånd")
    members = _member_names(doc)
    municipality = doc.get("municipality") or {}

    pdf.doc_title("Ansökan om ekonomiskt bistånd")
    pdf.field("Referens", reference)
    pdf.field("Kommun", " ".join(filter(None, [municipality.get("name"),
                                                 f"({municipality['code']})" if municipality.get("code") else None])))
    pdf.field("Ansökan gäller", month_sv((doc.get("period") or {}).get("month")))
    pdf.field("Hämtningsperiod", period_text(doc.get("period")))
    pdf.field("Skickad", when(doc["submittedAt"]) if doc.get("submittedAt") else "Inte skickad (utkast)")
    pdf.field("Sökandens språk", language_sv(doc.get("language")))
    pdf.field("Kontrollsumma (SHA-256)", checksum, size=8)
    pdf.field("Dokumentformat", f"Schema {doc.get('schemaVersion', '')}")
    pdf.ln(2)
    if doc.get("protected"):
        pdf.notice("SKYDDADE PERSONUPPGIFTER. Sökanden har sekretessmarkering eller skyddad folkbokföring. "
                   "Adress och uppgifter om övriga personer i hushållet lämnas inte ut. "
                   "Hantera ansökan enligt kommunens rutin för skyddade personuppgifter.")

    _applicant_and_household(pdf, doc)
    _fetched(pdf, doc, members)
    _not_fetched(pdf, doc, members)
    _stated(pdf, doc, members)
    _consents(pdf, doc, members)
    _attachments(pdf, doc)
    _indication(pdf, doc)
    pdf.ln(4)
    pdf.para("Hämtade uppgifter är förseglade av Egna utrymmet (Ed25519). Förseglingen kan kontrolleras med "
             f"nycklarna på {(doc.get('issuer') or {}).get('sealKeys', '/.well-known/seal-keys.json')} mot "
             "ansökans JSON-dokument.", size=8, grey=True)
    return bytes(pdf.output())


def _applicant_and_household(pdf: _Pdf, doc: dict):
    applicant = doc.get("applicant") or {}
    household = doc.get("household") or {}
    pdf.heading("Sökande")
    pdf.field("Namn", f"{applicant.get('givenName', '')} {applicant.get('familyName', '')}")
    pdf.field("Personnummer", personnummer(applicant.get("personnummer")))
    if doc.get("protected"):
        pdf.field("Adress", "Lämnas inte ut (skyddade personuppgifter)")
    else:
        if applicant.get("birthDate"):
            pdf.field("Födelsedatum", applicant["birthDate"])
        address = doc.get("address") or {}
        lines = [address.get("street"), " ".join(filter(None, [address.get("postalCode"), address.get("postTown")]))]
        pdf.field("Folkbokföringsadress", "\n".join(filter(None, lines)) or "Uppgift saknas")
    source = doc.get("folkbokforing")
    if source:
        pdf.para(f"Källa: Skatteverket – folkbokföring, hämtat {when_utc(source.get('fetchedAt'))}.", size=8, grey=True)

    pdf.heading("Hushåll")
    pdf.field("Antal personer", str(household.get("size", "")))
    others = household.get("members", [])
    if doc.get("protected"):
        count = household.get("otherMembersCount", len(others))
        pdf.para(f"{count} övriga personer i hushållet. Namn och födelsedatum lämnas inte ut.")
    elif not others:
        pdf.para("Sökanden bor ensam enligt folkbokföringen.")
    for member in others:
        text = f"{member.get('relationLabel', member.get('relation'))}: {member.get('givenName', '')} " \
               f"{member.get('familyName', '')}"
        if member.get("birthDate"):
            text += f", född {member['birthDate']}"
        if member.get("coApplicant"):
            text += " (medsökande)"
        pdf.para(f"• {text}")


def _fetched(pdf: _Pdf, doc: dict, members: dict):
    pdf.heading("Hämtade uppgifter")
    items = doc.get("fetched") or []
    if not items:
        pdf.para("Inga uppgifter hämtades.")
        return
    pdf.para("Uppgifterna är hämtade direkt från myndigheter och andra källor och kan inte ändras av sökanden. "
             "Sökandens kommentarer visas vid uppgiften de gäller.", size=9, grey=True)
    order = list(members)
    by_member: dict = {}
    for item in items:
        by_member.setdefault(item.get("memberId"), []).append(item)
    for member_id in sorted(by_member, key=lambda m: order.index(m) if m in order else len(order)):
        pdf.heading(members.get(member_id, f"Hushållsmedlem {member_id}"), size=12)
        themes: dict = {}
        for item in by_member[member_id]:
            themes.setdefault(item.get("theme"), []).append(item)
        for theme in sorted(themes, key=lambda t: THEME_ORDER.index(t) if t in THEME_ORDER else len(THEME_ORDER)):
            pdf.heading(THEME_SV.get(theme, themes[theme][0].get("themeLabel") or theme), size=11)
            for item in themes[theme]:
                _item(pdf, item)


def _item(pdf: _Pdf, item: dict):
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.para(item.get("label") or item.get("kind", ""), bold=True, indent=2)
    facts = []
    if item.get("amountOre") is not None:
        tax = {True: " (före skatt)", False: " (efter skatt)"}.get(item.get("gross"), "")
        facts.append(kronor(item["amountOre"]) + tax)
    if period_text(item.get("period")):
        facts.append(f"Period: {period_text(item.get('period'))}")
    if facts:
        pdf.para(" · ".join(facts), indent=2)
    for detail in item.get("detailsText") or []:
        pdf.para(f"{detail.get('label')}: {detail.get('text')}", size=9, indent=2)
    if not item.get("detailsText"):
        for key, value in (item.get("details") or {}).items():
            pdf.para(f"{key}: {value}", size=9, indent=2)
    source = item.get("source") or {}
    provider = source.get("providerName", source.get("provider"))
    info_set = source.get("setName", source.get("set"))
    kid = (source.get("seal") or {}).get("kid", "?")
    pdf.para(f"Källa: {provider} – {info_set}, hämtat {when_utc(source.get('fetchedAt'))}, förseglat (nyckel {kid})",
             size=8, indent=2, grey=True)
    for comment in item.get("comments") or []:
        pdf.set_draw_color(120)
        pdf.para(f"Sökandens kommentar: {comment.get('text', '')}", size=9.5, indent=8)
    pdf.ln(1.5)


def _not_fetched(pdf: _Pdf, doc: dict, members: dict):
    pdf.heading("Ej hämtat")
    missing = doc.get("notFetched") or []
    if not missing:
        pdf.para("Allt som sökanden samtyckte till hämtades.")
        return
    pdf.para("Följande uppgifter kunde inte hämtas. Handläggaren behöver få dem på annat sätt.", size=9, grey=True)
    for entry in missing:
        pdf.para(f"• {entry.get('providerName', entry.get('provider'))} – {entry.get('setName', entry.get('set'))} "
                 f"({members.get(entry.get('memberId'), 'okänd person')}): "
                 f"{entry.get('reasonText') or entry.get('reason')}")


def _stated(pdf: _Pdf, doc: dict, members: dict):
    stated = doc.get("applicantStated") or {}
    pdf.heading("Sökandens egna uppgifter")
    pdf.para("Uppgifter som sökanden själv har lämnat.", size=9, grey=True)
    incomes = (stated.get("incomes") or {}).get("entries") or []
    pdf.heading("Inkomster", size=11)
    if not incomes:
        pdf.para("Inga egna inkomster angivna.")
    for entry in incomes:
        who = f" – {members[entry['memberId']]}" if entry.get("memberId") in members else ""
        text = f"• {month_sv(entry.get('month'))}: {entry.get('label', entry.get('kind'))}"
        if entry.get("description"):
            text += f" ({entry['description']})"
        pdf.para(f"{text}: {kronor(entry.get('amountOre'))}{who}")
    costs = (stated.get("costs") or {}).get("entries") or []
    pdf.heading("Kostnader", size=11)
    if not costs:
        pdf.para("Inga kostnader angivna.")
    for entry in costs:
        text = f"• {month_sv(entry.get('month'))}: {entry.get('label', entry.get('category'))}"
        if entry.get("description"):
            text += f" ({entry['description']})"
        pdf.para(f"{text}: {kronor(entry.get('amountOre'))}")
    assets = stated.get("assets") or {}
    pdf.heading("Tillgångar", size=11)
    if not assets.get("entries"):
        pdf.para("Inga tillgångar angivna.")
    for entry in assets.get("entries") or []:
        text = f"• {entry.get('label', entry.get('kind'))}"
        if entry.get("description"):
            text += f" ({entry['description']})"
        pdf.para(f"{text}: {kronor(entry.get('valueOre'))}")
    if assets.get("entries"):
        pdf.para(f"Summa tillgångar: {kronor(assets.get('totalOre'))}", bold=True)
    pdf.heading("Meddelande till kommunen", size=11)
    message = stated.get("message")
    pdf.para(message.get("text", "") if message else "Inget meddelande.")


def _consents(pdf: _Pdf, doc: dict, members: dict):
    pdf.heading("Samtycken")
    consents = doc.get("consents") or []
    if not consents:
        pdf.para("Inga samtycken.")
    for consent in consents:
        text = (f"• {consent.get('providerName', consent.get('provider'))}, "
                f"{SCOPE_SV.get(consent.get('scope'), consent.get('scope'))}, "
                f"om {members.get(consent.get('memberId'), 'okänd person')}: givet {when_utc(consent.get('givenAt'))}")
        if consent.get("asGuardian"):
            text += " av vårdnadshavare"
        text += f" (samtyckestext version {consent.get('wordingVersion')})"
        pdf.para(text, size=9.5)


def _attachments(pdf: _Pdf, doc: dict):
    pdf.heading("Bilagor")
    attachments = doc.get("attachments") or []
    if not attachments:
        pdf.para("Inga bilagor.")
    labels = {item.get("id"): item.get("label") for item in doc.get("fetched") or []}
    costs = {entry.get("id"): entry.get("label") for entry in
             ((doc.get("applicantStated") or {}).get("costs") or {}).get("entries") or []}
    for attachment in attachments:
        size = attachment.get("size") or 0
        text = (f"• {attachment.get('name')} ({KIND_SV.get(attachment.get('kind'), attachment.get('kind'))}, "
                f"{max(1, round(size / 1024))} kB)")
        if attachment.get("linkedItemId") is not None:
            text += f", gäller: {labels.get(attachment['linkedItemId'], 'hämtad uppgift')}"
        if attachment.get("linkedCostId") is not None:
            text += f", gäller kostnad: {costs.get(attachment['linkedCostId'], 'angiven kostnad')}"
        pdf.para(text)
        if attachment.get("description"):
            pdf.para(attachment["description"], size=9, indent=4)
        pdf.para(f"SHA-256 {attachment.get('sha256')}", size=7.5, indent=4, grey=True)


def _indication(pdf: _Pdf, doc: dict):
    indication = doc.get("indication") or {}
    pdf.heading("Indikation till besked – PRELIMINÄR")
    pdf.notice("Preliminär beräkning gjord av portalen. Det är inget beslut: kommunen gör en individuell bedömning.")
    if not indication.get("available"):
        pdf.para("Ingen indikation kunde beräknas (riksnorm saknas för månaden).")
        return
    for line in indication.get("lines") or []:
        pdf.field(kronor(line.get("amountOre")), line.get("text") or line.get("code", ""), width=32, colon=False)
    pdf.ln(1)
    pdf.field("Behov", kronor(indication.get("needOre")), width=60)
    pdf.field("Inkomster", kronor(indication.get("incomeOre")), width=60)
    pdf.field("Preliminärt resultat", kronor(indication.get("resultOre")), width=60)
    norm = f"Riksnormen för {indication.get('year')}"
    if indication.get("derivedNorm"):
        norm += " (härledd, inte officiellt fastställd)"
    pdf.para(norm, size=9, grey=True)
    for note in indication.get("notes") or []:
        pdf.para(f"• {note.get('text') or note.get('code')}", size=9)


# --- the receipt ------------------------------------------------------------------------------

def render_receipt(doc: dict, digest: str) -> bytes:
    """The applicant's receipt (kvittens): reference, time, municipality, digest; in Swedish,
    and also in English when that is the applicant's language."""
    reference = doc.get("reference", "")
    municipality = (doc.get("municipality") or {}).get("name") or (doc.get("municipality") or {}).get("code") or "–"
    submitted = doc.get("submittedAt")
    pdf = _Pdf(f"Kvittens {reference}")
    pdf.set_title(f"Kvittens {reference}")

    pdf.doc_title("Kvittens – ansökan om ekonomiskt bistånd")
    pdf.para(f"Din ansökan har skickats till {municipality} kommun." if submitted
             else "Ansökan är inte skickad ännu.")
    pdf.ln(2)
    pdf.field("Referens", reference)
    pdf.field("Skickad", when(submitted) if submitted else "Inte skickad")
    pdf.field("Kommun", municipality)
    pdf.field("Ansökan gäller", month_sv((doc.get("period") or {}).get("month")))
    pdf.field("Kontrollsumma (SHA-256)", digest, size=8)
    pdf.ln(2)
    pdf.para("Spara kvittensen. Ange referensen om du kontaktar kommunen. Kontrollsumman visar att ansökan "
             "inte har ändrats efter att du skickade den.", size=9.5)

    language = (doc.get("language") or "sv").split("-")[0]
    if language == "en":
        moment = _parse_utc(submitted)
        pdf.heading("Receipt – application for financial assistance (ekonomiskt bistånd)")
        pdf.para(f"Your application has been sent to {municipality} municipality." if submitted
                 else "The application has not been sent yet.")
        pdf.ln(2)
        pdf.field("Reference", reference)
        pdf.field("Sent", f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else "Not sent")
        pdf.field("Municipality", municipality)
        pdf.field("Checksum (SHA-256)", digest, size=8)
        pdf.ln(2)
        pdf.para("Keep this receipt. Give the reference if you contact the municipality. The checksum shows that "
                 "the application has not been changed after you sent it.", size=9.5)
    elif language != "sv":
        pdf.ln(3)
        pdf.para(f"Sökandens språk: {language_sv(language)}. Kvittensen finns bara på svenska.", size=9, grey=True)
    return bytes(pdf.output())
