"""Who acts (the actor) and for whom (the subject), known on every request (docs/design.md §1).

For an applicant acting for themselves actor and subject are the same person; a proxy
(ombud) acting for a principal makes them differ. What a proxy may do comes from the mandate,
re-read from the database on every request (``portal.mandates.acting``), never from the session.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

ANONYMOUS_KIND = "anonymous"
CITIZEN = "citizen"
STAFF = "staff"
CASEWORKER = "caseworker"
ADMINISTRATOR = "administrator"
PROXY_ROLE = "proxy"

# Kept in the session: who logged in. Acting for someone is decided per request.
_IDENTITY = ("kind", "id", "name", "role", "municipality_code", "unit")


@dataclass(frozen=True)
class Actor:
    kind: str
    id: str | None = None  # person id for citizens, the IdP subject for staff
    name: str = ""
    role: str | None = None  # staff role: caseworker or administrator; "proxy" for a citizen acting for someone
    municipality_code: str | None = None
    unit: str | None = None
    # Set only while a citizen acts for a principal under a mandate in force.
    acting_for: str | None = None  # the principal's person id
    acting_for_name: str = ""
    mandate_id: str | None = None
    mandate_reference: str | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.kind != ANONYMOUS_KIND

    @property
    def is_proxy(self) -> bool:
        return self.kind == CITIZEN and self.acting_for is not None

    @property
    def subject_id(self) -> str | None:
        """Whose affairs this request concerns: the principal for a proxy, else the citizen."""
        if self.kind != CITIZEN:
            return None
        return self.acting_for or self.id

    def acting(
        self, principal_id: str, principal_name: str, mandate_id: str, reference: str, scopes: frozenset[str]
    ) -> Actor:
        return replace(
            self,
            role=PROXY_ROLE,
            acting_for=principal_id,
            acting_for_name=principal_name,
            mandate_id=mandate_id,
            mandate_reference=reference,
            scopes=frozenset(scopes),
        )

    def to_session(self) -> dict:
        return {name: getattr(self, name) for name in _IDENTITY}

    @classmethod
    def from_session(cls, data: dict | None) -> Actor:
        if not data:
            return ANONYMOUS
        known = {f.name for f in fields(cls)}
        return cls(**{k: data[k] for k in _IDENTITY if k in known and k in data})


ANONYMOUS = Actor(kind=ANONYMOUS_KIND)
