"""The exchange document: one application as a JSON-ready dict, validated against the published
schema (``schema/application-1.2.0.json``), with a canonical byte form and its digest.

Every value says where it comes from. A fetched item carries ``source.kind == "system"`` with
provider, set, fetch time, the seal and ``sealedFields`` — exactly the fields
:func:`portal.information.seal.canonical` signs, as signed — so a receiver recomputes the bytes
and verifies the Ed25519 signature with the published key. What the applicant entered carries
``source.kind == "applicant"``. Labels are plain Swedish (the receiver is a Swedish
municipality); ``language`` says which language the applicant used.

A protected application (sekretessmarkering, skyddad folkbokföring) carries no address and,
of the other household members, only an opaque member id and the relation — never their
names, birth dates or personnummer (docs/design.md §8). ``build`` enforces that whatever is stored,
and the schema rejects a protected document that has them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from portal.attachments import services as attachments
from portal.auth.models import Person
from portal.calculation.proposal import for_document
from portal.consent.models import Consent
from portal.extensions import db
from portal.indication import services as indication_services
from portal.indication.calculate import LINE_TEXT, NOTE_TEXT, NormUnavailable
from portal.information import labels, seal
from portal.information import services as information
from portal.information.states import FetchStatus
from portal.mandates.models import Mandate
from portal.mandates.services import proxy_name, uses
from portal.providers import registry
from portal.providers.items import Period
from portal.routing.services import UnknownMunicipality, municipality
from portal.situation.summary import documents_block, situation_block
from portal.supplements import services as supplements
from portal.supplements.labels import entry_label

SCHEMA_VERSION = "1.2.0"  # 1.1.0: proxies, consents given by a proxy; 1.2.0: calculationLines, emergency
# Every version published so far: a document frozen under an older one stays valid (minor versions only add).
SCHEMA_VERSIONS = ("1.1.0", "1.2.0")
SCHEMA_ID = f"https://egnautrymmet.se/exchange/schema/application-{SCHEMA_VERSION}.json"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / f"application-{SCHEMA_VERSION}.json"
ISSUER = "Egna utrymmet"
SEAL_KEYS_PATH = "/.well-known/seal-keys.json"

# Fixed Swedish texts of the document itself (the receiver is Swedish whatever the UI language).
RELATION_SV = {
    "applicant": "Sökande",
    "spouse": "Make/maka eller registrerad partner",
    "partner": "Sambo",
    "child": "Barn",
    "parent": "Förälder",
    "other": "Annan person i hushållet",
}
REASON_SV = {
    "pending": "Hämtningen pågick fortfarande när dokumentet skapades.",
    "not_found": "{provider} har inga uppgifter om personen.",
    "unknown_municipality": "Folkbokföringskommunen kunde inte kännas igen.",
}
INDICATION_DISCLAIMER = (
    "Preliminär beräkning (indikation till besked) gjord av portalen mot riksnormen och "
    "de kostnader sökanden uppgett. Det är inget beslut: kommunen gör en individuell bedömning."
)


class InvalidDocument(ValueError):
    """The document does not follow the schema. ``errors``: one readable line per problem,
    each starting with the JSON pointer of the offending value."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s): " + "; ".join(errors))
        self.errors = list(errors)


# --- schema, validation, canonical form -------------------------------------------------------


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema() -> dict:
    """The published JSON Schema (read once; a copy, so callers may not change the cached one)."""
    return copy.deepcopy(_schema())


def _format_checker():
    # jsonschema and jsonschema_rs: deferred, about 0.1 s to import; only checking a document needs them
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=("date",))  # built in, needs no extra package

    # "date-time" is only checked by jsonschema with an optional package; check RFC 3339 here.
    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper() or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
            raise ValueError("not an RFC 3339 date-time with a time zone")
        datetime.fromisoformat(value.replace("z", "Z"))
        return True

    return checker


class _Unresolvable(Exception):
    pass


