"""What an uploaded file is, decided from its bytes alone, and whether it may be kept.

The file name and the browser's content type are never trusted: the kind comes from the
magic bytes and the structure is then checked (a PDF must parse and must not be encrypted,
an image must be complete). The user's file name is kept only as cleaned metadata.
"""

from __future__ import annotations

import hashlib
import io
import struct
import unicodedata
import zlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_APPLICATION = 30
MAX_NAME_LENGTH = 200
MAX_PDF_PAGES = 2000

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}

REASON_TEXT = {
    "empty": _l("The file is empty. Choose another file."),
    "too_large": _l("The file is larger than 10 MB. Choose a smaller file or take a photo with lower resolution."),
    "unsupported_type": _l(
        "The file must be a PDF, JPG or PNG. This file is a different kind, even if its name says otherwise."),
    "encrypted_pdf": _l("The PDF is protected with a password. Save it without a password and try again."),
    "broken_pdf": _l("The PDF could not be read. It may be damaged or incomplete. Save it again and try again."),
    "broken_image": _l(
        "The picture could not be read. It may be damaged or incomplete. Take a new photo or save it again."),
    "too_many": _l("You can attach at most 30 files to one application."),
}

_PDF_MAGIC = b"%PDF-"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


class AttachmentRefused(Exception):
    """The file may not be attached; ``reason`` is a code from ``REASON_TEXT``."""

    def __init__(self, reason: str):
        if reason not in REASON_TEXT:
            raise ValueError(f"unknown refusal reason {reason!r}")
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        """The user-facing text in the current locale (needs a request or app context)."""
        return str(REASON_TEXT[self.reason])


@dataclass(frozen=True)
class Checked:
    kind: str  # "pdf" | "jpeg" | "png"
    media_type: str
    size: int
    safe_name: str
    sha256: str


def check(data: bytes, filename: str) -> Checked:
    """Validate an uploaded file. Raises ``AttachmentRefused`` with the reason it may not be kept."""
    data = bytes(data)
    size = len(data)
    if size == 0:
        raise AttachmentRefused("empty")
    if size > MAX_BYTES:
        raise AttachmentRefused("too_large")
    kind = sniff(data)
    if kind is None:
        raise AttachmentRefused("unsupported_type")
    if kind == "pdf":
        _check_pdf(data)
    elif kind == "png":
        if not _png_is_whole(data):
            raise AttachmentRefused("broken_image")
    elif not _jpeg_is_whole(data):
        raise AttachmentRefused("broken_image")
    return Checked(kind=kind, media_type=MEDIA_TYPES[kind], size=size,
                   safe_name=safe_name(filename, kind), sha256=hashlib.sha256(data).hexdigest())


def sniff(data: bytes) -> str | None:
    """The kind from the magic bytes at the start of the file, or None if not an allowed kind."""
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    return None


# -- file names -------------------------------------------------------------------------------

# Control (Cc), format (Cf: bidi overrides such as U+202E, zero-width characters, BOM),
# surrogates (Cs), unassigned (Cn) and private use (Co) are dropped; line and paragraph
# separators become spaces.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Cn", "Co"}
_SPACE_CATEGORIES = {"Zs", "Zl", "Zp"}


def safe_name(filename: str | None, kind: str | None = None) -> str:
    """The user's file name as metadata: no path parts, no control or bidi characters, at most
    ``MAX_NAME_LENGTH`` characters (the extension is kept when shortened). Never used as a path."""
    name = unicodedata.normalize("NFC", filename if isinstance(filename, str) else "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = []
    for char in name:
        category = unicodedata.category(char)
        if category in _DROP_CATEGORIES:
            continue
        cleaned.append(" " if category in _SPACE_CATEGORIES else char)
    name = " ".join("".join(cleaned).split())  # collapse runs of spaces
    name = name.strip(" .")  # no hidden-file dot, no trailing dots (Windows)
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    if not name:
        name = f"attachment.{EXTENSIONS[kind]}" if kind in EXTENSIONS else "attachment"
    return name


# -- PDF --------------------------------------------------------------------------------------


def _check_pdf(data: bytes) -> None:
    # A complete PDF ends with %%EOF (readers look in the last 1024 bytes); a truncated
    # upload does not. pypdf alone is lenient enough to accept some truncated files.
    if b"%%EOF" not in data[-1024:]:
        raise AttachmentRefused("broken_pdf")
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Any /Encrypt dictionary: a user password, or only an owner password restricting
            # use; neither can be reliably read, stamped or archived by the municipality.
            raise AttachmentRefused("encrypted_pdf")
        pages = len(reader.pages)
        if pages == 0 or pages > MAX_PDF_PAGES:
            raise AttachmentRefused("broken_pdf")
        for page in reader.pages:  # resolves the page tree: catches dangling references
            page.mediabox  # noqa: B018
    except AttachmentRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds (PdfReadError, KeyError, ValueError, ...)
        raise AttachmentRefused("broken_pdf") from exc


# -- PNG --------------------------------------------------------------------------------------

_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


def _png_is_whole(data: bytes) -> bool:
    """Chunks walk from the signature to IEND with valid CRCs, IHDR first and sane, IDAT present."""
    pos, end = len(_PNG_MAGIC), len(data)
    first, seen_idat = True, False
    while pos + 12 <= end:
        length, chunk_type = struct.unpack(">I4s", data[pos:pos + 8])
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            return False
        payload = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(chunk_type + payload) != crc:
            return False
        if first:
            if chunk_type != b"IHDR" or length != 13:
                return False
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", payload)
            if not (0 < width <= 0x7FFFFFFF and 0 < height <= 0x7FFFFFFF):
                return False
            if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
                return False
            first = False
        elif chunk_type == b"IDAT":
            seen_idat = True
        elif chunk_type == b"IEND":
            return seen_idat
        pos += 12 + length
    return False


# -- JPEG -------------------------------------------------------------------------------------

_SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_is_whole(data: bytes) -> bool:
    """Marker segments walk from SOI to the first scan, a frame header (SOF) with a size comes
    before it, and an end-of-image marker follows the scan data (a cut-off upload has none)."""
    pos, end = 2, len(data)
    seen_frame = False
    while True:
        if pos >= end or data[pos] != 0xFF:
            return False
        while pos < end and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= end:
            return False
        marker = data[pos]
        pos += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # standalone markers
            continue
        if marker in (0x00, 0xD8, 0xD9):  # stuffing, SOI again or EOI before any scan
            return False
        if pos + 2 > end:
            return False
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > end:
            return False
        if marker in _SOF_MARKERS:
            if length < 8:
                return False
            _precision, height, width, components = struct.unpack(">BHHB", data[pos + 2:pos + 8])
            if width == 0 or height == 0 or not 1 <= components <= 4:
                return False
            seen_frame = True
        elif marker == 0xDA:  # start of scan: entropy-coded data follows
            if not seen_frame:
                return False
            return data.rfind(b"\xff\xd9") >= pos + length
        pos += length
