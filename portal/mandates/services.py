"""Mandate rules and transactions: granting (signed), accepting, declining, ending, revoking,
legal representatives, validity, what a proxy may act in, and the principal's trail.

Time comes from :func:`now`, which tests replace to move the clock (never sleeps).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import Table, and_, bindparam, or_, select
from stdnum.se import personnummer as pnr

from portal import clock
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.models import Person
from portal.auth.stepup import is_fresh
from portal.db import new_id
from portal.extensions import db
from portal.information.seal import _b64url, _unb64url
from portal.mandates.models import (
    FULLMAKT,
    LEGAL_KINDS,
    MESSAGES,
    SCOPES,
    VIEW,
    WORDING_VERSION,
    Mandate,
    MandateUse,
)
from portal.mandates.states import EXPIRED, LIVE, NOT_STARTED, MandateStatus

MAX_DAYS = 366  # a fullmakt is valid for at most 12 months
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PREFIX = {FULLMAKT: "FM", "god_man": "GM", "forvaltare": "FV"}


def now() -> datetime:
    """The clock every validity check reads (:mod:`portal.clock`, which tests move)."""
    return clock.now()


class MandateRefused(Exception):
    """A mandate cannot be granted or changed; ``reason`` is a code the page explains."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- checks -----------------------------------------------------------------------------------


def clean_personnummer(text: str) -> str | None:
    """Twelve digits (``YYYYMMDDNNNN``, dash or plus allowed) with a valid check digit, else None."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    if len(digits) != 12 or not pnr.is_valid(digits):
        return None
    return digits


def normalise_scopes(chosen) -> frozenset[str]:
    """Every scope includes seeing the applications and their status."""
    scopes = frozenset(s for s in chosen or () if s in SCOPES)
    if not scopes:
        raise MandateRefused("no_scope")
    return scopes | {VIEW}


def scope_text(scopes) -> str:
    return ",".join(s for s in SCOPES if s in scopes)


def end_of_day(day: date) -> datetime:
    """A mandate "valid until" a day holds until midnight after it, Swedish time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.SWEDEN).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.SWEDEN).astimezone(UTC)


