"""Persons and applications in a given state, built through the portal's own services.

The web journey (log in, start, consent, check, sign at the identity provider, deliver) is proved
by the journey tests (tests/test_journey.py, tests/test_signing.py, tests/test_cosign.py,
tests/test_fetch.py, tests/test_calendar.py, the browser journeys in e2e/). A test that only needs
an application in some state builds it here instead: the same service functions the routes and the
worker call, in the same order and under the same rules, so a factory cannot make a state the
portal could not reach (sending still checks the folkbokföring, the municipality, the fetch and
every seal, freezes a valid document and writes the outbox record in one transaction).

What each step stands for:

- :func:`person`: the ``Person`` row as the first login creates it (``citizen_from_claims`` with the
  claims the test identity provider gives for that number), then what the login callback does next
  (household memberships and mandates linked). No session is made: a test that uses pages logs in
  through the IdP (``tests.support.idp_login``), which finds this same person.
- :func:`draft`: ``application.services.start`` for this month, with the folkbokföring fetched from
  the sandbox, as the start form does.
- :func:`next_month`: applying again from a sent application (``nextmonth.start``).
- :func:`with_consents`: the consent form: ``set_consents`` then ``start_fetch`` (from the sandbox).
- :func:`attached`: the attachments page: a file checked by content, stored and recorded.
- :func:`submitted`: what the signing callback does once the identity provider has answered:
  ``sign`` by the applicant, then by each co-applicant (logged in, as the cosign route requires),
  with the signature time and level of assurance the test IdP gives.
- :func:`delivered`: the delivery worker's ``run_once``; the application is then in its inbox.
- :func:`received`, :func:`under_handling`, :func:`decided`: the case operations the inbox and the
  API call (``portal.case.services``).
- :func:`sent`: a draft submitted and delivered, the state most case tests start from.

Steps a citizen takes run as that citizen (``g.actor``, as in their request), so the audit log reads
as it would after the web journey. Dates come from ``portal.clock``. Call these inside the ``app``
fixture's application context.
"""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from functools import cache

from flask import current_app, g

from portal import clock
from portal.application import services as applications
from portal.application.models import Application
from portal.auth.actor import CITIZEN, Actor
from portal.auth.models import Person
from portal.case import services as case
from portal.case.states import GRANTING
from portal.delivery.queries import in_inbox
from portal.extensions import db
from portal.submission import services as submission

#: the level of assurance the test identity provider states for a signature (``acr``)
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@cache
def _cast() -> dict:
    from devstack.idp.persons import DEFAULT_PERSONS_DIR, load_persons

    return {p.personnummer: p for p in load_persons(DEFAULT_PERSONS_DIR)}


