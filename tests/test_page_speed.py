"""The caches behind the most read pages (issue 15, point 5) give what the uncached code gives, in every
language: formatted values keyed by locale (and time zone), translations per request and locale."""

from __future__ import annotations

from datetime import date, datetime, timezone

from flask import render_template_string
from flask_babel import force_locale, gettext

from portal.i18n import cached, services


def test_cached_formatting_is_the_locales_own(app):
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # 1 December in Stockholm
    with app.test_request_context():
        for code in ("sv", "en", "ar", "sv"):
            with force_locale(code):
                assert cached.money(123456) == services.money(123456)
                assert cached.day(date(2026, 12, 1)) == services.day(date(2026, 12, 1))
                assert cached.day(moment) == services.day(moment)
                assert cached.moment(moment) == services.moment(moment)
        with force_locale("sv"):
            swedish = cached.money(123456)
        with force_locale("en"):
            assert cached.money(123456) != swedish


def test_templates_translate_in_the_locale_forced_inside_a_request(app):
    with app.test_request_context():
        with force_locale("sv"):
            swedish = render_template_string('{{ _("Error:") }}')
            assert swedish == gettext("Error:") != "Error:"
            with force_locale("ar"):  # a notice in its reader's language, inside a Swedish page
                arabic = render_template_string('{{ _("Error:") }}')
                assert arabic == gettext("Error:") and arabic not in (swedish, "Error:")
            assert render_template_string('{{ _("Error:") }}') == swedish
        with force_locale("en"):
            assert render_template_string('{{ _("Error:") }}') == "Error:"
