"""Who sees what in a household (docs/design.md §11, "Who sees what in a household").

The access rules (``portal/auth/access.py``) decide which pages of an application a person may open;
this decides which members' data those pages may show them:

- the applicant (or a proxy for them) sees the whole application;
- a co-applicant (spouse or partner, who co-signs the joint application) sees the whole application once
  they have consented for themselves, or once the applicant has signed and it waits for (or has) their
  signature: the joint parts are theirs to sign, and nobody signs what they may not read. Before that, only
  their own;
- any other household member who logs in (an adult child, a parent) sees only what concerns them: their
  own fetched information and consents, never the others' (sjukpenning, bank balances), the household's
  incomes, costs, assets, attachments or the indication computed from them.

``person_id`` is the subject of the request (the person, or the principal a proxy acts for).
"""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db


def member_of(application, person_id: str | None):
    """The household member who is this person, if any."""
    return next((m for m in application.members if person_id and m.person_id == person_id), None)


def has_consented(application, member) -> bool:
    """The member has given a consent of their own (not as a guardian, not taken back) in this application."""
    # portal.consent sits above this layer (ignore_imports in pyproject.toml)
    from portal.consent.models import Consent

    return (
        db.session.scalar(
            select(Consent.id)
            .where(
                Consent.application_id == application.id,
                Consent.member_id == member.id,
                Consent.given_by_person_id == member.person_id,
                Consent.revoked_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def sees_whole_household(application, person_id: str | None) -> bool:
    if person_id is not None and application.applicant_id == person_id:
        return True
    member = member_of(application, person_id)
    if member is None or member not in application.co_applicants():
        return False
    return application.awaiting_cosignature or has_signed(application, member) or has_consented(application, member)


def has_signed(application, member) -> bool:
    # portal.application sits above this layer (ignore_imports in pyproject.toml)
    from portal.application.models import Signature

    return (
        db.session.scalar(
            select(Signature.id)
            .where(Signature.application_id == application.id, Signature.member_id == member.id)
            .limit(1)
        )
        is not None
    )


def visible_member_ids(application, person_id: str | None) -> set[int] | None:
    """``None``: every member's data; else the ids of the members whose data may be shown (their own)."""
    if sees_whole_household(application, person_id):
        return None
    member = member_of(application, person_id)
    return {member.id} if member is not None else set()


def only_visible(items, application, person_id: str | None) -> list:
    """The items (anything with ``member_id``) this person may see."""
    visible = visible_member_ids(application, person_id)
    return list(items) if visible is None else [i for i in items if i.member_id in visible]
