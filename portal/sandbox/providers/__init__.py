"""The sandbox providers, one module each. To add one: write ``providers/<name>.py`` building a
:class:`~portal.sandbox.providers.base.Provider` named ``provider``, declare its information
sets, and list the module here."""

from __future__ import annotations

from . import skatteverket
from .base import Provider

PROVIDERS: tuple[Provider, ...] = (
    skatteverket.provider,
)


def provider_sets() -> dict[str, list[str]]:
    """Provider name -> its information sets (used to validate fault rules)."""
    return {p.name: list(p.information_sets) for p in PROVIDERS}


def provider_for(blueprint: str | None, path: str) -> Provider | None:
    """The provider a request belongs to (by blueprint, or by URL prefix when routing failed),
    so that its errors come in that provider's format."""
    for provider in PROVIDERS:
        prefix = provider.blueprint.url_prefix or ""
        if provider.blueprint.name == blueprint or path.startswith(prefix + "/"):
            return provider
    return None
