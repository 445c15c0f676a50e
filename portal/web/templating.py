from __future__ import annotations

from collections import ChainMap
from functools import lru_cache

from flask import current_app, g, request
from jinja2 import Template

from portal.application import labels
from portal.i18n import cached
from portal.i18n import services as i18n
from portal.information import labels as information_labels
from portal.providers.registry import providers
from portal.routing import labels as routing_labels


@lru_cache(maxsize=4)
def _languages(supported: tuple[str, ...]) -> list[tuple[str, str]]:
    """The language menu: each language named in itself (the list changes only when languages are enabled)."""
    return [(code, i18n.NATIVE_NAMES[code]) for code in supported]


@lru_cache(maxsize=16)
def _right_to_left(locale: str) -> bool:
    return i18n.text_direction(locale) == "rtl"


def _isolated(format_):
    """In right-to-left pages an amount or a date is its own isolate, so it keeps its order inside a
    sentence; in left-to-right pages it already does, and stays plain text."""

    def isolated(value):
        text = format_(value)
        return i18n.isolate(text) if text and _right_to_left(cached.locale_code()) else text

    return isolated


class PortalTemplate(Template):
    """Jinja's template, with the test each ``{% import %}`` and ``{% from ... import %}`` makes done in C.

    Jinja asks which of the importing page's globals the imported template lacks (``ctx.globals_keys -
    self.globals.keys()``); ``self.globals`` is a ChainMap, whose keys view tests the forty-odd globals one by
    one in Python: some 35 µs an import, three or more on every page (issue 15, point 5). The same difference,
    taken over the ChainMap's own dicts, is the same set; when it is empty Jinja returns the cached module,
    which the call without a context does too."""

    def _get_default_module(self, ctx=None):
        if (
            ctx is not None
            and isinstance(self.globals, ChainMap)
            and not ctx.globals_keys.difference(*self.globals.maps)
        ):
            ctx = None
        return super()._get_default_module(ctx)


def register(app):
    app.jinja_env.template_class = PortalTemplate
    app.jinja_env.filters.update(money=i18n.money, day=i18n.day, moment=i18n.moment, month=i18n.month)

    cached.install(app)  # the same filters and gettext, cheap on a page of many items
    # Amounts and dates in right-to-left pages are bidirectional islands (<bdi>), so "13,329.36 SEK" or a
    # date keeps its order inside the sentence; |bdi does the same for names, references and Swedish terms.
    # |month is left as text: it is used in page titles, where no markup may go.
    filters = app.jinja_env.filters
    for name in ("money", "day", "moment"):
        filters[name] = _isolated(filters[name])
    filters["bdi"] = i18n.isolate

    # Worked out once, not on every request (issue 15, point 5): they do not change while the app runs.
    directions = {code: i18n.text_direction(code) for code in i18n.SUPPORTED}
    providers_by_name = {p.name: p for p in providers()}

    @app.context_processor
    def globals_():
        locale = cached.locale_code()
        config = current_app.config["PORTAL"]
        return {
            "locale": locale,
            "text_direction": directions.get(locale) or i18n.text_direction(locale),
            "languages": _languages(i18n.SUPPORTED),
            "native_name": i18n.NATIVE_NAMES.get(locale, locale),
            "actor": g.get("actor"),
            "labels": labels,
            "reason_text": information_labels.reason,
            "item_label": information_labels.item_label,
            "detail_text": information_labels.detail_text,
            "theme_labels": information_labels.THEME,
            "routing_labels": routing_labels,
            "providers_by_name": providers_by_name,
            "current_path": request.full_path.rstrip("?") if request else "/",
            "session_idle_seconds": config.session_idle_minutes * 60,
            "session_warning_seconds": config.session_warning_seconds,
        }
