"""The sandbox providers, one module each. To add one: write ``providers/<name>.py`` building a
:class:`~devstack.sandbox.providers.base.Provider` named ``provider`` and declare its information
sets; modules are found by name, so nothing needs listing here."""

from __future__ import annotations

import importlib
import pkgutil

from .base import Provider


def _discover() -> tuple[Provider, ...]:
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name == "base":
            continue
        provider = getattr(importlib.import_module(f"{__name__}.{module.name}"), "provider", None)
        if isinstance(provider, Provider):
            found.append(provider)
    return tuple(found)


PROVIDERS: tuple[Provider, ...] = _discover()


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
