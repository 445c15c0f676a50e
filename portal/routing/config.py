"""The routing configuration (portal/data/routing.json): loaded once, validated as a whole.

A broken file is refused at load with every problem listed, so a bad edit fails the tests and the
start-up instead of misrouting applications. ``PORTAL_ROUTING_FILE`` points at another file (tests,
operations); ``clear_cache()`` forgets what was loaded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import get_locale

from portal.i18n.services import SUPPORTED
from portal.routing.municipalities import municipalities

ENV = "PORTAL_ROUTING_FILE"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "routing.json"
STATES = ("connected", "paused", "not_connected")
CHANNELS = ("inbox", "webhook", "pull")
LANGUAGES = SUPPORTED  # a municipality's own texts, in any of the portal's languages
INBOX_ID_MAX = 60  # delivery.inbox_id and inbox_entry.inbox_id are String(60)
FALLBACK_LANGUAGE = "sv"
# Gallring: a finished case is purged this many years after its last entry (socialtjänstlagen
# (2001:453) 12 kap. 1 §: five years after the last note); 'retention_years' per municipality or in
# 'default' changes it (docs/decisions/0009-archive-package-and-retention.md).
DEFAULT_RETENTION_YEARS = 5
RETENTION_YEARS_MAX = 100

_RANGE = re.compile(r"^(\d{3}(?:xx|\d\d))(?:\s*[-–]\s*(\d{3}(?:xx|\d\d)))?$")
_SECRET_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-/]*$")
_INBOX_ID = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


RECEIVER = "{receiver_url}"  # a webhook URL starting with it is the installation's sample receiver


def resolve_url(url: str, receiver_url: str) -> str:
    """A webhook URL as configured, with a leading ``{receiver_url}`` replaced by the configuration's
    ``PORTAL_RECEIVER_URL`` (the demo derives it from its ports); "" when that is needed and not set."""
    if not url.startswith(RECEIVER):
        return url
    return receiver_url.rstrip("/") + url[len(RECEIVER) :] if receiver_url else ""


def _webhook_url_ok(url: str) -> bool:
    """https, or plain http to this machine only (the demo's sample receiver, tests); or a path on the
    installation's sample receiver (``{receiver_url}/...``)."""
    if url.startswith(RECEIVER):
        return url[len(RECEIVER) :].startswith("/")
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")


class RoutingConfigError(ValueError):
    """The routing configuration is broken; ``problems`` lists every problem found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = list(problems)
        super().__init__(f"invalid routing configuration {self.path}:\n  - " + "\n  - ".join(self.problems))


@dataclass(frozen=True)
class LocalText:
    """A municipality's own text in one or more of the portal's languages (Swedish always present).

    ``str()`` gives the reader's language inside a request, else Swedish, so a template can print it.
    """

    texts: tuple[tuple[str, str], ...]

    def get(self, locale: str | None = None) -> str:
        found = dict(self.texts)
        return found.get(locale or "", found[FALLBACK_LANGUAGE])

    def __str__(self) -> str:
        try:
            locale = get_locale()
        except Exception:  # outside an app or request context
            locale = None
        return self.get(str(locale) if locale else None)


@dataclass(frozen=True)
class Inbox:
    id: str
    name: str
    channel: str  # "inbox" (built-in) | "webhook" | "pull"
    url: str | None = None  # webhook only
    secret_name: str | None = None  # webhook only: the name of the signing secret, never the secret


@dataclass(frozen=True)
class PostalRange:
    low: int
    high: int

    def __contains__(self, postal_code: int) -> bool:
        return self.low <= postal_code <= self.high

    def __str__(self) -> str:
        return f"{self.low:05d}-{self.high:05d}"


@dataclass(frozen=True)
class District:
    name: str
    inbox: str  # an inbox id of the same municipality
    ranges: tuple[PostalRange, ...]


@dataclass(frozen=True)
class MunicipalityRouting:
    code: str
    state: str
    inboxes: Mapping[str, Inbox]
    districts: tuple[District, ...]
    fallback_inbox: str
    protected_inbox: str
    reason: LocalText | None = None  # paused: why
    instructions: LocalText | None = None  # not connected (or paused): how to apply on paper
    contact_url: str | None = None
    contact_address: str | None = None
    until: date | None = None  # paused: expected back
    retention_years: int = DEFAULT_RETENTION_YEARS  # gallring (portal/archive/retention.py)

    def district_for(self, postal_code: int) -> District | None:
        for district in self.districts:
            if any(postal_code in r for r in district.ranges):
                return district
        return None


@dataclass(frozen=True)
class RoutingConfig:
    version: int
    path: str
    municipalities: Mapping[str, MunicipalityRouting]
    inboxes: Mapping[str, Inbox] = field(default_factory=dict)  # every inbox by its (unique) id


def config_path() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_PATH)


def routing_config() -> RoutingConfig:
    """The configuration in force, loaded once per path (``PORTAL_ROUTING_FILE`` or the default)."""
    return _cached(str(config_path()))


def clear_cache() -> None:
    _cached.cache_clear()


@cache
def _cached(path: str) -> RoutingConfig:
    return load(Path(path))


def load(path: Path | str) -> RoutingConfig:
    """Read and validate a routing file; raises RoutingConfigError listing every problem."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (OSError, ValueError) as exc:
        raise RoutingConfigError(path, [f"cannot read: {exc}"]) from None
    return _Validator(path).config(raw)


def _no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def parse_postal_code(value: str | None) -> int | None:
    """'118 21', '11821' → 11821; anything that is not five digits → None (routes to the fallback)."""
    if value is None:
        return None
    digits = re.sub(r"\s", "", str(value))
    return int(digits) if len(digits) == 5 and digits.isascii() and digits.isdigit() else None


def parse_range(text: str) -> PostalRange:
    """'11600-11899', '116xx-118xx', '213xx' or '11821' → a PostalRange; ValueError otherwise."""
    match = _RANGE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"postal-code range {text!r} is not like '11600-11899', '116xx-118xx' or '213xx'")
    first, last = match.group(1), match.group(2) or match.group(1)
    low, high = int(first.replace("xx", "00")), int(last.replace("xx", "99"))
    if low > high:
        raise ValueError(f"postal-code range {text!r} runs backwards")
    return PostalRange(low, high)


