"""The documents the answers call for, by rules in code, and what the applicant did about each.

A requirement is derived from the answers each time it is needed (never stored), so changing an answer
changes the list at once; only the applicant's response is stored (models.DocumentAnswer): a file
attached against it, "I will send it later", or "I do not have it, because ...". Sending is never
blocked by a missing document: the check page and the caseworker see which are met and which are not.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from portal.application.models import Application
from portal.attachments import services as attachments
from portal.attachments.models import Attachment
from portal.audit.services import record
from portal.db import utcnow
from portal.extensions import db
from portal.i18n.lazy import _l
from portal.information.services import call_states
from portal.information.states import FetchStatus
from portal.providers.registry import provider as provider_named
from portal.situation import services
from portal.situation.models import REASON_MAX, DocumentAnswer
from portal.situation.questions import RENTING, YES
from portal.web.reads import reading_once

ATTACHED, LATER, UNAVAILABLE = "attached", "later", "unavailable"
ANSWERS = (ATTACHED, LATER, UNAVAILABLE)

# kind -> (what to attach, why it is asked)
KINDS = {
    "rent_contract": (_l("Your rent contract (hyreskontrakt)"), _l("You said you rent your home.")),
    "sublet_consent": (
        _l("The landlord's consent to the sublet"),
        _l("You said you sublet: the municipality needs to see the sublet is allowed."),
    ),
    "rent_notice": (_l("Your latest rent notice (hyresavi)"), _l("You stated a rent.")),
    "eviction_notice": (
        _l("The notice to leave your home"),
        _l("You said you have received a notice to leave your home."),
    ),
    "sick_certificate": (
        _l("Sick certificate (läkarintyg)"),
        _l("You said you are on sick leave, and no sickness benefit was fetched from Försäkringskassan."),
    ),
    "residence_agreement": (
        _l("The agreement or decision on where the child lives"),
        _l("You said the child lives alternately with the other parent (växelvis boende)."),
    ),
    "maintenance_agreement": (
        _l("The maintenance agreement or judgment"),
        _l("You said maintenance is paid for the child."),
    ),
    "childcare_invoice": (_l("The latest childcare invoice"), _l("You stated a cost for childcare.")),
    "dental_estimate": (_l("A cost estimate from the dentist"), _l("You asked for help with dental care.")),
    "glasses_estimate": (_l("A cost estimate or receipt for the glasses"), _l("You asked for help with glasses.")),
    "medicine_receipt": (
        _l("Your high-cost card or receipts for medicine"),
        _l("You asked for help with medicine beyond the high-cost ceiling."),
    ),
    "furniture_estimate": (
        _l("A cost estimate for the furniture or equipment"),
        _l("You asked for help with furniture or household equipment."),
    ),
    "moving_estimate": (_l("An offer or receipt for the move"), _l("You asked for help with moving costs.")),
}


# A provider's information that could not be fetched (the call failed, also after "Try again"): a statement
# from the agency shows the municipality the same (docs/design.md §5). Its key names the provider and member.
PROVIDER_STATEMENT = "provider_statement"


def texts(kind: str | None, key: str | None = None) -> tuple[object, object] | None:
    """What to attach and why, translated where shown; None for a kind this version does not know."""
    if kind == PROVIDER_STATEMENT and key:
        try:
            agency = provider_named(key.split(":")[1]).title
        except (IndexError, KeyError):
            return None
        return (
            _("A statement, decision or payment notice from %(provider)s", provider=agency),
            _(
                "We could not fetch your information from %(provider)s. A paper from them shows the municipality "
                "the same.",
                provider=agency,
            ),
        )
    return KINDS.get(kind or "")


@dataclass(frozen=True)
class Requirement:
    key: str  # unique in the application: the kind, and the member id when it is a member's
    kind: str
    member_id: int | None = None

    @property
    def title(self):
        return (texts(self.kind, self.key) or (self.kind, ""))[0]

    @property
    def reason(self):
        return (texts(self.kind, self.key) or (self.kind, ""))[1]


def expected(
    application: Application, answers: dict | None = None, items: list | None = None, calls: list | None = None
) -> list[Requirement]:
    """The documents the answers that count call for, in the order of the questions; then a statement for what
    could not be fetched (``calls``: the fetch calls, if already read)."""
    answers = services.effective(application) if answers is None else answers
    members = answers.get("members") or {}
    found: list[Requirement] = []

    def add(kind: str, member_id: int | None = None) -> None:
        found.append(Requirement(kind if member_id is None else f"{kind}:{member_id}", kind, member_id))

    housing = answers.get("housing")
    if housing in ("own_contract", "sublet", "lodger"):
        add("rent_contract")
    if housing == "sublet":
        add("sublet_consent")
    if housing in RENTING and answers.get("rent"):
        add("rent_notice")
    if answers.get("eviction_notice") == YES:
        add("eviction_notice")
    for member in services.adults(application):
        given = members.get(str(member.id), {})
        # Försäkringskassan paying sickness benefit already shows the sickness: no certificate is asked.
        if given.get("occupation") == "sick" and not services.sick_certificate_fetched(application, member.id, items):
            add("sick_certificate", member.id)
    for member in services.children(application):
        given = members.get(str(member.id), {})
        if given.get("alternating") == YES:
            add("residence_agreement", member.id)
        if given.get("maintenance") in ("paid", "received"):
            add("maintenance_agreement", member.id)
        if given.get("childcare"):
            add("childcare_invoice", member.id)
    for need in answers.get("needs") or ():
        kind = {
            "dental": "dental_estimate",
            "glasses": "glasses_estimate",
            "medicine": "medicine_receipt",
            "furniture": "furniture_estimate",
            "moving": "moving_estimate",
        }.get(need)
        if kind:
            add(kind)
    return found + not_fetched(application, calls)


def not_fetched(application: Application, calls: list | None = None) -> list[Requirement]:
    """A statement from each provider whose information about a member could not be fetched, in the order
    they were asked: a retry that succeeds replaces the failed call, and the requirement goes with it.
    ``calls``: the fetch calls, if already read (sending has them), else their states are read."""
    states = call_states(application) if calls is None else [(c.member_id, c.provider, c.status) for c in calls]
    keys: list[tuple[int, str]] = []
    for member_id, provider, state, *_rest in states:
        if state == FetchStatus.FAILED and (member_id, provider) not in keys:
            keys.append((member_id, provider))
    return [Requirement(f"{PROVIDER_STATEMENT}:{p}:{m}", PROVIDER_STATEMENT, m) for m, p in keys]


def responses(application: Application) -> dict[str, DocumentAnswer]:
    return {
        r.requirement: r
        for r in db.session.scalars(select(DocumentAnswer).where(DocumentAnswer.application_id == application.id))
    }


@dataclass(frozen=True)
class Status:
    requirement: Requirement
    response: DocumentAnswer | None
    # The response's file is still there (the applicant may remove it on the documents page).
    file_present: bool = False

    @property
    def met(self) -> bool:
        return (
            self.response is not None
            and self.response.answer == ATTACHED
            and bool(self.response.attachment_id)
            and self.file_present
        )

    @property
    def state(self) -> str:
        """met, later, unavailable or missing."""
        if self.met:
            return "met"
        if self.response is not None and self.response.answer in (LATER, UNAVAILABLE):
            return self.response.answer
        return "missing"


def statuses(
    application: Application, answers: dict | None = None, items: list | None = None, calls: list | None = None
) -> list[Status]:

    given = responses(application)
    if reading_once():
        # The page reads the applicant's files anyway (the task list, the attachments' summary): their ids,
        # not one more read. A response's file is always the applicant's own upload.
        files = {a.id for a in attachments.for_application(application.id)}
    else:
        files = set(db.session.scalars(select(Attachment.id).where(Attachment.application_id == application.id)))
    return [
        Status(r, given.get(r.key), bool(given.get(r.key) and given[r.key].attachment_id in files))
        for r in expected(application, answers, items, calls)
    ]


class NotEditable(Exception):
    """The application has been sent."""


def respond(
    application: Application,
    requirement: Requirement,
    answer: str,
    reason: str | None = None,
    attachment_id: str | None = None,
) -> DocumentAnswer:
    if not application.is_draft:
        raise NotEditable(application.id)
    if answer not in ANSWERS:
        raise ValueError(answer)
    found = responses(application).get(requirement.key)
    if found is None:
        found = DocumentAnswer(application_id=application.id, requirement=requirement.key, answer=answer)
        db.session.add(found)
    found.answer = answer
    found.reason = (reason or "")[:REASON_MAX] or None if answer == UNAVAILABLE else None
    if answer == ATTACHED:
        found.attachment_id = attachment_id
    found.updated_at = utcnow()
    application.updated_at = utcnow()
    record(
        "change",
        "situation_document",
        requirement.key,
        f"applicant answers the expected document {answer}",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    return found
