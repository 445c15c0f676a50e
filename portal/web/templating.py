from __future__ import annotations

from flask import current_app, g, request
from flask_babel import get_locale

from portal.application import labels
from portal.i18n import services as i18n
from portal.information import labels as information_labels
from portal.providers.registry import providers
from portal.routing import labels as routing_labels


def register(app):
    app.jinja_env.filters.update(money=i18n.money, day=i18n.day, moment=i18n.moment,
                                 month=i18n.month)
    from portal.i18n import cached

    cached.install(app)  # the same filters and gettext, cheap on a page of many items

    # Worked out once, not on every request (issue 15, point 5): they do not change while the app runs.
    directions = {code: i18n.text_direction(code) for code in i18n.SUPPORTED}
    languages = [(code, i18n.NATIVE_NAMES[code]) for code in i18n.SUPPORTED]
    providers_by_name = {p.name: p for p in providers()}

    @app.context_processor
    def globals_():
        locale = str(get_locale())
        config = current_app.config["PORTAL"]
        return {
            "locale": locale,
            "text_direction": directions.get(locale) or i18n.text_direction(locale),
            "languages": languages,
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
