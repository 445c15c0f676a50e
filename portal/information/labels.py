"""Plain-language texts for fetch states and item themes."""

from portal.i18n.cached import gettext as _  # flask_babel.gettext, cheaper on a page of many items
from portal.i18n.lazy import _l

THEME = {
    "income": _l("Income"),
    "housing": _l("Housing"),
    "work": _l("Work and activity"),
    "assets": _l("Assets"),
    "other": _l("Other"),
}


def reason(code: str | None, provider_title) -> str:
    texts = {
        "timeout": _("%(provider)s did not answer in time.", provider=provider_title),
        "unreachable": _("%(provider)s could not be reached.", provider=provider_title),
        "error": _("%(provider)s answered with an error.", provider=provider_title),
        "busy": _("%(provider)s had too many questions at the moment.", provider=provider_title),
        "unavailable": _("%(provider)s is not available at the moment.", provider=provider_title),
        "circuit_open": _(
            "%(provider)s is not answering right now. Try again in a few minutes.", provider=provider_title
        ),
        "malformed": _("The answer from %(provider)s could not be read.", provider=provider_title),
        "unexpected_format": _("The answer from %(provider)s could not be read.", provider=provider_title),
        "refused": _("%(provider)s refused the question.", provider=provider_title),
    }
    return texts.get(code or "", texts["error"])


def item_label(provider, kind: str) -> tuple[str, str]:
    label, help_text = provider.labels.get(kind, (kind, ""))
    return str(label), str(help_text)


def detail_text(provider, key: str, value) -> tuple[str, str]:
    name = str(provider.detail_labels.get(key, key))
    coded = provider.codes.get((key, value))
    if coded is not None:
        return name, str(coded)
    if isinstance(value, bool):
        return name, _("Yes") if value else _("No")
    return name, "" if value is None else str(value)
