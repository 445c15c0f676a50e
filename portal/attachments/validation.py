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

from pypdf import PdfReader

from portal.i18n.lazy import _l

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_APPLICATION = 30
MAX_NAME_LENGTH = 200
MAX_PDF_PAGES = 2000
# A picture is decoded in full wherever it is shown (the caseworker's browser, a PDF of the case): a
# few kilobytes can declare billions of pixels (an image bomb). A 50-megapixel phone photo passes.
MAX_IMAGE_SIDE = 16_000
MAX_IMAGE_PIXELS = 64_000_000
MAX_IMAGE_BYTES = 256 * 1024 * 1024  # the decoded pixels (the PNG's decompressed data) at most

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}

REASON_TEXT = {
    "empty": _l("The file is empty. Choose another file."),
    "too_large": _l("The file is larger than 10 MB. Choose a smaller file or take a photo with lower resolution."),
    "unsupported_type": _l(
        "The file must be a PDF, JPG or PNG. This file is a different kind, even if its name says otherwise."
    ),
    "encrypted_pdf": _l("The PDF is protected with a password. Save it without a password and try again."),
    "broken_pdf": _l("The PDF could not be read. It may be damaged or incomplete. Save it again and try again."),
    "broken_image": _l(
        "The picture could not be read. It may be damaged or incomplete. Take a new photo or save it again."
    ),
    "too_many": _l("You can attach at most 30 files to one application."),
    "image_too_large": _l(
        "The picture has too many pixels to be shown. Take a new photo with a lower resolution, or make "
        "the picture smaller, and try again."
    ),
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
        _check_png_size(data)
    elif not _jpeg_is_whole(data):
        raise AttachmentRefused("broken_image")
    else:
        _check_image_size(*_jpeg_size(data))
    return Checked(
        kind=kind,
        media_type=MEDIA_TYPES[kind],
        size=size,
        safe_name=safe_name(filename, kind),
        sha256=hashlib.sha256(data).hexdigest(),
    )


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
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            return False
        payload = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
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


# -- picture size (image bombs) ---------------------------------------------------------------


def _check_image_size(width: int, height: int, bytes_per_pixel: float) -> None:
    if (
        width > MAX_IMAGE_SIDE
        or height > MAX_IMAGE_SIDE
        or width * height > MAX_IMAGE_PIXELS
        or width * height * bytes_per_pixel > MAX_IMAGE_BYTES
    ):
        raise AttachmentRefused("image_too_large")


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_COMPRESSED_TEXT_LIMIT = 1024 * 1024  # zTXt, iTXt, iCCP: metadata, decompressed


def _png_raw_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    """The bytes the image data inflates to: per row a filter byte and the packed samples."""
    bits = depth * _PNG_CHANNELS[colour]
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if w > 0 and h > 0:
            total += h * (1 + (w * bits + 7) // 8)
    return total


def _inflates_within(stream: bytes, limit: int) -> int | None:
    """The size ``stream`` inflates to, or None if it is broken or would exceed ``limit`` (inflated a
    piece at a time: a bomb never gets to use the memory it asks for)."""
    inflater = zlib.decompressobj()
    total, pending = 0, stream
    try:
        while pending:
            total += len(inflater.decompress(pending, 1024 * 1024))
            if total > limit:
                return None
            pending = inflater.unconsumed_tail
        total += len(inflater.flush())
    except zlib.error:
        return None
    return total if total <= limit else None


def _check_png_size(data: bytes) -> None:
    """The declared size within the limits, and the compressed data inflating to no more than that
    size declares (nor metadata to more than a megabyte)."""
    width, height, depth, colour, _compression, _filtering, interlace = struct.unpack(">IIBBBBB", data[16:29])
    _check_image_size(width, height, depth * _PNG_CHANNELS[colour] / 8)
    expected = _png_raw_size(width, height, depth, colour, interlace)
    pos, idat = len(_PNG_MAGIC), []
    while pos + 12 <= len(data):
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        payload = data[pos + 8 : pos + 8 + length]
        if chunk_type == b"IDAT":
            idat.append(payload)
        elif chunk_type in (b"zTXt", b"iCCP", b"iTXt"):
            _check_png_metadata(chunk_type, payload)
        elif chunk_type == b"IEND":
            break
        pos += 12 + length
    inflated = _inflates_within(b"".join(idat), expected)
    if inflated is None:
        raise AttachmentRefused("image_too_large")
    if inflated < expected:
        raise AttachmentRefused("broken_image")


def _check_png_metadata(chunk_type: bytes, payload: bytes) -> None:
    keyword_end = payload.find(b"\0")
    if keyword_end < 0:
        raise AttachmentRefused("broken_image")
    if chunk_type == b"iTXt":  # keyword, flag, method, language, translated keyword, text
        flag = payload[keyword_end + 1 : keyword_end + 2]
        if flag != b"\x01":
            return  # not compressed
        rest = payload[keyword_end + 3 :]
        language_end = rest.find(b"\0")
        translated_end = rest.find(b"\0", language_end + 1) if language_end >= 0 else -1
        if translated_end < 0:
            raise AttachmentRefused("broken_image")
        compressed = rest[translated_end + 1 :]
    else:  # zTXt, iCCP: keyword, method, compressed data
        compressed = payload[keyword_end + 2 :]
    if _inflates_within(compressed, _COMPRESSED_TEXT_LIMIT) is None:
        raise AttachmentRefused("image_too_large")


# -- JPEG -------------------------------------------------------------------------------------


def _jpeg_size(data: bytes) -> tuple[int, int, int]:
    """Width, height and components from the frame header (present: ``_jpeg_is_whole`` checked)."""
    pos = 2
    while pos + 4 <= len(data):
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if marker in _SOF_MARKERS:
            _precision, height, width, components = struct.unpack(">BHHB", data[pos + 2 : pos + 8])
            return width, height, components
        pos += length
    raise AttachmentRefused("broken_image")


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
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > end:
            return False
        if marker in _SOF_MARKERS:
            if length < 8:
                return False
            _precision, height, width, components = struct.unpack(">BHHB", data[pos + 2 : pos + 8])
            if width == 0 or height == 0 or not 1 <= components <= 4:
                return False
            seen_frame = True
        elif marker == 0xDA:  # start of scan: entropy-coded data follows
            if not seen_frame:
                return False
            return data.rfind(b"\xff\xd9") >= pos + length
        pos += length