def latest_until(today: date) -> date:
    """The last day a fullmakt granted today may run to: 12 months."""
    try:
        return today.replace(year=today.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def today() -> date:
    return now().astimezone(clock.SWEDEN).date()


def new_reference(kind: str) -> str:
    for _ in range(10):
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"{PREFIX[kind]}-{body[:4]}-{body[4:]}"
        if db.session.scalar(select(Mandate.id).where(Mandate.reference == reference)) is None:
            return reference
    raise RuntimeError("no free mandate reference")


# --- the signed record ------------------------------------------------------------------------


def sealed_fields(mandate: Mandate) -> bytes:
    def at(value: datetime | None) -> str | None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

    body = {
        "reference": mandate.reference,
        "kind": mandate.kind,
        "principal": mandate.principal_personnummer,
        "proxy": mandate.proxy_personnummer,
        "scopes": mandate.scopes,
        "validFrom": at(mandate.valid_from),
        "validUntil": at(mandate.valid_until),
        "wordingVersion": mandate.wording_version,
        "signedAt": at(mandate.signed_at),
        "decisionReference": mandate.decision_reference,
    }
    if mandate.is_legal:
        # Four eyes: who registered it and who approved it, each with their re-authentication, are part of
        # what is sealed, so a record set to "active" (or given another approver) in the database acts not.
        body.update(
            {
                "registeredBy": mandate.registered_by,
                "registeredStepUpAt": at(mandate.registered_stepup_at),
                "approvedBy": mandate.approved_by,
                "approvedAt": at(mandate.approved_at),
                "approvedStepUpAt": at(mandate.approved_stepup_at),
                "status": mandate.status,
            }
        )
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def seal(mandate: Mandate) -> None:
    """Seal the record as it stands (every mandate is sealed when it is made or approved)."""
    _seal(mandate)


def _seal(mandate: Mandate) -> None:

    sealer = current_app.extensions["portal.sealer"]
    mandate.seal_key_id = sealer.kid
    mandate.seal = _b64url(sealer.private_key.sign(sealed_fields(mandate)))


def seal_holds(mandate: Mandate) -> bool:

    sealer = current_app.extensions["portal.sealer"]
    key = sealer.published.get(mandate.seal_key_id or "")
    if key is None or not mandate.seal:
        return False
    try:
        key.verify(_unb64url(mandate.seal), sealed_fields(mandate))
    except Exception:  # noqa: BLE001 - any failure means the record was changed
        return False
    return True


# --- granting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What the principal chose, kept in the session during the step-up."""

    proxy_personnummer: str
    scopes: frozenset[str]
    valid_until: date
    proxy_name: str = ""  # as the principal typed it: all that is shown of the proxy until they accept

    def to_session(self) -> dict:
        return {
            "proxy": self.proxy_personnummer,
            "scopes": scope_text(self.scopes),
            "until": self.valid_until.isoformat(),
            "name": self.proxy_name,
        }

    @classmethod
    def from_session(cls, data: dict) -> Grant:
        return cls(
            data["proxy"], frozenset(data["scopes"].split(",")), date.fromisoformat(data["until"]), data.get("name", "")
        )


def check_grant(principal: Person, proxy_number: str, scopes, valid_until: date, proxy_name: str = "") -> Grant:
    number = clean_personnummer(proxy_number)
    if number is None:
        raise MandateRefused("invalid_personnummer")
    if number == principal.personnummer:
        raise MandateRefused("self")
    if not (today() <= valid_until <= latest_until(today())):
        raise MandateRefused("validity")
    if _open_between(principal.personnummer, number):
        raise MandateRefused("exists")
    return Grant(number, normalise_scopes(scopes), valid_until, " ".join((proxy_name or "").split())[:200])


def _open_between(principal_number: str, proxy_number: str) -> Mandate | None:
    return db.session.scalar(
        select(Mandate).where(
            Mandate.principal_personnummer == principal_number,
            Mandate.proxy_personnummer == proxy_number,
            Mandate.status.in_((MandateStatus.PENDING, MandateStatus.ACTIVE, MandateStatus.AWAITING_APPROVAL)),
            Mandate.valid_until > now(),
        )
    )


def grant(principal: Person, chosen: Grant, signed_at: datetime, acr: str | None) -> Mandate:
    """The principal signed: store the mandate, sealed, waiting for the proxy to accept."""
    checked = check_grant(principal, chosen.proxy_personnummer, chosen.scopes, chosen.valid_until, chosen.proxy_name)
    proxy = db.session.scalar(select(Person).where(Person.personnummer == checked.proxy_personnummer))
    mandate = Mandate(
        reference=new_reference(FULLMAKT),
        kind=FULLMAKT,
        principal_personnummer=principal.personnummer,
        principal_id=principal.id,
        principal_name=principal.display_name,
        proxy_personnummer=checked.proxy_personnummer,
        proxy_id=proxy.id if proxy else None,
        # What the principal typed, never the name the portal knows: whether the number belongs to
        # someone who uses the portal is not the principal's to learn before the proxy accepts.
        proxy_name=checked.proxy_name or None,
        scopes=scope_text(checked.scopes),
        valid_from=now(),
        valid_until=end_of_day(checked.valid_until),
        status=MandateStatus.PENDING,
        wording_version=WORDING_VERSION,
        signed_at=signed_at,
        signature_acr=acr,
    )
    db.session.add(mandate)
    db.session.flush()
    _seal(mandate)
    record(
        "grant",
        "mandate",
        mandate.id,
        f"mandate {mandate.reference} granted ({mandate.scopes})",
        subject_id=principal.id,
    )
    db.session.commit()
    return mandate


def link_person(person: Person) -> None:
    """At login: mandates naming this person's number (as proxy or principal) get their id."""
    for mandate in db.session.scalars(
        select(Mandate).where(
            or_(
                (Mandate.proxy_personnummer == person.personnummer) & Mandate.proxy_id.is_(None),
                (Mandate.principal_personnummer == person.personnummer) & Mandate.principal_id.is_(None),
            )
        )
    ):
        if mandate.proxy_personnummer == person.personnummer:
            mandate.proxy_id = person.id  # the name stays the principal's words until the proxy accepts
        if mandate.principal_personnummer == person.personnummer:
            mandate.principal_id = person.id
            mandate.principal_name = mandate.principal_name or person.display_name
    db.session.commit()


# --- the proxy's answer and ending ------------------------------------------------------------


def get(mandate_id: str) -> Mandate | None:
    return db.session.get(Mandate, mandate_id)


def accept(mandate: Mandate, person: Person) -> None:
    if mandate.proxy_id != person.id or mandate.status != MandateStatus.PENDING:
        raise MandateRefused("not_pending")
    if mandate.valid_until <= now():
        raise MandateRefused("expired")
    mandate.status = MandateStatus.ACTIVE
    mandate.accepted_at = now()
    record(
        "accept",
        "mandate",
        mandate.id,
        f"mandate {mandate.reference} accepted by the proxy",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


def decline(mandate: Mandate, person: Person) -> None:
    if mandate.proxy_id != person.id or mandate.status != MandateStatus.PENDING:
        raise MandateRefused("not_pending")
    mandate.status = MandateStatus.DECLINED
    mandate.declined_at = now()
    record(
        "decline",
        "mandate",
        mandate.id,
        f"mandate {mandate.reference} declined by the proxy",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


def end(mandate: Mandate, person: Person) -> None:
    """Either side ends a fullmakt at once: the principal revokes it, the proxy gives it up.
    A legal representative's mandate follows the court's decision: only an administrator ends it."""
    if mandate.status not in LIVE:
        raise MandateRefused("not_open")
    if mandate.is_legal:
        raise MandateRefused("legal")
    if person.id == mandate.principal_id:
        mandate.status, mandate.ended_by = MandateStatus.REVOKED, "principal"
    elif person.id == mandate.proxy_id:
        mandate.status, mandate.ended_by = MandateStatus.ENDED, "proxy"
    else:
        raise MandateRefused("not_party")
    mandate.ended_at = now()
    record(
        "revoke" if mandate.status == MandateStatus.REVOKED else "end",
        "mandate",
        mandate.id,
        f"mandate {mandate.reference} ended by the {mandate.ended_by}",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


# --- legal representatives --------------------------------------------------------------------


@dataclass(frozen=True)
class LegalDecision:
    kind: str
    principal_personnummer: str
    principal_name: str
    representative_personnummer: str
    representative_name: str
    decision_reference: str
    scopes: frozenset[str]
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class Administrator:
    """The administrator acting, with the time of their fresh re-authentication (``portal.auth.stepup``)."""

    id: str
    name: str
    stepped_up_at: datetime | None


def _check_stepped_up(by: Administrator) -> None:

    if not by.id or not is_fresh(by.stepped_up_at):
        raise MandateRefused("not_fresh")


def _at(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


def check_legal(decision: LegalDecision) -> tuple[str, str]:
    """The decision's numbers, cleaned, before anyone re-authenticates for it."""
    if decision.kind not in LEGAL_KINDS:
        raise MandateRefused("kind")
    principal_number = clean_personnummer(decision.principal_personnummer)
    proxy_number = clean_personnummer(decision.representative_personnummer)
    if principal_number is None or proxy_number is None:
        raise MandateRefused("invalid_personnummer")
    if principal_number == proxy_number:
        raise MandateRefused("self")
    if decision.valid_until < decision.valid_from:
        raise MandateRefused("validity")
    if _open_between(principal_number, proxy_number):
        raise MandateRefused("exists")
    normalise_scopes(decision.scopes)
    return principal_number, proxy_number


def register_legal(decision: LegalDecision, by: Administrator) -> Mandate:
    """An administrator, just re-authenticated, registers a god man or förvaltare from the
    överförmyndare's decision. It takes effect only when a second administrator approves it
    (:func:`approve_legal`); until then the representative can do nothing. No acceptance is needed;
    the principal is told at their next visit after the approval."""
    _check_stepped_up(by)
    principal_number, proxy_number = check_legal(decision)
    principal = db.session.scalar(select(Person).where(Person.personnummer == principal_number))
    if principal is None:
        principal = _person_from_decision(principal_number, decision.principal_name)
    proxy = db.session.scalar(select(Person).where(Person.personnummer == proxy_number))
    mandate = Mandate(
        reference=new_reference(decision.kind),
        kind=decision.kind,
        principal_personnummer=principal_number,
        principal_id=principal.id if principal else None,
        principal_name=decision.principal_name.strip() or (principal.display_name if principal else None),
        proxy_personnummer=proxy_number,
        proxy_id=proxy.id if proxy else None,
        proxy_name=decision.representative_name.strip() or (proxy.display_name if proxy else None),
        scopes=scope_text(normalise_scopes(decision.scopes)),
        valid_from=start_of_day(decision.valid_from),
        valid_until=end_of_day(decision.valid_until),
        status=MandateStatus.AWAITING_APPROVAL,
        decision_reference=decision.decision_reference.strip(),
        registered_by=by.id,
        registered_by_name=by.name or None,
        registered_stepup_at=by.stepped_up_at,
    )
    db.session.add(mandate)
    db.session.flush()
    _seal(mandate)
    record(
        "register",
        "mandate",
        mandate.id,
        f"{decision.kind} {mandate.reference} registered from a decision by administrator {by.id} "
        f"(re-authenticated {_at(by.stepped_up_at)}); waiting for a second administrator's approval",
        subject_id=principal.id if principal else None,
    )
    db.session.commit()
    return mandate


def check_approver(mandate: Mandate, administrator_id: str) -> None:
    """Only a registration waiting for approval, and never by the administrator who registered it."""
    if not mandate.is_legal or mandate.status != MandateStatus.AWAITING_APPROVAL:
        raise MandateRefused("not_awaiting")
    if not administrator_id or administrator_id == mandate.registered_by:
        raise MandateRefused("same_administrator")


def approve_legal(mandate: Mandate, by: Administrator) -> None:
    """A second administrator, just re-authenticated, approves the registration: in force from now on
    (within the decision's period), sealed again with both administrators."""
    check_approver(mandate, by.id)
    _check_stepped_up(by)
    mandate.status = MandateStatus.ACTIVE
    mandate.approved_by, mandate.approved_by_name = by.id, by.name or None
    mandate.approved_at, mandate.approved_stepup_at = now(), by.stepped_up_at
    mandate.accepted_at = mandate.approved_at
    _seal(mandate)
    record(
        "approve",
        "mandate",
        mandate.id,
        f"{mandate.kind} {mandate.reference} approved by administrator {by.id} (re-authenticated "
        f"{_at(by.stepped_up_at)}), registered by administrator {mandate.registered_by} (re-authenticated "
        f"{_at(mandate.registered_stepup_at)})",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


def refuse_legal(mandate: Mandate, by: Administrator, reason: str) -> None:
    """A second administrator refuses the registration, with a reason; it never takes effect."""
    check_approver(mandate, by.id)
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise MandateRefused("no_reason")
    mandate.status = MandateStatus.REFUSED
    mandate.refused_by, mandate.refused_by_name, mandate.refused_at = by.id, by.name or None, now()
    mandate.refusal_reason = reason
    _seal(mandate)
    record(
        "refuse_registration",
        "mandate",
        mandate.id,
        f"{mandate.kind} {mandate.reference} refused by administrator {by.id}, registered by administrator "
        f"{mandate.registered_by}",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


def _person_from_decision(number: str, name: str) -> Person:
    """The person represented may never log in themselves (that is often why there is a god man),
    so they are known from the decision: the representative acts for them from the first day.
    Their own first login finds them by personnummer and takes over the identity provider's subject."""
    given, _, family = name.strip().rpartition(" ")
    person = Person(
        personnummer=number,
        oidc_subject=f"decision:{new_id()}",
        given_name=given or family,
        family_name=family if given else "",
    )
    db.session.add(person)
    db.session.flush()
    record(
        "create", "person", person.id, "person represented, from the överförmyndare's decision", subject_id=person.id
    )
    return person


def end_legal(mandate: Mandate) -> None:
    if not mandate.is_legal or mandate.status != MandateStatus.ACTIVE:
        raise MandateRefused("not_open")
    mandate.status, mandate.ended_by, mandate.ended_at = MandateStatus.ENDED, "administrator", now()
    _seal(mandate)
    record(
        "end",
        "mandate",
        mandate.id,
        f"{mandate.kind} {mandate.reference} ended by an administrator",
        subject_id=mandate.principal_id,
    )
    db.session.commit()


def legal_mandates() -> list[Mandate]:
    return list(
        db.session.scalars(select(Mandate).where(Mandate.kind.in_(LEGAL_KINDS)).order_by(Mandate.created_at.desc()))
    )


def untold_legal(principal_id: str) -> list[Mandate]:
    """Legal representatives registered for the principal that they have not yet been shown."""
    return list(
        db.session.scalars(
            select(Mandate)
            .where(
                Mandate.principal_id == principal_id,
                Mandate.kind.in_(LEGAL_KINDS),
                Mandate.approved_at.is_not(None),
                Mandate.principal_told_at.is_(None),
            )
            .order_by(Mandate.created_at)
        )
    )


def mark_told(mandates: list[Mandate]) -> None:
    for mandate in mandates:
        mandate.principal_told_at = now()
    if mandates:
        db.session.commit()


# --- lists and acting -------------------------------------------------------------------------


def state(mandate: Mandate, at: datetime | None = None) -> str:
    """pending | active | declined | ended | revoked | expired | not_started, as shown."""
    at = at or now()
    if mandate.status in LIVE and mandate.valid_until <= at:
        return EXPIRED
    if mandate.status == MandateStatus.ACTIVE and not mandate.four_eyes_hold:
        return MandateStatus.AWAITING_APPROVAL
    if mandate.status == MandateStatus.ACTIVE and mandate.valid_from > at:
        return NOT_STARTED
    return mandate.status


def granted_by(person: Person) -> list[Mandate]:
    """Everyone who may act, or was asked to act, for this person."""
    return list(
        db.session.scalars(
            select(Mandate)
            .where(or_(Mandate.principal_id == person.id, Mandate.principal_personnummer == person.personnummer))
            .order_by(Mandate.created_at.desc())
        )
    )


def received_by(person: Person) -> list[Mandate]:
    return list(
        db.session.scalars(select(Mandate).where(Mandate.proxy_id == person.id).order_by(Mandate.created_at.desc()))
    )


def invitations(person_id: str) -> list[Mandate]:
    return list(
        db.session.scalars(
            select(Mandate)
            .where(Mandate.proxy_id == person_id, Mandate.status == MandateStatus.PENDING, Mandate.valid_until > now())
            .order_by(Mandate.created_at)
        )
    )


def reading_messages_for(principal_id: str) -> list[str]:
    """The proxies (and legal representatives) who may read this person's messages right now: a mandate in force,
    its seal holding, with the ``messages`` scope. They hear of news as the principal does."""
    at = now()
    mandates = db.session.scalars(
        select(Mandate)
        .where(
            Mandate.principal_id == principal_id, Mandate.status == MandateStatus.ACTIVE, Mandate.proxy_id.is_not(None)
        )
        .order_by(Mandate.created_at)
    )
    return [m.proxy_id for m in mandates if m.proxy_id and m.in_force(at) and MESSAGES in m.scope_set and seal_holds(m)]


def in_force_for(person_id: str) -> list[Mandate]:
    """The mandates this person may act under right now (as proxy)."""
    at = now()
    return [
        m
        for m in db.session.scalars(
            select(Mandate)
            .where(
                Mandate.proxy_id == person_id, Mandate.status == MandateStatus.ACTIVE, Mandate.principal_id.is_not(None)
            )
            .order_by(Mandate.created_at)
        )
        if m.in_force(at)
    ]


# The banner's reads, built once: every citizen's page runs them, and building a statement (its clauses and their
# cache key) cost more than running it (issue 15, point 5). The person is a bound parameter. Most citizens have no
# mandate the banner tells of: a bare Core read of one id says so (no ORM query to set up for no rows); the
# mandates themselves are read only when there is one.
# The table's columns, not the class's attributes: an ORM attribute anywhere would make the first an ORM query.
_MANDATE = cast(Table, Mandate.__table__)
_BANNER_WHERE = or_(
    and_(_MANDATE.c.proxy_id == bindparam("person"), _MANDATE.c.status.in_(LIVE)),
    and_(
        _MANDATE.c.principal_id == bindparam("person"),
        _MANDATE.c.kind.in_(LEGAL_KINDS),
        _MANDATE.c.approved_at.is_not(None),
        _MANDATE.c.principal_told_at.is_(None),
    ),
)
_BANNER_ANY = select(_MANDATE.c.id).where(_BANNER_WHERE).limit(1)
_BANNER = select(Mandate).where(_BANNER_WHERE).order_by(Mandate.created_at)


def banner(person_id: str) -> tuple[list[Mandate], list[Mandate], list[Mandate]]:
    """What every page's banner tells a citizen, in one read of the mandates (issue 15, point 5), not three, after
    the bare read that finds whether there is any (for most citizens there is none): the invitations
    waiting for them (``invitations``), the legal representatives they have not been shown (``untold_legal``)
    and the mandates they may act under now (``in_force_for``), each by the same test as those."""
    if db.session.execute(_BANNER_ANY, {"person": person_id}).first() is None:
        return [], [], []
    at = now()
    found = list(db.session.scalars(_BANNER, {"person": person_id}))
    invited = [m for m in found if m.proxy_id == person_id and m.status == MandateStatus.PENDING and m.valid_until > at]
    untold = [
        m
        for m in found
        if m.principal_id == person_id
        and m.kind in LEGAL_KINDS
        and m.approved_at is not None
        and m.principal_told_at is None
    ]
    acting_for = [
        m
        for m in found
        if m.proxy_id == person_id
        and m.status == MandateStatus.ACTIVE
        and m.principal_id is not None
        and m.in_force(at)
    ]
    return invited, untold, acting_for


def principal_name(mandate: Mandate) -> str:
    person = db.session.get(Person, mandate.principal_id) if mandate.principal_id else None
    return person.display_name if person else (mandate.principal_name or "")


def proxy_name(mandate: Mandate) -> str:
    """The proxy's name as registered once they have accepted (a legal representative's from the
    decision); before that only what the principal typed, whether or not the proxy has ever logged in."""
    if not mandate.is_legal and mandate.accepted_at is None:
        return mandate.proxy_name or ""
    person = db.session.get(Person, mandate.proxy_id) if mandate.proxy_id else None
    return person.display_name if person else (mandate.proxy_name or "")


# --- uses and the trail -----------------------------------------------------------------------

PREPARED, SUBMITTED = "prepared", "submitted"


def note_use(application_id: str, mandate_id: str, kind: str) -> None:
    """A proxy prepared or submitted the application (added to the caller's transaction)."""
    use = db.session.scalar(
        select(MandateUse).where(
            MandateUse.application_id == application_id, MandateUse.mandate_id == mandate_id, MandateUse.kind == kind
        )
    )
    if use is None:
        db.session.add(
            MandateUse(application_id=application_id, mandate_id=mandate_id, kind=kind, first_at=now(), last_at=now())
        )
    else:
        use.last_at = now()
    db.session.flush()


def uses(application_id: str) -> list[tuple[MandateUse, Mandate]]:
    return list(
        db.session.execute(
            select(MandateUse, Mandate)
            .join(Mandate, Mandate.id == MandateUse.mandate_id)
            .where(MandateUse.application_id == application_id)
            .order_by(MandateUse.first_at, MandateUse.id)
        ).all()
    )


def trail(principal_id: str) -> list[tuple[AuditEvent, str]]:
    """Everything done in the principal's name by someone else logged in as a citizen (a proxy), and
    what administrators did to the legal representatives registered for them (who registered, who
    approved or refused), newest first, with the name of whoever did it."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_id == principal_id,
                or_(
                    (AuditEvent.actor_type == "citizen") & (AuditEvent.actor_id != principal_id),
                    (AuditEvent.actor_type == "staff") & (AuditEvent.object_type == "mandate"),
                ),
            )
            .order_by(AuditEvent.id.desc())
            .limit(500)
        )
    )
    names: dict[str, str] = {}
    rows = []
    for event in events:
        if event.actor_type == "staff":
            rows.append((event, _administrator_name(event)))
            continue
        if event.actor_id and event.actor_id not in names:
            person = db.session.get(Person, event.actor_id)
            names[event.actor_id] = person.display_name if person else ""
        rows.append((event, names.get(event.actor_id or "", "")))
    return rows


def _administrator_name(event: AuditEvent) -> str:
    """An administrator is named as the mandate recorded them (staff are not persons in the portal)."""
    mandate = db.session.get(Mandate, event.object_id or "")
    if mandate is None:
        return ""
    for who, name in (
        (mandate.registered_by, mandate.registered_by_name),
        (mandate.approved_by, mandate.approved_by_name),
        (mandate.refused_by, mandate.refused_by_name),
    ):
        if who and who == event.actor_id:
            return name or who
    return event.actor_id or ""