def _resolved(schema_: dict) -> dict:
    """The schema with every ``$ref`` into its own ``$defs`` replaced by the definition, so a check
    follows no references (each one costs a registry look-up on every value it applies to). A ``$ref``
    with sibling keywords becomes ``allOf: [definition]`` beside them, which in draft 2020-12 means the
    same. Raises :class:`_Unresolvable` for anything else (a recursive or outside reference, anchors)."""
    definitions = schema_.get("$defs", {})

    def walk(node: Any, trail: tuple) -> Any:
        if isinstance(node, list):
            return [walk(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        if any(key in node for key in ("$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef")):
            raise _Unresolvable("anchors or a nested $id")
        rest = {key: walk(value, trail) for key, value in node.items() if key != "$ref"}
        if "$ref" not in node:
            return rest
        ref = node["$ref"]
        name = ref.removeprefix("#/$defs/")
        if not ref.startswith("#/$defs/") or "/" in name or name not in definitions or name in trail:
            raise _Unresolvable(ref)
        target = walk(definitions[name], (*trail, name))
        return {"allOf": [target], **rest} if rest else target

    top = {key: value for key, value in schema_.items() if key not in ("$defs", "$id", "$schema")}
    return {"$schema": schema_.get("$schema"), "$id": schema_.get("$id"), **walk(top, ())}


@cache
def _validator():
    """Compiled once per process: the schema checked, its references resolved, the format checker made."""
    from jsonschema import Draft202012Validator  # deferred: see _format_checker

    Draft202012Validator.check_schema(_schema())
    try:
        return Draft202012Validator(_resolved(copy.deepcopy(_schema())), format_checker=_format_checker())
    except _Unresolvable:
        return _reference_validator()


@cache
def _reference_validator():
    """The schema exactly as published, references and all (what :func:`_validator` must agree with)."""
    from jsonschema import Draft202012Validator  # deferred: see _format_checker

    return Draft202012Validator(_schema(), format_checker=_format_checker())


def _pointer(path) -> str:
    return "/" + "/".join(str(part) for part in path)


def _message(error) -> str:
    if error.schema is False or (error.validator == "not" and error.validator_value == {}):
        return f"{_pointer(error.absolute_path)}: must not be present"
    return f"{_pointer(error.absolute_path)}: {error.message}"


@cache
def _fast_validator():
    """The published schema compiled by ``jsonschema_rs`` (Rust: a whole document in a few hundredths of a
    millisecond), judging formats with the very checks the Python validator uses, so both mean the same."""
    import jsonschema_rs  # deferred: see _format_checker

    checker = _format_checker()
    formats = {name: (lambda value, name=name: checker.conforms(value, name)) for name in checker.checkers}
    return jsonschema_rs.Draft202012Validator(_schema(), formats=formats, validate_formats=True, offline=True)


def _schema_errors(doc) -> list[str]:
    """Every place ``doc`` breaks the schema, as readable lines (python-jsonschema; slow but detailed)."""
    return [_message(e) for e in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]


def _fast_errors(doc) -> list[str] | None:
    """What ``jsonschema_rs`` finds (``[]``: valid), or ``None`` if it cannot judge ``doc`` (a value that is not
    JSON, which the Python validator then reports)."""
    try:
        if _fast_validator().is_valid(doc):
            return []
        return [f"{_pointer(e.instance_path)}: {e.message}" for e in _fast_validator().iter_errors(doc)]
    except (ValueError, TypeError, OverflowError):
        return None


def validate(doc: dict) -> None:
    """Check ``doc`` against the schema (with format checking) and that each fetched item's
    shown values are the sealed ones; raise :class:`InvalidDocument` listing every problem.

    The whole document is checked by the fast validator; only when it finds a problem is the Python
    validator asked for its detailed list. Valid means valid to both: where the fast one is the stricter
    (a pattern's ``$`` does not let a trailing newline through there) its own findings are reported."""
    fast = _fast_errors(doc)
    errors = [] if fast == [] else (_schema_errors(doc) or fast or [])
    errors += _consistency_errors(doc)
    if errors:
        raise InvalidDocument(errors)


# The shown fields of a fetched item and the sealed field they must equal.
_SHOWN_AS_SEALED = (
    (("memberId",), "member_id"),
    (("kind",), "kind"),
    (("theme",), "theme"),
    (("amountOre",), "amount_ore"),
    (("gross",), "gross"),
    (("details",), "details"),
    (("period", "start"), "period_start"),
    (("period", "end"), "period_end"),
    (("source", "provider"), "provider"),
    (("source", "set"), "info_set"),
    (("source", "fetchedAt"), "fetched_at"),
)


def _consistency_errors(doc: dict) -> list[str]:
    """What a schema cannot say: a shown value differing from the sealed one would show the
    caseworker something nobody signed."""
    errors = []
    fetched = doc.get("fetched") if isinstance(doc, dict) else None
    for index, item in enumerate(fetched if isinstance(fetched, list) else []):
        if not isinstance(item, dict):
            continue
        sealed = (item.get("source") or {}).get("sealedFields") if isinstance(item.get("source"), dict) else None
        if not isinstance(sealed, dict):
            continue
        for path, name in _SHOWN_AS_SEALED:
            value: Any = item
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if name in sealed and value != sealed[name]:
                errors.append(
                    f"/fetched/{index}/{'/'.join(path)}: {value!r} differs from the sealed {name} {sealed[name]!r}"
                )
        if sealed.get("application_id") not in (None, doc.get("applicationId")):
            errors.append(f"/fetched/{index}/source/sealedFields/application_id: not this document's applicationId")
    return errors


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_bytes(doc: dict) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8 (not ASCII-escaped)."""
    return _CANONICAL.encode(doc).encode("utf-8")


def digest(doc: dict) -> str:
    """SHA-256 (hex) of :func:`canonical_bytes`: the same whatever the key order."""
    return hashlib.sha256(canonical_bytes(doc)).hexdigest()


# --- building ---------------------------------------------------------------------------------


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def _plain(value):
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _provider(name: str):
    try:
        return registry.provider(name)
    except KeyError:
        return None


def _provider_name(name: str) -> str:
    found = _provider(name)
    return str(found.title) if found is not None else name


def _set_name(provider_name: str, key: str) -> str:
    if provider_name == "skatteverket" and key == "folkbokforing":
        return "Folkbokföring"
    found = _provider(provider_name)
    for info_set in getattr(found, "sets", ()):
        if info_set.key == key:
            return str(info_set.label)
    return key


def build(application, language: str, *, items: list | None = None, calls: list | None = None) -> dict:
    """The application as one JSON-ready dict following the schema (needs an app context).

    ``items`` and ``calls``: the application's fetched items and fetch calls, all of them, when the caller
    has them at hand (the submission has just checked their seals and that none is pending), so the
    document shows exactly those and they are not loaded again."""
    with force_locale("sv"):
        return _build(application, language, items, calls)


def _build(application, language: str, items: list | None = None, calls: list | None = None) -> dict:
    protected = bool(application.protected)
    members = list(application.members)
    applicant = next((m for m in members if m.relation == "applicant"), members[0] if members else None)
    others = [m for m in members if m is not applicant]
    person = db.session.get(Person, application.applicant_id)
    # Who wrote or agreed to something, as a member of this document.
    member_of_person = {m.person_id: m.id for m in members if m.person_id}
    if applicant is not None:
        member_of_person[application.applicant_id] = applicant.id

    name = None
    if application.municipality_code:
        try:
            name = municipality(application.municipality_code).name
        except UnknownMunicipality:
            name = None
    period = Period(application.period)
    base_url = current_app.config["PORTAL"].base_url.rstrip("/")

    doc: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schemaVersion": SCHEMA_VERSION,
        "issuer": {"name": ISSUER, "sealKeys": f"{base_url}{SEAL_KEYS_PATH}"},
        "applicationId": application.id,
        "reference": application.reference,
        "createdAt": _utc(application.created_at),
        "submittedAt": _utc(application.submitted_at),
        "period": {"month": _month(application.period), "start": _day(period.start), "end": _day(period.end)},
        "municipality": {"code": application.municipality_code, "name": name},
        "protected": protected,
        "language": language,
        "folkbokforing": (
            {
                "provider": "skatteverket",
                "set": "folkbokforing",
                "fetchedAt": _utc(application.folkbokforing_fetched_at),
                "sealed": False,
            }
            if application.folkbokforing_fetched_at
            else None
        ),
    }
    if not protected:
        address = {
            "street": application.street,
            "postalCode": application.postal_code,
            "postTown": application.post_town,
        }
        doc["address"] = address if any(address.values()) else None

    assert applicant is not None  # start() makes the applicant the first member
    given = person.given_name if person is not None else applicant.given_name
    family = person.family_name if person is not None else applicant.family_name
    doc["applicant"] = {
        "memberId": applicant.id,
        "givenName": applicant.given_name or given,
        "familyName": applicant.family_name or family,
        "personnummer": person.personnummer if person is not None else applicant.personnummer,
    }
    if not protected:
        doc["applicant"]["birthDate"] = _day(applicant.birth_date)

    household = []
    for member in others:
        entry: dict[str, Any] = {
            "memberId": member.id,
            "relation": member.relation,
            "relationLabel": RELATION_SV.get(member.relation, RELATION_SV["other"]),
            "coApplicant": member.is_co_applicant,
        }
        if not protected:
            entry.update(givenName=member.given_name, familyName=member.family_name, birthDate=_day(member.birth_date))
        household.append(entry)
    doc["household"] = {"size": len(members), "otherMembersCount": len(others), "members": household}

    if items is None:
        items = information.items(application)
    if calls is None:
        calls = information.calls(application)
    doc["fetched"] = _fetched(application, information, member_of_person, items)
    doc["notFetched"] = _not_fetched(application, calls, applicant)
    summary = _supplements(application)
    doc["applicantStated"] = _stated(application, summary)
    doc["consents"] = [
        {
            "id": c.id,
            "provider": c.provider,
            "providerName": _provider_name(c.provider),
            "scope": c.scope,
            "memberId": c.member_id,
            "givenByMemberId": member_of_person.get(c.given_by_person_id),
            "givenAt": _utc(c.given_at),
            "wordingVersion": c.wording_version,
            "asGuardian": bool(c.as_guardian),
            **_given_by_proxy(c),
        }
        for c in db.session.scalars(
            select(Consent)
            .where(Consent.application_id == application.id, Consent.revoked_at.is_(None))
            .order_by(Consent.id)
        )
    ]
    doc["proxies"] = _proxies(application)
    doc["attachments"] = _attachments(application, member_of_person)
    # The indication from the very items and stated entries shown above (not loaded a second time).
    doc["indication"] = _indication(application, items, summary["costs"]["entries"], summary["incomes"]["entries"])
    # The lines the municipality will judge, proposed from the same items and entries, frozen with the document.
    doc["calculationLines"] = for_document(
        application, items=items, cost_entries=summary["costs"]["entries"], income_entries=summary["incomes"]["entries"]
    )
    doc["emergency"] = (
        {
            "source": {"kind": "applicant", "enteredAt": _utc(application.created_at)},
            "reason": application.emergency_reason or "",
        }
        if application.emergency
        else None
    )
    # The applicant's situation and the documents it calls for (issue 16), frozen and sealed with the rest.
    doc["situation"] = situation_block(application, items)
    doc["expectedDocuments"] = documents_block(application, items, calls)
    return doc


PROXY_KIND_SV = {"fullmakt": "Ombud med fullmakt", "god_man": "God man", "forvaltare": "Förvaltare"}
PROXY_ROLE_SV = {"prepared": "Har förberett ansökan", "submitted": "Har signerat och skickat ansökan"}


def _proxy_ref(mandate) -> dict:
    return {
        "mandateReference": mandate.reference,
        "kind": mandate.kind,
        "kindLabel": PROXY_KIND_SV[mandate.kind],
        "name": proxy_name(mandate),
        "decisionReference": mandate.decision_reference,
        "scopes": sorted(mandate.scope_set),
        "validUntil": _utc(mandate.valid_until),
    }


def _proxies(application) -> list[dict]:
    """Who prepared or submitted the application for the applicant under a mandate (ombud)."""
    return [
        {
            **_proxy_ref(mandate),
            "role": use.kind,
            "roleLabel": PROXY_ROLE_SV[use.kind],
            "firstAt": _utc(use.first_at),
            "lastAt": _utc(use.last_at),
        }
        for use, mandate in uses(application.id)
    ]


def _given_by_proxy(consent) -> dict:
    if not consent.mandate_reference:
        return {}
    mandate = db.session.scalar(select(Mandate).where(Mandate.reference == consent.mandate_reference))
    return {"givenByProxy": _proxy_ref(mandate)} if mandate is not None else {}


def _fetched(application, information, member_of_person: dict, items: list) -> list[dict]:
    comments = information.comments(application) if items else {}  # comments are on items: none without
    result = []
    for item in items:
        provider = _provider(item.provider)
        label, help_text = labels.item_label(provider, item.kind) if provider is not None else (item.kind, "")
        sealed = json.loads(seal.canonical(seal.fields_of(item)))
        details = sealed["details"] if isinstance(sealed.get("details"), dict) else {}
        details_text = []
        if provider is not None:
            for key, value in details.items():
                detail_label, text = labels.detail_text(provider, key, value)
                details_text.append({"key": key, "label": detail_label, "text": text})
        comment = comments.get(item.id)
        result.append(
            {
                "id": item.id,
                "memberId": item.member_id,
                "source": {
                    "kind": "system",
                    "provider": item.provider,
                    "providerName": _provider_name(item.provider),
                    "set": item.info_set,
                    "setName": _set_name(item.provider, item.info_set),
                    "fetchedAt": sealed["fetched_at"],
                    "seal": {"alg": "EdDSA", "kid": item.seal_key_id, "signature": item.seal},
                    "sealedFields": sealed,
                },
                "kind": item.kind,
                "theme": item.theme,
                "themeLabel": str(labels.THEME.get(item.theme, item.theme)),
                "label": label,
                "help": help_text,
                "amountOre": item.amount_ore,
                "gross": item.gross,
                "period": {"start": sealed["period_start"], "end": sealed["period_end"]},
                "details": details,
                "detailsText": details_text,
                "comments": []
                if comment is None
                else [
                    {
                        "source": {
                            "kind": "applicant",
                            "enteredAt": _utc(comment.updated_at or comment.created_at),
                            "authorMemberId": member_of_person.get(comment.author_person_id),
                        },
                        "itemId": item.id,
                        "text": comment.text,
                    }
                ],
            }
        )
    return result


def _not_fetched(application, calls: list, applicant) -> list[dict]:
    result = []
    if application.folkbokforing_error and applicant is not None:
        reason = application.folkbokforing_error
        result.append(
            {
                "provider": "skatteverket",
                "providerName": _provider_name("skatteverket"),
                "set": "folkbokforing",
                "setName": "Folkbokföring",
                "memberId": applicant.id,
                "reason": reason,
                "reasonText": _reason_text(reason, "skatteverket", labels),
                "attempts": 0,
                "at": None,
            }
        )
    for call in calls:
        if call.status == FetchStatus.DONE:
            continue
        reason = call.reason if call.status == FetchStatus.FAILED else "pending"
        result.append(
            {
                "provider": call.provider,
                "providerName": _provider_name(call.provider),
                "set": call.info_set,
                "setName": _set_name(call.provider, call.info_set),
                "memberId": call.member_id,
                "reason": reason or "error",
                "reasonText": _reason_text(reason, call.provider, labels),
                "attempts": call.attempts or 0,
                "at": _utc(call.finished_at),
            }
        )
    return result


def _reason_text(reason: str | None, provider: str, labels) -> str:
    title = _provider_name(provider)
    if reason in REASON_SV:
        return REASON_SV[reason].format(provider=title)
    return str(labels.reason(reason, title))


def _supplements(application) -> dict:
    return supplements.summary(application)


def _stated(application, summary: dict) -> dict:
    def source(entry) -> dict:
        return {"kind": "applicant", "enteredAt": _utc(entry.updated_at or entry.created_at)}

    def totals(by_month: dict) -> list[dict]:
        return [{"month": _month(month), "amountOre": amount} for month, amount in sorted(by_month.items())]

    message = summary["message"]["text"]
    text_entry = supplements.free_text(application) if message else None
    return {
        "incomes": {
            "entries": [
                {
                    "source": source(i),
                    "id": i.id,
                    "kind": i.kind,
                    "label": entry_label(i),
                    "description": i.description,
                    "amountOre": i.amount_ore,
                    "month": _month(i.month),
                    "memberId": i.member_id,
                }
                for i in summary["incomes"]["entries"]
            ],
            "totals": totals(summary["incomes"]["totals"]),
        },
        "costs": {
            "entries": [
                {
                    "source": source(c),
                    "id": c.id,
                    "category": c.category,
                    "label": entry_label(c),
                    "description": c.description,
                    "amountOre": c.amount_ore,
                    "month": _month(c.month),
                }
                for c in summary["costs"]["entries"]
            ],
            "totals": totals(summary["costs"]["totals"]),
        },
        "assets": {
            "entries": [
                {
                    "source": source(a),
                    "id": a.id,
                    "kind": a.kind,
                    "label": entry_label(a),
                    "description": a.description,
                    "valueOre": a.value_ore,
                }
                for a in summary["assets"]["entries"]
            ],
            "totalOre": summary["assets"]["total"],
        },
        "message": None
        if not message
        else {"source": source(text_entry) if text_entry is not None else {"kind": "applicant"}, "text": message},
    }


def _attachments(application, member_of_person: dict) -> list[dict]:
    return [
        {
            "source": {
                "kind": "applicant",
                "enteredAt": _utc(a.created_at),
                "authorMemberId": member_of_person.get(a.uploaded_by_person_id),
            },
            "id": a.id,
            "name": a.original_name,
            "kind": a.kind,
            "mediaType": a.media_type,
            "size": a.size,
            "sha256": a.sha256,
            "description": a.description,
            "linkedItemId": a.linked_item_id,
            "linkedCostId": a.linked_cost_id,
            "uploadedAt": _utc(a.created_at),
        }
        for a in attachments.for_application(application.id)
    ]


def _indication(application, items: list, costs: list, incomes: list) -> dict:
    try:
        result = indication_services.indication(application, items=items, costs=costs, incomes=incomes)
    except NormUnavailable:
        return {
            "preliminary": True,
            "available": False,
            "reason": "norm_unavailable",
            "disclaimer": INDICATION_DISCLAIMER,
        }

    def line_text(line) -> str:
        template = LINE_TEXT.get(line.code)
        if template is None:
            return line.code
        try:
            return str(template) % line.params if line.params else str(template)
        except (KeyError, TypeError, ValueError):
            return str(template)

    return {
        "preliminary": True,
        "available": True,
        "resultOre": result.result_ore,
        "needOre": result.need_ore,
        "incomeOre": result.income_ore,
        "year": result.year_used,
        "derivedNorm": bool(result.derived_norm),
        "notes": [{"code": code, "text": str(NOTE_TEXT.get(code, code))} for code in result.notes],
        "lines": [
            {
                "code": line.code,
                "amountOre": line.amount_ore,
                "params": _plain(dict(line.params)),
                "text": line_text(line),
            }
            for line in result.lines
        ],
        "disclaimer": INDICATION_DISCLAIMER,
    }
