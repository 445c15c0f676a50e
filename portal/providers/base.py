from __future__ import annotations

import abc
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from portal.providers.items import FACT, INCOME_GROSS, INCOME_NET, PAYMENT, Item

log = logging.getLogger(__name__)


class ProviderError(Exception):
    """A provider could not answer usefully. ``reason`` is a short code shown (translated) to
    the applicant and recorded for the municipality as "not fetched: reason"."""

    def __init__(self, provider: str, reason: str):
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


class NotFound(ProviderError):
    def __init__(self, provider: str):
        super().__init__(provider, "not_found")


@dataclass
class ProviderClient:
    """HTTP access to one provider: base URL, credentials, deadline."""

    name: str
    base_url: str
    token: str
    timeout_seconds: float = 5.0
    # A shared client reuses connections and its TLS context across the calls of one fetch.
    http: httpx.Client | None = None

    def post_json(self, path: str, body: dict, timeout: float | None = None) -> Any:
        # The answer is decoded JSON, an object or an array: each normaliser checks its shape (drift).
        # The person's number travels in the body, never in the URL.
        try:
            response = (self.http or httpx).post(
                f"{self.base_url}{path}",
                json=body,
                timeout=timeout or self.timeout_seconds,
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            )
        except httpx.TimeoutException:
            raise ProviderError(self.name, "timeout") from None
        except httpx.HTTPError:
            raise ProviderError(self.name, "unreachable") from None
        if response.status_code == 404:
            raise NotFound(self.name)
        if response.status_code >= 400:
            log.warning("provider error provider=%s status=%s", self.name, response.status_code)
            raise ProviderError(
                self.name,
                STATUS_REASONS.get(response.status_code, "refused" if response.status_code < 500 else "error"),
            )
        try:
            payload = response.json()
        except ValueError:
            log.warning("provider answer not JSON provider=%s", self.name)
            raise ProviderError(self.name, "malformed") from None
        if not isinstance(payload, (dict, list)):
            raise ProviderError(self.name, "malformed")
        return payload


def paid_and_taxed(
    provider: str,
    info_set: str,
    kind: str,
    start,
    end,
    amount_ore: int,
    tax_ore: int,
    details: dict,
    tax_details: dict | None = None,
    gross: bool | None = True,
) -> list[Item]:
    """A payment and, when tax was withheld from it, the tax as an item of its own over the same period
    (kind ``<provider>.<set>.tax``), so the totals can count what was paid before tax minus the tax."""
    items = [Item(provider, info_set, kind, "income", start, end, amount_ore=amount_ore, gross=gross, details=details)]
    if tax_ore:
        items.append(
            Item(
                provider,
                info_set,
                f"{provider}.{info_set}.tax",
                "income",
                start,
                end,
                amount_ore=tax_ore,
                details=details if tax_details is None else tax_details,
            )
        )
    return items


# Failures worth another attempt: the provider may answer the next time.
TRANSIENT = frozenset({"timeout", "unreachable", "error", "busy", "unavailable"})
STATUS_REASONS = {429: "busy", 503: "unavailable", 504: "timeout"}


@dataclass(frozen=True)
class InfoSet:
    """One information set of a provider (docs/design.md §3).

    ``extended`` marks sets beyond the basic ones, consented to separately (Arbetsförmedlingen's
    14 sets SKR asks for, docs/design.md §3). ``for_children`` marks sets fetched for children under 18 under
    the applicant's consent as guardian (CSN, efterlevandepension, underhållsstöd).
    """

    key: str
    label: object  # lazy translated string: the set's plain-language name
    extended: bool = False
    for_children: bool = False


class Provider(abc.ABC):
    """An agency behind one interface. Subclasses give the request for a set (their own URL
    and body format) and the normaliser from their raw format to :class:`Item`s.

    Class attributes: ``name`` (code), ``title`` and ``purpose`` (lazy translated: the agency's
    name and, in plain words, why the municipality needs this), ``sets``, ``order`` (display),
    ``labels`` ({kind: (label, help)}), ``codes`` ({(detail key, code): label}),
    ``detail_labels`` ({detail key: label}), ``figures`` ({kind: one of
    ``portal.providers.items.FIGURES`` or ``PAYMENT``}: what an amount of that kind is, so
    totals add only what belongs together).
    """

    name: str = ""
    title: object = ""
    purpose: object = ""
    order: int = 100
    sets: tuple[InfoSet, ...] = ()
    labels: dict = {}
    codes: dict = {}
    detail_labels: dict = {}
    figures: dict = {}

    def figure(self, kind: str, gross: bool | None) -> str:
        """What an item's amount is (``portal.providers.items.FIGURES``). A kind the adapter does
        not name is a fact: shown, never added to a total."""
        figure = self.figures.get(kind, FACT)
        if figure == PAYMENT:
            return INCOME_GROSS if gross else INCOME_NET
        return figure

    @abc.abstractmethod
    def request(self, personnummer: str, info_set: str, period) -> tuple[str, dict]:
        """Path and JSON body for fetching ``info_set`` about the person over ``period``."""

    @abc.abstractmethod
    def normalise(self, info_set: str, raw: dict, period) -> list:
        """Raw payload -> Items within ``period``. Raises ProviderError('unexpected_format')
        when the payload does not have the provider's shape (never shows it as data)."""

    def nothing(self, info_set: str, raw: dict) -> bool:
        """Whether the answer says the provider has nothing about the person."""
        return False

    def fetch(
        self, client: ProviderClient, personnummer: str, info_set: str, period, timeout: float | None = None
    ) -> list:
        path, body = self.request(personnummer, info_set, period)
        try:
            raw = client.post_json(path, body, timeout=timeout)
        except NotFound:
            return []
        if self.nothing(info_set, raw):
            return []
        return self.normalise(info_set, raw, period)

    def info_set(self, key: str) -> InfoSet:
        for candidate in self.sets:
            if candidate.key == key:
                return candidate
        raise KeyError(key)
