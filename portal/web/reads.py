"""Reads made once while a page is put together (issue 15, point 5).

The check-answers page asks the task list, the summaries and the key figures, and each asks the database for
the same rows (the fetch calls three times, the applicant's own entries four times). Inside ``reads_once()``
a read through ``once()`` is made the first time and its answer reused until the block ends. The block holds
only rendering, never a write, so nothing read in it can change before it ends; outside a block every call
reads afresh, as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast

from flask import g, has_app_context

T = TypeVar("T")
_STORE = "_portal_reads_once"


@contextmanager
def reads_once() -> Iterator[None]:
    outer = g.get(_STORE)
    if outer is None:
        setattr(g, _STORE, {})
    try:
        yield
    finally:
        if outer is None:
            g.pop(_STORE, None)


def once(key: tuple, load: Callable[[], T]) -> T:
    """``load()``, or inside ``reads_once()`` its first answer for ``key``. A list answer is copied for each
    caller, so one caller's sorting or appending does not reach another."""
    store = g.get(_STORE) if has_app_context() else None
    if store is None:
        return load()
    if key not in store:
        store[key] = load()
    found = store[key]
    # A copy of a list answer is the same type as the answer, which the checker cannot tell from T.
    return cast(T, list(found)) if isinstance(found, list) else found


def reading_once() -> bool:
    """Whether a ``reads_once()`` block is open: a read may then be answered from a fuller one the page makes
    anyway."""
    return has_app_context() and g.get(_STORE) is not None
