"""Files a municipality's system sends with a message: ``attachments: [{name, mediaType, content}]``
in the JSON body, ``content`` as standard base64. Read as strictly as the rest of the request
(``inputs``), then checked by their bytes and stored with the applicant's checks and limits
(``portal.attachments``): PDF, JPEG or PNG, at most 10 MB each, at most ``MAX_FILES`` at a time.
The file's uploader is the API client (its name), never a citizen."""

from __future__ import annotations

import base64
import binascii
import re

from portal.api.inputs import BadInput, Fields
from portal.attachments import services as attachments
from portal.attachments import validation
from portal.attachments.storage import current_storage
from portal.audit.services import record

MAX_FILES = 10  # at a time, as in the built-in inbox; the application's limit applies as well
MAX_CONTENT_CHARS = -(-validation.MAX_BYTES // 3) * 4  # base64 of MAX_BYTES, padded
MEDIA_TYPES = tuple(validation.MEDIA_TYPES.values())
_ABSENT = object()
# Standard base64 (RFC 4648 §4), padded, at least one quantum: as ``MessageAttachment.content`` in openapi.json.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$"
_BASE64 = re.compile(BASE64_PATTERN)

# What a refused file is told (English, as every problem detail of the API).
REFUSAL = {
    "empty": "the file is empty",
    "too_large": f"the file is larger than {validation.MAX_BYTES} bytes",
    "unsupported_type": "the file is not a PDF, JPEG or PNG by its content",
    "encrypted_pdf": "the PDF is encrypted (password protected)",
    "broken_pdf": "the PDF cannot be read (damaged or incomplete)",
    "broken_image": "the picture cannot be read (damaged or incomplete)",
    "too_many": f"the municipality has sent {validation.MAX_PER_APPLICATION} files on this application already",
}


def take(fields: Fields, name: str = "attachments") -> list[tuple[str, bytes]]:
    """The files (file name, bytes) in the field, [] when it is absent. Refuses what the
    description refuses: not an array, more than ``MAX_FILES``, an item with unknown or missing
    fields, a name that is not a text, a media type not allowed, content that is not base64."""
    value = fields.data.pop(name, _ABSENT)
    pointer = f"{fields.pointer}/{name}"
    if value is _ABSENT:
        return []
    if not isinstance(value, list):
        raise BadInput(pointer, "must be an array")
    if len(value) > MAX_FILES:
        raise BadInput(pointer, f"must have at most {MAX_FILES} items")
    files = []
    for index, item in enumerate(value):
        at = f"{pointer}/{index}"
        if not isinstance(item, dict):
            raise BadInput(at, "must be an object")
        entry = Fields(item, at)
        file_name = entry.text("name", validation.MAX_NAME_LENGTH)
        media_type = entry.choice("mediaType", MEDIA_TYPES)
        content = entry.pattern("content", _BASE64, "standard base64 (padded, no line breaks), not empty")
        entry.done()
        if len(content) > MAX_CONTENT_CHARS:
            raise BadInput(f"{at}/content", f"must be at most {validation.MAX_BYTES} bytes")
        try:
            data = base64.b64decode(content.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raise BadInput(f"{at}/content", "must be standard base64") from None
        kind = validation.sniff(data)
        if kind is not None and validation.MEDIA_TYPES[kind] != media_type:
            raise BadInput(f"{at}/mediaType", f"does not match the content, which is {validation.MEDIA_TYPES[kind]}")
        files.append((file_name, data))
    return files


def store(application, files: list[tuple[str, bytes]], uploader: str, name: str = "attachments") -> list[str]:
    """Check each file by its content and store it as the municipality's; the ids, in order. A
    refused file is a ``BadInput`` naming it: the handler's rollback removes what was stored."""

    stored = []
    for index, (file_name, data) in enumerate(files):
        try:
            file = attachments.add_from_municipality(application.id, uploader, data, file_name, current_storage())
        except validation.AttachmentRefused as refused:
            pointer = f"/{name}" if refused.reason == "too_many" else f"/{name}/{index}/content"
            raise BadInput(pointer, REFUSAL[refused.reason]) from None
        record(
            "create",
            "attachment",
            file.id,
            "municipality system sends a document on the case",
            subject_id=application.applicant_id,
        )
        stored.append(file.id)
    return stored
