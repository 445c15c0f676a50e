from __future__ import annotations

from flask import render_template, request


def is_fragment_request() -> bool:
    """htmx asks for a fragment, except when restoring history (it needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def render(page: str, fragment: str, **context) -> str:
    """One template pair for both: the page includes the fragment, htmx gets the fragment."""
    return render_template(fragment if is_fragment_request() else page, **context)
