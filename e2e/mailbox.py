"""The demo stack's mail sink, read by the journeys: what the worker sent, to whom."""

from __future__ import annotations

import time

import httpx


def mails_to(mailbox_url, address):
    return [m for m in httpx.get(f"{mailbox_url}/mails.json").json()["mails"] if address in m["recipients"]]


def mail_arrives(mailbox_url, address, after=0, seconds=60):
    """The mails to ``address`` once there are more than ``after``: the worker sends the outbox every few
    seconds. A generous ceiling (a busy CI machine), never a measurement."""
    deadline = time.monotonic() + seconds
    while len(mails := mails_to(mailbox_url, address)) <= after and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(mails) > after, f"no new mail to {address} reached the demo mail sink"
    return mails
