"""A mandate lets a proxy act for a principal within a scope, for a period.

A *fullmakt* is granted by the principal (signed with a fresh authentication) and accepted by
the proxy; a *god man* or *förvaltare* mandate is registered by an administrator from the
överförmyndare's decision and needs no acceptance. ``MandateUse`` notes which applications a
proxy prepared or submitted, so the municipality is told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow
from portal.mandates.states import MandateStatus

# Bumped whenever the mandate wording changes, so each record says which words were signed.
WORDING_VERSION = "2026-11-1"

FULLMAKT = "fullmakt"
GOD_MAN = "god_man"
FORVALTARE = "forvaltare"
LEGAL_KINDS = (GOD_MAN, FORVALTARE)

VIEW, PREPARE, SUBMIT, MESSAGES = "view", "prepare", "submit", "messages"
SCOPES = (VIEW, PREPARE, SUBMIT, MESSAGES)


class Mandate(Base):
    __tablename__ = "mandate"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default=FULLMAKT)
    # Both sides are named by personnummer (checked) and linked to a person once they have
    # logged in (a legal representative may be registered before either has). The numbers are
    # never shown in a URL, a log line or the audit log.
    principal_personnummer: Mapped[str] = mapped_column(String(12), index=True)
    principal_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    principal_name: Mapped[str | None] = mapped_column(String(200))
    proxy_personnummer: Mapped[str] = mapped_column(String(12), index=True)
    proxy_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    proxy_name: Mapped[str | None] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(60))  # comma-separated, from SCOPES
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=MandateStatus.PENDING, index=True)
    wording_version: Mapped[str] = mapped_column(String(20), default=WORDING_VERSION)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The principal's signature: the fresh authentication and the server's seal over the record.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_acr: Mapped[str | None] = mapped_column(String(80))
    seal: Mapped[str | None] = mapped_column(String(200))
    seal_key_id: Mapped[str | None] = mapped_column(String(40))
    # A legal representative: the överförmyndare's decision and who registered it.
    decision_reference: Mapped[str | None] = mapped_column(String(60))
    registered_by: Mapped[str | None] = mapped_column(String(128))  # the administrator's IdP subject
    registered_by_name: Mapped[str | None] = mapped_column(String(200))
    registered_stepup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # their fresh re-authentication
    # Four eyes: a second, different administrator approves (after their own step-up) or refuses.
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_by_name: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_stepup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused_by: Mapped[str | None] = mapped_column(String(128))
    refused_by_name: Mapped[str | None] = mapped_column(String(200))
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    principal_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(20))  # principal | proxy | administrator

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)

    @property
    def is_legal(self) -> bool:
        return self.kind in LEGAL_KINDS

    @property
    def four_eyes_hold(self) -> bool:
        """A legal representative's registration was approved by an administrator other than the one
        who registered it (both sealed into the record); a fullmakt needs no approval."""
        return not self.is_legal or bool(
            self.registered_by and self.approved_by and self.approved_by != self.registered_by
        )

    def in_force(self, at: datetime) -> bool:
        """Active, approved where it must be, and within its validity at ``at``: the one test every request
        makes."""
        return self.status == MandateStatus.ACTIVE and self.four_eyes_hold and self.valid_from <= at < self.valid_until


class MandateUse(Base):
    """A proxy prepared (changed a draft) or submitted (signed) an application under a mandate."""

    __tablename__ = "mandate_use"
    __table_args__ = (UniqueConstraint("application_id", "mandate_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    mandate_id: Mapped[str] = mapped_column(ForeignKey("mandate.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # prepared | submitted
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
