"""The pull API for the municipalities' case systems: client credentials, bearer tokens, the
received applications as frozen exchange documents, and acknowledgement of receipt."""

from pathlib import Path

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
