"""The PDFs are accessible documents (EN 301 549 §10, issue 18): tagged (a structure tree, /MarkInfo,
/Lang), fonts embedded, text extracting in reading order, and Arabic set with its joined (contextual)
letter forms rather than isolated letters. The archived copies (application, decision) are PDF/A-2a.

How the Arabic check reasons: a PDF's text is glyphs, and each font's ToUnicode map says which characters
a glyph stands for. Set without shaping (what fpdf2 did without uharfbuzz), every Arabic letter is drawn
with one glyph, its isolated form, wherever it stands in the word. Shaped, the same letter gets a
different glyph at the start, in the middle and at the end of a word, so in the ToUnicode map of a
shaped PDF one letter (lam, ل, which here stands in all positions) is the text of several glyphs. And the
extracted text is the logical string (what was written, in reading order), not presentation forms
(U+FB50–U+FEFF) or letters in visual (reversed) order.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from portal.case.pdf import render_decision
from portal.exchange import pdf

ARABIC = re.compile(r"[\u0600-\u06ff]")
PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufeff]")


def _doc(language: str = "sv", **extra) -> dict:
    doc = {
        "schemaVersion": "1.1.0",
        "reference": "EU-TEST-0001",
        "language": language,
        "submittedAt": "2026-11-03T10:00:00Z",
        "period": {"month": "2026-11", "start": "2026-08-01", "end": "2026-11-30"},
        "municipality": {"code": "0380", "name": "Uppsala"},
        "applicant": {
            "memberId": 1,
            "givenName": "Amina",
            "familyName": "Yusuf",
            "personnummer": "199001012389",
            "birthDate": "1990-01-01",
        },
        "address": {"street": "Storgatan 1", "postalCode": "75320", "postTown": "Uppsala"},
        "household": {"size": 1, "members": []},
        "fetched": [
            {
                "id": 7,
                "memberId": 1,
                "theme": "income",
                "label": "Bostadsbidrag",
                "amountOre": 180000,
                "gross": False,
                "period": {"start": "2026-10-01", "end": "2026-10-31"},
                "source": {
                    "providerName": "Försäkringskassan",
                    "setName": "Bostadsbidrag",
                    "fetchedAt": "2026-11-03T09:00:00Z",
                    "seal": {"kid": "k1"},
                },
                "comments": [{"text": "انتهت الدفعة في أكتوبر"}],
            }
        ],
        "notFetched": [],
        "applicantStated": {"message": {"text": "أحتاج إلى مساعدة في دفع الإيجار هذا الشهر"}},
        "consents": [],
        "attachments": [],
        "indication": {"available": False},
    }
    doc.update(extra)
    return doc


def _receipt(language: str) -> bytes:
    doc = _doc(language)
    return pdf.render_receipt(doc, "ab" * 32)


def _decision() -> bytes:
    application = SimpleNamespace(
        case_number="EB-2026-000123", reference="EU-TEST-0001", municipality_code="0380", period=date(2026, 11, 1)
    )
    decision = SimpleNamespace(
        outcome="refused",
        amount=None,
        period_start=None,
        period_end=None,
        reasoning="Inkomsterna överstiger normen.",
        decided_by="Per Handläggare",
        decided_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        calculation_lines=None,
    )
    return render_decision(application, decision, language="sv")


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _glyphs_per_character(data: bytes) -> dict[str, set[tuple[str, str]]]:
    """Character -> the (font, glyph) pairs whose ToUnicode text is that one character."""
    found: dict[str, set[tuple[str, str]]] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", cmap.split("beginbfchar", 1)[-1]):
                chars = bytes.fromhex(text).decode("utf-16-be") if text else ""
                if len(chars) == 1:
                    found.setdefault(chars, set()).add((str(font["/BaseFont"]), glyph))
    return found


def assert_accessible(data: bytes, archived: bool) -> PdfReader:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"].get_object()["/K"]
    assert root["/Lang"] == "sv"
    assert reader.metadata.title  # PDF/UA: a title the reader announces
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    if archived:
        assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{font['/BaseFont']} not embedded"
    return reader


def _in_order(text: str, *parts: str):
    flat = " ".join(text.split()).replace("\u00a0", " ")
    positions = [flat.find(part) for part in parts]
    assert -1 not in positions, [part for part, at in zip(parts, positions, strict=True) if at == -1]
    assert positions == sorted(positions), parts


def test_the_swedish_receipt_is_tagged_and_reads_in_order():
    data = _receipt("sv")
    assert_accessible(data, archived=False)
    text = _text(data)
    _in_order(
        text,
        "Kvittens – ansökan om ekonomiskt bistånd",
        "Din ansökan har skickats till Uppsala kommun.",
        "Referens: EU-TEST-0001",
        "Skickad: 2026-11-03 kl. 11:00 svensk tid",
        "Kommun: Uppsala",
        "Ansökan gäller: november 2026",
        "Kontrollsumma (SHA-256): " + "ab" * 32,
        "Spara kvittensen.",
    )
    assert not ARABIC.search(text) and "Receipt" not in text


def test_the_arabic_receipt_has_its_own_section_with_joined_arabic_text():
    data = _receipt("ar")
    assert_accessible(data, archived=False)
    text = _text(data)
    # The Swedish part first (the municipality's language), then the applicant's language.
    _in_order(
        text, "Kvittens – ansökan om ekonomiskt bistånd", "Sökandens språk: arabiska.", "إيصال", "احتفظ بهذا الإيصال."
    )
    # The logical string, as written in the catalog, comes out word for word.
    assert "احتفظ بهذا الإيصال. اذكر الرقم المرجعي إذا تواصلت مع البلدية." in text
    assert "تم إرسال طلبك إلى بلدية" in text
    assert not PRESENTATION_FORMS.search(text)
    # Shaped: lam (ل) stands at the start, middle and end of words here, and gets a glyph for each form.
    forms = _glyphs_per_character(data)
    lam = {glyph for font, glyph in forms["\u0644"] if "Arabic" in font}
    assert len(lam) >= 3, forms["\u0644"]


def test_the_english_receipt_is_translated_and_the_swedish_part_stays():
    text = _text(_receipt("en"))
    _in_order(
        text,
        "Kvittens",
        "Receipt – application for financial assistance (ekonomiskt bistånd)",
        "Your application has been sent to Uppsala municipality.",
        "Keep this receipt.",
    )


def test_the_application_pdf_is_archival_tagged_and_keeps_arabic_the_applicant_wrote():
    data = pdf.render(_doc("ar"))
    assert_accessible(data, archived=True)
    text = _text(data)
    _in_order(
        text,
        "Ansökan om ekonomiskt bistånd",
        "Referens: EU-TEST-0001",
        "Sökandens språk: arabiska",
        "Sökande",
        "Personnummer: 19900101-2389",
        "Hushåll",
        "Hämtade uppgifter",
        "Bostadsbidrag",
        "1 800,00 kr (efter skatt)",
        "Sökandens kommentar:",
        "Ej hämtat",
        "Sökandens egna uppgifter",
        "Meddelande till kommunen",
        "Samtycken",
        "Bilagor",
        "Indikation till besked – PRELIMINÄR",
    )
    for written in ("انتهت الدفعة في أكتوبر", "أحتاج إلى مساعدة في دفع الإيجار هذا الشهر"):
        assert written in text
    assert not PRESENTATION_FORMS.search(text)
    lam = {glyph for font, glyph in _glyphs_per_character(data)["\u0644"] if "Arabic" in font}
    assert len(lam) >= 2


def test_a_protected_application_pdf_names_no_one_else():
    doc = _doc("sv", protected=True, household={"size": 2, "otherMembersCount": 1, "members": []})
    del doc["address"]
    text = _text(pdf.render(doc))
    assert "SKYDDADE PERSONUPPGIFTER" in text and "Storgatan" not in text
    assert "1 övriga personer i hushållet" in text


def test_the_decision_pdf_is_archival_tagged_and_in_order():
    data = _decision()
    assert_accessible(data, archived=True)
    _in_order(
        _text(data),
        "Beslut om ekonomiskt bistånd – Uppsala",
        "Ärendenummer: EB-2026-000123",
        "Beslut: Avslås",
        "Motivering",
        "Inkomsterna överstiger normen.",
        "Lagrum",
        "Hur du överklagar",
        "sida 1 av 1",
    )


@pytest.mark.parametrize("value", ["tab\there", "bell\x07ring"])
def test_control_characters_in_typed_text_do_not_break_the_pdf(value):
    doc = _doc("sv", applicantStated={"message": {"text": value}})
    assert _text(pdf.render(doc)).count("Meddelande till kommunen") == 1
