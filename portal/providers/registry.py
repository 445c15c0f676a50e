"""All provider adapters, found by module: a module of this package that defines ``PROVIDER``
(an instance of :class:`~portal.providers.base.Provider`) is a provider."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import portal.providers as package
from portal.providers.base import Provider

_NOT_PROVIDERS = {"base", "registry", "services", "fetch"}


@cache
def providers() -> tuple[Provider, ...]:
    found = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in _NOT_PROVIDERS:
            continue
        provider = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "PROVIDER", None)
        if isinstance(provider, Provider):
            found.append(provider)
    return tuple(sorted(found, key=lambda p: (p.order, p.name)))


def provider(name: str) -> Provider:
    for candidate in providers():
        if candidate.name == name:
            return candidate
    raise KeyError(name)
