"""Who acts (the actor) and for whom (the subject), known on every request (DESIGN §1).

For an applicant acting for themselves actor and subject are the same person; a proxy
(ombud) acting for a principal makes them differ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ANONYMOUS_KIND = "anonymous"
CITIZEN = "citizen"
STAFF = "staff"
CASEWORKER = "caseworker"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Actor:
    kind: str
    id: str | None = None  # person id for citizens, the IdP subject for staff
    name: str = ""
    role: str | None = None  # staff role: caseworker or administrator
    municipality_code: str | None = None
    unit: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != ANONYMOUS_KIND

    def to_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict | None) -> Actor:
        if not data:
            return ANONYMOUS
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


ANONYMOUS = Actor(kind=ANONYMOUS_KIND)