class _Validator:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def keys(self, where: str, obj, allowed: AbstractSet[str], required: AbstractSet[str] = frozenset()) -> bool:
        if not isinstance(obj, dict):
            self.fail(where, "must be an object")
            return False
        for key in sorted(set(obj) - allowed):
            if not key.startswith("_"):
                self.fail(where, f"unknown key {key!r}")
        for key in sorted(required - set(obj)):
            self.fail(where, f"missing {key!r}")
        return True

    def config(self, raw) -> RoutingConfig:
        if not self.keys("file", raw, {"version", "default", "municipalities"}, {"version", "default"}):
            raise RoutingConfigError(self.path, self.problems)
        version = raw.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.fail("version", "must be a positive whole number")
        known = self.known = municipalities()
        default = self.default(raw.get("default"))
        listed = raw.get("municipalities", {})
        if not isinstance(listed, dict):
            self.fail("municipalities", "must be an object keyed by kommunkod")
            listed = {}
        for code in sorted(set(listed) - set(known)):
            self.fail(f"municipalities.{code}", "unknown municipality code (not in kommuner.csv)")
        result: dict[str, MunicipalityRouting] = {}
        for code, municipality in known.items():
            if code in listed:
                entry = self.municipality(code, listed[code], default)
            elif default is not None:
                entry = self.from_default(code, municipality.name, default)
            else:
                entry = None
            if entry is not None:
                result[code] = entry
        inboxes: dict[str, Inbox] = {}
        for code, entry in result.items():
            for inbox in entry.inboxes.values():
                if inbox.id in inboxes:
                    self.fail(f"municipalities.{code}.inboxes", f"inbox id {inbox.id!r} is used more than once")
                inboxes[inbox.id] = inbox
        if self.problems:
            raise RoutingConfigError(self.path, self.problems)
        return RoutingConfig(version=version, path=str(self.path), municipalities=result, inboxes=inboxes)

    def default(self, raw) -> dict | None:
        if not self.keys("default", raw, {"state", "inbox", "retention_years"}, {"state", "inbox"}):
            return None
        self.retention("default.retention_years", raw.get("retention_years", DEFAULT_RETENTION_YEARS))
        if raw.get("state") != "connected":
            self.fail("default.state", "must be 'connected' (list other states per municipality)")
        inbox = raw.get("inbox")
        if not self.keys("default.inbox", inbox, {"id", "name", "channel"}, {"id", "name", "channel"}):
            return None
        if not isinstance(inbox.get("id"), str) or "{code}" not in inbox["id"]:
            self.fail("default.inbox.id", "must contain {code} so that every municipality's inbox id is unique")
        if inbox.get("channel") not in ("inbox", "pull"):
            self.fail(
                "default.inbox.channel",
                f"unknown or unusable channel {inbox.get('channel')!r} "
                "(the default can be 'inbox' or 'pull'; webhooks need a URL each)",
            )
        for key in ("id", "name"):
            try:
                str(inbox.get(key, "")).format(code="0000", name="X")
            except (KeyError, IndexError, ValueError):
                self.fail(f"default.inbox.{key}", "may only use the placeholders {code} and {name}")
        return raw

    def from_default(self, code: str, name: str, default: dict) -> MunicipalityRouting:
        spec = default["inbox"]
        try:
            inbox = Inbox(
                id=spec["id"].format(code=code, name=name),
                name=spec["name"].format(code=code, name=name),
                channel=spec["channel"],
            )
        except (KeyError, IndexError, ValueError, AttributeError):
            inbox = Inbox(id=f"kommun-{code}", name=name, channel="inbox")  # already reported
        return MunicipalityRouting(
            code=code,
            state="connected",
            inboxes={inbox.id: inbox},
            districts=(),
            fallback_inbox=inbox.id,
            protected_inbox=inbox.id,
            retention_years=self.default_retention(default),
        )

    def default_retention(self, default: dict | None) -> int:
        years = (default or {}).get("retention_years", DEFAULT_RETENTION_YEARS)
        return years if self._years_ok(years) else DEFAULT_RETENTION_YEARS  # a bad value is reported once

    @staticmethod
    def _years_ok(years) -> bool:
        return isinstance(years, int) and not isinstance(years, bool) and 1 <= years <= RETENTION_YEARS_MAX

    def retention(self, where: str, years) -> int:
        if not self._years_ok(years):
            self.fail(where, f"must be a whole number of years from 1 to {RETENTION_YEARS_MAX}")
            return DEFAULT_RETENTION_YEARS
        return years

    def municipality(self, code: str, raw, default: dict | None) -> MunicipalityRouting | None:  # noqa: C901 - one check per field of a municipality's entry, each with its own message
        where = f"municipalities.{code}"
        allowed = {
            "state",
            "inboxes",
            "districts",
            "fallback_inbox",
            "protected_inbox",
            "reason",
            "instructions",
            "contact",
            "until",
            "retention_years",
        }
        if not self.keys(where, raw, allowed, {"state"}):
            return None
        state = raw.get("state")
        if state not in STATES:
            self.fail(f"{where}.state", f"unknown state {state!r} (one of {', '.join(STATES)})")
        reason = self.text(f"{where}.reason", raw.get("reason"))
        instructions = self.text(f"{where}.instructions", raw.get("instructions"))
        if state == "paused" and reason is None:
            self.fail(where, "a paused municipality needs a 'reason'")
        if state != "paused" and "reason" in raw:
            self.fail(f"{where}.reason", "only a paused municipality has a reason")
        if state == "not_connected" and instructions is None:
            self.fail(where, "a not connected municipality needs 'instructions' for applying on paper")
        if state == "connected" and "instructions" in raw:
            self.fail(f"{where}.instructions", "a connected municipality has no paper instructions")
        contact_url, contact_address = self.contact(f"{where}.contact", raw.get("contact"))
        if state == "not_connected" and not contact_url:
            self.fail(where, "a not connected municipality needs 'contact.url'")
        until = None
        if "until" in raw:
            if state != "paused":
                self.fail(f"{where}.until", "only a paused municipality has 'until'")
            try:
                until = date.fromisoformat(raw["until"])
            except (TypeError, ValueError):
                self.fail(f"{where}.until", "must be a date like 2026-09-01")

        retention = (
            self.retention(f"{where}.retention_years", raw["retention_years"])
            if "retention_years" in raw
            else self.default_retention(default)
        )
        if "inboxes" not in raw:
            for key in ("districts", "fallback_inbox", "protected_inbox"):
                if key in raw:
                    self.fail(f"{where}.{key}", "needs 'inboxes' (without them the default inbox is used)")
            name = self.known[code].name
            base = self.from_default(code, name, default) if default else None
            if base is None:
                return None
            return MunicipalityRouting(
                code=code,
                state=state,
                inboxes=base.inboxes,
                districts=(),
                fallback_inbox=base.fallback_inbox,
                protected_inbox=base.protected_inbox,
                reason=reason,
                instructions=instructions,
                contact_url=contact_url,
                contact_address=contact_address,
                until=until,
                retention_years=retention,
            )

        inboxes = self.inboxes(f"{where}.inboxes", raw.get("inboxes"))
        fallback = raw.get("fallback_inbox")
        if fallback is None:
            self.fail(where, "missing 'fallback_inbox' (the inbox for postal codes no district rule covers)")
        elif fallback not in inboxes:
            self.fail(f"{where}.fallback_inbox", f"{fallback!r} is not one of this municipality's inboxes")
        protected = raw.get("protected_inbox", fallback)
        if "protected_inbox" in raw and protected not in inboxes:
            self.fail(f"{where}.protected_inbox", f"{protected!r} is not one of this municipality's inboxes")
        districts = self.districts(f"{where}.districts", raw.get("districts", []), inboxes)
        return MunicipalityRouting(
            code=code,
            state=state,
            inboxes=inboxes,
            districts=districts,
            # A missing one is already a problem above, so the file is refused and this entry never used.
            fallback_inbox=fallback if fallback is not None else "",
            protected_inbox=protected,
            reason=reason,
            instructions=instructions,
            contact_url=contact_url,
            contact_address=contact_address,
            until=until,
            retention_years=retention,
        )

    def text(self, where: str, raw) -> LocalText | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = {FALLBACK_LANGUAGE: raw}
        if not isinstance(raw, dict):
            self.fail(where, "must be a text or an object of texts by language (sv, en, ar)")
            return None
        for language in sorted(set(raw) - set(LANGUAGES)):
            self.fail(where, f"unknown language {language!r} (one of {', '.join(LANGUAGES)})")
        if not isinstance(raw.get(FALLBACK_LANGUAGE), str) or not raw[FALLBACK_LANGUAGE].strip():
            self.fail(where, "needs a Swedish text ('sv')")
            return None
        texts = tuple((k, v.strip()) for k, v in raw.items() if k in LANGUAGES and isinstance(v, str) and v.strip())
        return LocalText(texts)

    def contact(self, where: str, raw) -> tuple[str | None, str | None]:
        if raw is None or not self.keys(where, raw, {"url", "address"}):
            return None, None
        url, address = raw.get("url"), raw.get("address")
        if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
            self.fail(f"{where}.url", "must be an https:// address")
            url = None
        if address is not None and not isinstance(address, str):
            self.fail(f"{where}.address", "must be a text")
            address = None
        return url, address

    def inboxes(self, where: str, raw) -> dict[str, Inbox]:
        if not isinstance(raw, list) or not raw:
            self.fail(where, "must be a non-empty list")
            return {}
        result: dict[str, Inbox] = {}
        for index, spec in enumerate(raw):
            at = f"{where}[{index}]"
            if not self.keys(at, spec, {"id", "name", "channel", "url", "secret"}, {"id", "name", "channel"}):
                continue
            inbox_id, name, channel = spec.get("id"), spec.get("name"), spec.get("channel")
            if not isinstance(inbox_id, str) or not _INBOX_ID.match(inbox_id) or len(inbox_id) > INBOX_ID_MAX:
                self.fail(f"{at}.id", f"must be lower-case letters, digits and dashes, at most {INBOX_ID_MAX} long")
                continue
            if inbox_id in result:
                self.fail(f"{at}.id", f"inbox id {inbox_id!r} is used more than once")
            if not isinstance(name, str) or not name.strip():
                self.fail(f"{at}.name", "must be a text")
            if channel not in CHANNELS:
                self.fail(f"{at}.channel", f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
            url, secret = spec.get("url"), spec.get("secret")
            if channel == "webhook":
                if not isinstance(url, str) or not _webhook_url_ok(url):
                    self.fail(
                        f"{at}.url",
                        "a webhook needs an https:// url (plain http only to localhost, "
                        "or {receiver_url}/... for the sample receiver)",
                    )
                if not isinstance(secret, str) or not _SECRET_NAME.match(secret):
                    self.fail(f"{at}.secret", "a webhook needs 'secret': the name of the signing secret")
            else:
                for key in ("url", "secret"):
                    if key in spec:
                        self.fail(f"{at}.{key}", f"only a webhook has {key!r}")
                url = secret = None
            result[inbox_id] = Inbox(id=inbox_id, name=str(name), channel=str(channel), url=url, secret_name=secret)
        return result

    def districts(self, where: str, raw, inboxes: Mapping[str, Inbox]) -> tuple[District, ...]:
        if not isinstance(raw, list):
            self.fail(where, "must be a list")
            return ()
        result: list[District] = []
        spans: list[tuple[PostalRange, str]] = []
        for index, spec in enumerate(raw):
            at = f"{where}[{index}]"
            if not self.keys(at, spec, {"name", "inbox", "postal_codes"}, {"name", "inbox", "postal_codes"}):
                continue
            name, inbox = spec.get("name"), spec.get("inbox")
            if inbox not in inboxes:
                self.fail(f"{at}.inbox", f"{inbox!r} is not one of this municipality's inboxes")
            codes = spec.get("postal_codes")
            if not isinstance(codes, list) or not codes:
                self.fail(f"{at}.postal_codes", "must be a non-empty list of ranges")
                continue
            ranges = []
            for text in codes:
                try:
                    ranges.append(parse_range(text))
                except ValueError as exc:
                    self.fail(f"{at}.postal_codes", str(exc))
            spans.extend((r, str(name)) for r in ranges)
            result.append(District(name=str(name), inbox=str(inbox), ranges=tuple(ranges)))
        spans.sort(key=lambda span: (span[0].low, span[0].high))
        for (before, before_name), (after, after_name) in pairwise(spans):
            if after.low <= before.high:
                self.fail(where, f"postal-code ranges overlap: {before} ({before_name}) and {after} ({after_name})")
        return tuple(result)
