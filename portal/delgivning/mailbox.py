"""The portal's adapter for the digital-mail infrastructure (Mina meddelanden's "is reachable" lookup and
secure messages), over HTTP. The sandbox's /digitalmail (devstack/sandbox/digitalmail.py) answers the same."""

from __future__ import annotations

import base64
import hashlib

import httpx


class MailboxError(Exception):
    """The service did not answer usefully; ``permanent`` when trying again cannot help."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class NotReachable(Exception):
    """The person has no digital mailbox."""


class DigitalMail:
    def __init__(self, url: str, token: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _post(self, path: str, body: dict, key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        try:
            return httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise MailboxError(type(exc).__name__) from None

    def reachable(self, personnummer: str) -> str | None:
        """The person's mailbox operator, or None when they have no digital mailbox."""
        response = self._post("/reachable", {"recipients": [personnummer]})
        if not response.is_success:
            raise MailboxError(f"reachable_{response.status_code}")
        try:
            answer = response.json()["recipients"][0]
            reachable = answer["reachable"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise MailboxError("reachable_malformed") from None
        if not isinstance(reachable, bool):
            raise MailboxError("reachable_malformed")
        return (answer.get("mailbox") or "digital") if reachable else None

    def send(self, personnummer: str, subject: str, sender: str, name: str, pdf: bytes, key: str) -> dict:
        """Send one secure message with the PDF; returns the receipt ``{"id", "deliveredAt", "mailbox"}``.
        The same ``key`` on every try: the service answers a repeat with the first receipt."""
        body = {
            "recipient": personnummer,
            "subject": subject,
            "sender": sender,
            "documents": [
                {
                    "name": name,
                    "mediaType": "application/pdf",
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                    "content": base64.b64encode(pdf).decode("ascii"),
                }
            ],
        }
        response = self._post("/messages", body, key)
        if response.status_code == 409:
            raise NotReachable()
        if not response.is_success:
            permanent = response.status_code in (400, 413, 415, 422)
            raise MailboxError(f"messages_{response.status_code}", permanent=permanent)
        try:
            receipt = response.json()["receipt"]
            if not receipt.get("id") or not receipt.get("deliveredAt"):
                raise KeyError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise MailboxError("messages_malformed") from None
        return receipt