def claims_for(personnummer: str) -> dict:
    """The identity claims the test IdP gives for ``personnummer``: a person of its cast, or for any
    other valid number "Test Testperson", as when a number is typed in at the IdP."""
    from devstack.idp.persons import UNKNOWN_FAMILY_NAME, UNKNOWN_GIVEN_NAME, citizen_identity
    from devstack.idp.persons import Person as IdpPerson

    chosen = _cast().get(personnummer) or IdpPerson(personnummer, UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
    return citizen_identity(current_app.config["PORTAL"].idp_url, chosen).claims


def person(personnummer: str) -> Person:
    """The person as their login makes them known to the portal (a second call, like a second login,
    finds the same row)."""
    from portal.auth.services import citizen_from_claims
    from portal.mandates import services as mandates

    actor = citizen_from_claims(claims_for(personnummer))
    found = db.session.get(Person, actor.id)
    applications.link_memberships(found)
    mandates.link_person(found)
    return found


def _person(who: str | Person) -> Person:
    return who if isinstance(who, Person) else person(who)


@contextmanager
def acting_as(who: Person):
    """Run service calls as this citizen's request would: ``g.actor`` and ``g.subject_id`` set (the audit
    log names them), then the application context's ``g`` exactly as it was before."""
    state = vars(g._get_current_object())
    saved = dict(state)
    try:
        with current_app.test_request_context("/"):
            g.actor = Actor(kind=CITIZEN, id=who.id, name=who.display_name)
            g.subject_id = who.id
            g.request_id = str(uuid.uuid4())
            yield
    finally:
        state.clear()
        state.update(saved)


def this_month() -> date:
    return clock.today().replace(day=1)


def draft(who: str | Person, period: date | None = None) -> Application:
    """A draft for this month (or ``period``, one of the months the start form offers), started by
    ``who`` (a personnummer or a person), with the folkbokföring fetched as the start form does."""
    applicant = _person(who)
    period = period or this_month()
    assert period in applications.month_choices(clock.today()), f"the start form does not offer {period}"
    with acting_as(applicant):
        return applications.start(applicant.id, period)


def next_month(previous: Application) -> Application:
    """Applying again from a sent application, as the next-month start form does: a draft for the month
    after, last month's stated entries copied in, the folkbokföring fetched afresh."""
    from portal.application import nextmonth

    applicant = db.session.get(Person, previous.applicant_id)
    with acting_as(applicant):
        return nextmonth.start(previous, applicant.id)


def with_consents(application: Application, keys: list[str] | None = None, by: str | Person | None = None):
    """Consent as the consent form does (``keys``: unit keys such as ``"csn.basic"``; default every basic
    unit) for the member who is ``by`` (default the applicant), then fetch from the sandbox."""
    from portal.consent import services as consents
    from portal.information.services import start_fetch

    giver = _person(by) if by is not None else db.session.get(Person, application.applicant_id)
    member = consents.member_for_person(application, giver.id)
    assert member is not None, "only the applicant or a logged-in adult member consents"
    with acting_as(giver):  # (in a request: the providers' labels are translated when first imported)
        if keys is None:
            keys = [u.key for u in consents.units() if u.scope == "basic"]
        consents.set_consents(application, member, giver.id, set(keys))
        start_fetch(application)
    return application


def attached(
    application: Application,
    data: bytes,
    filename: str,
    description: str | None = None,
    linked_item_id: int | None = None,
    by: str | Person | None = None,
):
    """A file uploaded on the attachments page (checked by content and stored), by ``by`` (default the
    applicant). Returns the attachment."""
    from portal.attachments import services as attachments
    from portal.attachments.storage import current_storage
    from portal.audit.services import record

    uploader = _person(by) if by is not None else db.session.get(Person, application.applicant_id)
    with acting_as(uploader):
        attachment = attachments.add(
            application.id,
            uploader.id,
            data,
            filename,
            current_storage(),
            linked_item_id=linked_item_id,
            description=description,
        )
        record(
            "create", "attachment", attachment.id, "applicant attaches a document", subject_id=application.applicant_id
        )
        applications.touch(application)
        db.session.commit()
    return attachment


def _signed_at():
    """The moment of a signature as the signing callback records it: the IdP's ``auth_time``, whole
    seconds."""
    return clock.now().replace(microsecond=0)


def sign(application: Application, who: str | Person, language: str = "sv") -> Application:
    """One signature, as the signing callback records it after a fresh login at the IdP."""
    signer = _person(who)
    with acting_as(signer):
        submission.sign(application, signer.id, signed_at=_signed_at(), acr=LOA3, language=language)
    return application


def submitted(application: Application, language: str = "sv") -> Application:
    """Signed by the applicant and, for a joint application, by each co-applicant from their own login:
    frozen and in the outbox, not yet delivered. ``language``: the applicant's at signing."""
    sign(application, db.session.get(Person, application.applicant_id), language)
    for member in application.co_applicants():
        if application.status != "awaiting_cosign":
            break
        co_applicant = db.session.get(Person, member.person_id) if member.person_id else person(member.personnummer)
        sign(application, co_applicant, language)
    db.session.refresh(application)
    assert application.status == "submitted", application.status
    return application


def delivered(application: Application, *more: Application) -> Application:
    """The delivery worker's rounds until nothing is due: the application (and ``more``) in its
    municipality's inbox. Returns the first.

    On the browser journeys' stack a worker of its own runs beside the test (devstack/stack.py): it may have
    taken a record this round then finds not due, so the rounds go on until each has arrived, within a
    generous deadline (a real wait on another thread, not the test clock)."""
    from portal.delivery.services import run_once

    everything = (application, *more)
    deadline = time.monotonic() + 60
    while True:
        while run_once():
            pass
        db.session.commit()  # a fresh read: the stack's worker commits on a connection of its own
        waiting = [each for each in everything if not in_inbox(each, each.municipality_code)]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for each in everything:
        db.session.refresh(each)
        assert each.status == "submitted" and each.inbox_id, each.status
        assert in_inbox(each, each.municipality_code), "not delivered"
    return application


def sent(who: str | Person, language: str = "sv", period: date | None = None) -> Application:
    """A draft started, signed and delivered to the municipality's inbox, waiting to be registered."""
    return delivered(submitted(draft(who, period), language))


def received(application: Application) -> Application:
    """Arrival registered, with a case number."""
    case.register(application)
    return application


def under_handling(application: Application) -> Application:
    case.start_handling(application)
    return application


def decided(
    application: Application,
    outcome: str = "granted",
    reasoning: str = "Enligt riksnormen.",
    decided_by: str = "Per Handläggare",
    amount: int | None = 5000,
):
    """A decision on a registered application; a grant covers the application's month. Returns the
    decision."""
    if outcome in GRANTING:
        start = application.period
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return case.decide(
            application, outcome, reasoning, decided_by, amount=amount, period_start=start, period_end=end
        )
    return case.decide(application, outcome, reasoning, decided_by)
