from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

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

    def post_json(self, path: str, body: dict) -> dict:
        # The person's number travels in the body, never in the URL.
        try:
            response = httpx.post(
                f"{self.base_url}{path}", json=body, timeout=self.timeout_seconds,
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"})
        except httpx.TimeoutException:
            raise ProviderError(self.name, "timeout") from None
        except httpx.HTTPError:
            raise ProviderError(self.name, "unreachable") from None
        if response.status_code == 404:
            raise NotFound(self.name)
        if response.status_code >= 400:
            log.warning("provider error provider=%s status=%s", self.name, response.status_code)
            raise ProviderError(self.name, "error")
        try:
            payload = response.json()
        except ValueError:
            raise ProviderError(self.name, "malformed") from None
        if not isinstance(payload, dict):
            raise ProviderError(self.name, "malformed")
        return payload
