"""Mandates end to end through the real test IdP: granting with a step-up, accepting, declining,
ending by either side, revoking, expiry at the second (a clock we control), legal
representatives, acting for a principal, and the principal's trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import clock as portal_clock
from portal.auth.models import Person
from portal.extensions import db
from portal.i18n.services import SUPPORTED
from portal.mandates import services
from portal.mandates.models import Mandate
from portal.mandates.states import MandateStatus
from tests.support import at_idp, csrf_from, idp_login, page_checks, soup, sv

MARGARETA = "194408139089"  # the principal (pensioner, Örebro)
LARS = "196404153832"  # the proxy
EMMA = "199107172380"
ANDERS = "199006022397"


@pytest.fixture
def clock():
    """The portal's clock, stopped now and moved by the test (reset after every test)."""
    portal_clock.freeze(portal_clock.now())

    class Clock:
        def move(self, **delta):
            portal_clock.freeze(portal_clock.now() + timedelta(**delta))

        def set(self, moment):
            portal_clock.freeze(moment)

        @property
        def now(self):
            return portal_clock.now()

    return Clock()


def person_client(app, number):
    client = app.test_client()
    idp_login(client, "/auth/login", {"subject": number})
    return client


def grant(client, proxy=LARS, scopes=("prepare", "submit"), until=None, signer=MARGARETA, name=None):
    page = client.get("/mandates/new")
    assert page.status_code == 200
    until = until or (portal_clock.today() + timedelta(days=90))
    typed = {"proxy_name": name} if name is not None else {}
    response = client.post(
        "/mandates/new",
        data={
            "csrf_token": csrf_from(page),
            "proxy_personnummer": proxy,
            "scopes": list(scopes),
            "valid_until": until.isoformat(),
            **typed,
        },
    )
    if response.status_code != 302 or not response.location.startswith("http"):
        return response
    return at_idp(client, response, {"subject": signer})


def post_button(client, page_path, action_path):
    page = client.get(page_path)
    return client.post(action_path, data={"csrf_token": csrf_from(page)})


def only_mandate() -> Mandate:
    return db.session.scalars(select(Mandate)).one()


def test_grant_needs_a_fresh_signature_and_waits_for_acceptance(app, clock):
    margareta = person_client(app, MARGARETA)
    response = grant(margareta)
    assert response.status_code == 302 and response.location.endswith("/mandates")
    db.session.expire_all()
    mandate = only_mandate()
    assert mandate.status == MandateStatus.PENDING and mandate.scope_set == {"view", "prepare", "submit"}
    assert mandate.signed_at is not None and mandate.wording_version and mandate.reference.startswith("FM-")
    assert services.seal_holds(mandate)
    mandate.scopes = "view,prepare,submit,messages"  # a changed record no longer matches its seal
    assert not services.seal_holds(mandate)
    db.session.rollback()
    page = margareta.get("/mandates")
    doc = page_checks(page)
    assert mandate.reference in doc.get_text()
    assert LARS not in page.get_data(as_text=True)  # the number is never shown back


def test_a_signature_by_someone_else_gives_no_mandate(app):
    margareta = person_client(app, MARGARETA)
    response = grant(margareta, signer=EMMA)
    assert response.status_code == 400
    assert db.session.scalar(select(Mandate)) is None


@pytest.mark.parametrize(
    "data,status",
    [
        ({"proxy_personnummer": "196404153833"}, 400),  # wrong check digit
        ({"proxy_personnummer": MARGARETA}, 400),  # oneself
        ({"scopes": []}, 400),
        ({"valid_until": (portal_clock.today() + timedelta(days=400)).isoformat()}, 400),  # more than 12 months
        ({"valid_until": "31/12/2026"}, 400),
    ],
)
def test_grant_form_refuses_with_clear_messages_and_keeps_what_was_entered(app, data, status):
    margareta = person_client(app, MARGARETA)
    page = margareta.get("/mandates/new")
    form = {
        "csrf_token": csrf_from(page),
        "proxy_personnummer": LARS,
        "scopes": ["prepare"],
        "valid_until": (portal_clock.today() + timedelta(days=30)).isoformat(),
        **data,
    }
    response = margareta.post("/mandates/new", data=form)
    assert response.status_code == status
    doc = page_checks(response)
    assert doc.find(class_=["error-summary", "notice--warning"]) is not None
    assert doc.find("input", attrs={"name": "proxy_personnummer"})["value"] == form["proxy_personnummer"]
    assert db.session.scalar(select(Mandate)) is None


def accept_as_proxy(app, principal_name="Margareta Nilsson"):
    lars = app.test_client()
    response = idp_login(lars, "/auth/login", {"subject": LARS})
    assert response.status_code == 302 and "/act-for" in response.location  # the invitation is waiting
    page = lars.get("/mandates")
    assert principal_name in page.get_data(as_text=True)
    mandate = only_mandate()
    response = post_button(lars, "/mandates", f"/mandates/{mandate.id}/accept")
    assert response.status_code == 302
    return lars, mandate


def act_for(client, mandate):
    page = client.get("/act-for")
    return client.post("/act-for", data={"csrf_token": csrf_from(page), "acting_for": mandate.id})


def test_accept_then_act_for_the_principal_within_the_scope(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("view",))
    lars, mandate = accept_as_proxy(app)
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.ACTIVE
    response = act_for(lars, mandate)
    assert response.status_code == 302
    page = lars.get("/overview")
    doc = page_checks(page)
    banner = doc.find(id="acting-for-title")
    assert banner is not None and "Margareta Nilsson" in banner.get_text()
    # view only: starting an application for her is refused
    refused = lars.post("/applications/new", data={"csrf_token": csrf_from(page), "period": "x"})
    assert refused.status_code == 403
    # a proxy cannot grant onward nor see the principal's mandates
    assert lars.get("/mandates").status_code == 403
    assert lars.get("/mandates/new").status_code == 403
    # switching back
    response = lars.post("/act-for", data={"csrf_token": csrf_from(page), "acting_for": "self"})
    assert response.status_code == 302
    assert page_checks(lars.get("/overview")).find(id="acting-for-title") is None
    assert lars.get("/mandates").status_code == 200


def test_decline(app):
    margareta = person_client(app, MARGARETA)
    grant(margareta)
    lars = person_client(app, LARS)
    mandate = only_mandate()
    assert post_button(lars, "/mandates", f"/mandates/{mandate.id}/decline").status_code == 302
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.DECLINED
    assert services.in_force_for(mandate.proxy_id) == []
    # the principal sees it declined
    assert sv("Declined") in margareta.get("/mandates").get_data(as_text=True)


def test_someone_else_cannot_answer_or_end_a_mandate(app):
    margareta = person_client(app, MARGARETA)
    grant(margareta)
    mandate = only_mandate()
    emma = person_client(app, EMMA)
    for action in ("accept", "decline", "end"):
        assert post_button(emma, "/mandates", f"/mandates/{mandate.id}/{action}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.PENDING


def test_revoked_in_an_open_session_the_next_click_is_refused(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("prepare",))
    lars, mandate = accept_as_proxy(app)
    act_for(lars, mandate)
    page = lars.get("/overview")
    assert page.status_code == 200
    assert post_button(margareta, "/mandates", f"/mandates/{mandate.id}/end").status_code == 302
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).status == MandateStatus.REVOKED
    refused = lars.post("/applications/new", data={"csrf_token": csrf_from(page), "period": "2026-12-01"})
    assert refused.status_code == 403
    assert (
        sv(
            "You can no longer act for %(name)s: they have revoked the mandate. Nothing was done.",
            name="Margareta Nilsson",
        )
        in soup(refused).find("main").get_text()
    )
    # back to acting for himself: his own overview, no banner
    doc = page_checks(lars.get("/overview"))
    assert doc.find(id="acting-for-title") is None


def test_expiry_takes_access_away_at_the_second(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("view",), until=portal_clock.today() + timedelta(days=10))
    lars, mandate = accept_as_proxy(app)
    act_for(lars, mandate)
    db.session.expire_all()
    until = db.session.get(Mandate, mandate.id).valid_until
    clock.set(until - timedelta(seconds=1))
    lars = person_client(app, LARS)  # ten days on his first session has expired (portal.clock): again
    act_for(lars, mandate)
    assert lars.get("/overview").status_code == 200
    clock.set(until)
    refused = lars.get("/overview")
    assert refused.status_code == 403
    assert (
        sv("You can no longer act for %(name)s: the mandate has expired. Nothing was done.", name="Margareta Nilsson")
        in soup(refused).find("main").get_text()
    )
    assert lars.get("/overview").status_code == 200  # now his own
    # an expired mandate is not offered any more, and cannot be chosen
    assert services.in_force_for(mandate.proxy_id) == []
    response = act_for(lars, mandate)
    assert response.status_code == 400


def test_the_proxy_can_end_the_mandate(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta)
    lars, mandate = accept_as_proxy(app)
    assert post_button(lars, "/mandates", f"/mandates/{mandate.id}/end").status_code == 302
    db.session.expire_all()
    ended = db.session.get(Mandate, mandate.id)
    assert ended.status == MandateStatus.ENDED and ended.ended_by == "proxy"


def test_a_second_mandate_to_the_same_person_waits_for_the_first_to_end(app):
    margareta = person_client(app, MARGARETA)
    grant(margareta)
    response = grant(margareta)
    assert response.status_code == 400
    assert len(db.session.scalars(select(Mandate)).all()) == 1


def test_trail_lists_what_the_proxy_did_in_the_principals_name(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("prepare",))
    lars, mandate = accept_as_proxy(app)
    act_for(lars, mandate)
    page = lars.get("/applications/new")
    assert page.status_code == 200
    period = soup(page).find("input", attrs={"name": "period"})["value"]
    response = lars.post(
        "/applications/new", data={"csrf_token": csrf_from(page), "period": period, "folkbokforing": "y"}
    )
    assert response.status_code == 302
    principal = db.session.scalar(select(Person).where(Person.personnummer == MARGARETA))
    from portal.application.models import Application

    application = db.session.scalars(select(Application)).one()
    assert application.applicant_id == principal.id  # made in her name
    trail = margareta.get("/mandates/trail")
    doc = page_checks(trail)
    rows = doc.find("tbody").find_all("tr")
    assert rows and all("Lars Berglund" in row.get_text() for row in rows)
    assert any(sv("Created %(what)s", what="").strip() in row.get_text() for row in rows)
    # her own actions are not in the trail
    assert not any("Margareta" in row.get_text() for row in rows)


def legal_form(
    page, kind="forvaltare", reference="ÖF 2026-1234", scopes=("prepare", "submit", "messages"), days=700
) -> dict:
    return {
        "csrf_token": csrf_from(page),
        "kind": kind,
        "decision_reference": reference,
        "principal_personnummer": MARGARETA,
        "principal_name": "Margareta Nilsson",
        "representative_personnummer": LARS,
        "representative_name": "Lars Berglund",
        "scopes": list(scopes),
        "valid_from": portal_clock.today().isoformat(),
        "valid_until": (portal_clock.today() + timedelta(days=days)).isoformat(),
    }


def register(client, identifies="staff-admin-1", **form):
    """The logged-in administrator fills in the decision and identifies again at the IdP (step-up)."""
    page = client.get("/mandates/admin")
    assert page.status_code == 200
    response = client.post("/mandates/admin", data=legal_form(page, **form))
    if response.status_code != 302 or not response.location.startswith("http"):
        return response
    assert "prompt=login" in response.location and "max_age=0" in response.location
    return at_idp(client, response, {"subject": identifies})


def staff_client(app, sub):
    client = app.test_client()
    idp_login(client, "/auth/staff/login", {"subject": sub})
    return client


def approve(client, mandate, identifies=None, sub="staff-admin-2"):
    """A second administrator approves, identifying again at the IdP."""
    response = post_button(client, "/mandates/admin", f"/mandates/admin/{mandate.id}/approve")
    if response.status_code != 302 or not response.location.startswith("http"):
        return response
    return at_idp(client, response, {"subject": identifies or sub})


def test_legal_representative_registered_by_one_administrator_approved_by_another(app, clock, staff_login, client):
    staff_login("staff-admin-1")
    assert register(client).status_code == 302
    mandate = only_mandate()
    assert mandate.status == "awaiting_approval" and mandate.kind == "forvaltare"
    assert mandate.reference.startswith("FV-")
    assert mandate.registered_by == "staff-admin-1" and mandate.registered_stepup_at is not None
    assert mandate.decision_reference == "ÖF 2026-1234" and services.seal_holds(mandate)
    listing = client.get("/mandates/admin")
    assert MARGARETA not in listing.get_data(as_text=True)  # no personal data for administrators
    assert sv("Waiting for a second administrator's approval") in listing.get_data(as_text=True)
    # until a second administrator approves, the representative can do nothing
    lars = app.test_client()
    idp_login(lars, "/auth/login", {"subject": LARS})
    assert mandate.id not in lars.get("/act-for").get_data(as_text=True)
    assert act_for(lars, mandate).status_code == 400  # not among the choices
    assert "Margareta" not in lars.get("/overview").get_data(as_text=True)
    # the second administrator approves after identifying again
    other = staff_client(app, "staff-admin-2")
    assert approve(other, mandate).status_code == 302
    db.session.expire_all()
    mandate = only_mandate()
    assert (
        mandate.status == MandateStatus.ACTIVE and mandate.approved_by == "staff-admin-2" and mandate.approved_stepup_at
    )
    assert services.seal_holds(mandate)
    # the principal is told at her next login, once; her trail names both administrators and the step-ups
    margareta = person_client(app, MARGARETA)
    told = page_checks(margareta.get("/overview")).get_text()
    assert "ÖF 2026-1234" in told and "Lars Berglund" in told
    margareta.get("/mandates")  # looking changes nothing (issue 13, point 11): she says she has read it
    assert "ÖF 2026-1234" in margareta.get("/overview").get_data(as_text=True)
    assert post_button(margareta, "/overview", "/mandates/notices/seen").status_code == 302
    assert "ÖF 2026-1234" not in margareta.get("/overview").get_data(as_text=True)
    rows = [row.get_text(" ", strip=True) for row in page_checks(margareta.get("/mandates/trail")).find_all("tr")]
    registered = next(row for row in rows if "Sara Förvaltare" in row)
    approved = next(row for row in rows if "Mats Drift" in row)
    stepped = sv(", after identifying again at %(time)s", time="").strip(" ,")
    assert stepped.split()[0] in registered and stepped.split()[0] in approved
    # the audit log names both administrators and their re-authentication
    from portal.audit.models import AuditEvent

    events = {e.action: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == mandate.id))}
    assert events["register"].actor_id == "staff-admin-1" and events["approve"].actor_id == "staff-admin-2"
    assert "re-authenticated" in events["approve"].purpose and "staff-admin-1" in events["approve"].purpose
    # the representative now acts without accepting; he cannot end it himself
    lars = app.test_client()
    assert "/act-for" in idp_login(lars, "/auth/login", {"subject": LARS}).location
    act_for(lars, mandate)
    assert lars.get("/overview").status_code == 200
    assert post_button(lars, "/act-for", f"/mandates/{mandate.id}/end").status_code == 403  # acting: own pages refused
    # an administrator ends it: the representative's next click is refused
    assert post_button(client, "/mandates/admin", f"/mandates/admin/{mandate.id}/end").status_code == 302
    assert lars.get("/overview").status_code == 403


def test_one_administrator_cannot_make_a_representative_effective_alone(app, clock, staff_login, client):
    staff_login("staff-admin-1")
    register(client)
    mandate = only_mandate()
    # approving one's own registration: refused before any step-up, and by the service itself
    response = post_button(client, "/mandates/admin", f"/mandates/admin/{mandate.id}/approve")
    assert response.status_code == 409
    assert sv("Another administrator must approve or refuse a registration you made yourself") in response.get_data(
        as_text=True
    )
    assert sv("Identify yourself and approve") not in client.get("/mandates/admin").get_data(as_text=True)
    from datetime import UTC, datetime

    just_now = datetime.fromtimestamp(__import__("time").time(), UTC)  # the IdP's auth_time is wall-clock
    with pytest.raises(services.MandateRefused) as refused:
        services.approve_legal(mandate, services.Administrator("staff-admin-1", "Sara Förvaltare", just_now))
    assert refused.value.reason == "same_administrator"
    with pytest.raises(services.MandateRefused):
        services.refuse_legal(mandate, services.Administrator("staff-admin-1", "Sara Förvaltare", None), "oops")
    # a step-up made by the other administrator in the first one's session approves nothing either
    other = staff_client(app, "staff-admin-2")
    response = approve(other, mandate, identifies="staff-admin-1")
    assert response.status_code == 400
    assert sv("The person who identified was not you. Nothing was registered or approved.") in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert only_mandate().status == "awaiting_approval" and only_mandate().approved_by is None
    # a record set to active in the database without a second administrator gives no access
    mandate = only_mandate()
    mandate.status = MandateStatus.ACTIVE
    db.session.commit()
    lars = app.test_client()
    idp_login(lars, "/auth/login", {"subject": LARS})
    assert act_for(lars, mandate).status_code == 400
    assert not services.in_force_for(mandate.proxy_id)


def test_registration_without_a_fresh_step_up_is_refused(app, clock, staff_login, client):
    from datetime import UTC, datetime

    staff_login("staff-admin-1")
    # the form alone registers nothing: it sends the administrator to identify again
    page = client.get("/mandates/admin")
    response = client.post("/mandates/admin", data=legal_form(page))
    assert response.status_code == 302 and "prompt=login" in response.location
    assert db.session.scalar(select(Mandate)) is None
    # someone else identifies: refused, nothing registered, the form comes back as typed
    response = at_idp(client, response, {"subject": "staff-admin-2"})
    assert response.status_code == 400
    assert sv("The person who identified was not you. Nothing was registered or approved.") in response.get_data(
        as_text=True
    )
    assert "ÖF 2026-1234" in response.get_data(as_text=True)
    assert db.session.scalar(select(Mandate)) is None
    # coming back with nothing pending (a replayed or forged callback) registers nothing
    assert client.get("/mandates/admin/step-up?code=x&state=y").status_code == 400
    # the service refuses a re-authentication that is not from the last few minutes, or none
    decision = services.LegalDecision(
        "god_man",
        MARGARETA,
        "Margareta Nilsson",
        LARS,
        "Lars Berglund",
        "ÖF 1",
        frozenset({"view"}),
        portal_clock.today(),
        portal_clock.today(),
    )
    stale = datetime.fromtimestamp(__import__("time").time() - 3600, UTC)
    for at in (stale, None):
        with pytest.raises(services.MandateRefused) as refused:
            services.register_legal(decision, services.Administrator("staff-admin-1", "Sara Förvaltare", at))
        assert refused.value.reason == "not_fresh"
    assert db.session.scalar(select(Mandate)) is None


def test_a_second_administrator_refuses_with_a_reason(app, clock, staff_login, client):
    staff_login("staff-admin-1")
    register(client)
    mandate = only_mandate()
    other = staff_client(app, "staff-admin-2")
    page = other.get(f"/mandates/admin/{mandate.id}/refuse")
    page_checks(page)
    empty = other.post(f"/mandates/admin/{mandate.id}/refuse", data={"csrf_token": csrf_from(page), "reason": " "})
    assert empty.status_code == 400 and sv("Enter why the registration is refused") in empty.get_data(as_text=True)
    response = other.post(
        f"/mandates/admin/{mandate.id}/refuse",
        data={"csrf_token": csrf_from(page), "reason": "The decision number is not in our register"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    mandate = only_mandate()
    assert mandate.status == "refused" and mandate.refused_by == "staff-admin-2"
    assert mandate.refusal_reason == "The decision number is not in our register"
    assert "The decision number is not in our register" in other.get("/mandates/admin").get_data(as_text=True)
    # a refused registration can no longer be approved, and gives no access
    assert approve(other, mandate).status_code == 409
    assert not services.in_force_for(mandate.proxy_id or "")
    # her trail shows who registered and who refused
    margareta = person_client(app, MARGARETA)
    trail = margareta.get("/mandates/trail").get_data(as_text=True)
    assert "Sara Förvaltare" in trail and "Mats Drift" in trail


def test_a_representative_acts_for_someone_who_has_never_logged_in(app, clock, staff_login, client):
    staff_login("staff-admin-1")
    register(client, kind="god_man", reference="ÖF 2026-42", scopes=("prepare",), days=30)
    mandate = only_mandate()
    approve(staff_client(app, "staff-admin-2"), mandate)
    db.session.expire_all()
    mandate = only_mandate()
    principal = db.session.get(Person, mandate.principal_id)
    assert principal.personnummer == MARGARETA and principal.display_name == "Margareta Nilsson"
    lars = app.test_client()
    assert "/act-for" in idp_login(lars, "/auth/login", {"subject": LARS}).location
    act_for(lars, mandate)
    assert lars.get("/applications/new").status_code == 200  # prepares in her name from the first day
    # her own first login is the same person, now with the identity provider's subject
    person_client(app, MARGARETA)
    db.session.refresh(principal)
    assert not principal.oidc_subject.startswith("decision:")
    assert db.session.scalars(select(Person).where(Person.personnummer == MARGARETA)).all() == [principal]


def test_legal_registration_refuses_bad_numbers(app, staff_login, client):
    staff_login("staff-admin-1")
    page = client.get("/mandates/admin")
    response = client.post(
        "/mandates/admin",
        data={
            "csrf_token": csrf_from(page),
            "kind": "god_man",
            "decision_reference": "X",
            "principal_personnummer": "194408139088",
            "principal_name": "M",
            "representative_personnummer": LARS,
            "representative_name": "L",
            "scopes": ["view"],
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert page_checks(response).find(class_="error-summary") is not None
    assert db.session.scalar(select(Mandate)) is None


def test_citizens_cannot_register_legal_representatives(app):
    margareta = person_client(app, MARGARETA)
    assert margareta.get("/mandates/admin").status_code == 403


def test_consent_by_a_proxy_names_the_proxy_and_mandate_and_the_municipality_sees_it(app, clock, client, staff_login):
    """A proxy with prepare + submit starts, consents, signs with their own e-identification; the
    consent, the exchange document and the caseworker's page say so with the mandate's reference."""
    from portal.application.models import Application
    from portal.consent.models import Consent
    from portal.exchange import document
    from tests.support import send_application

    anders = person_client(app, ANDERS)  # Uppsala, where there is a caseworker to look
    grant(anders, scopes=("prepare", "submit"), signer=ANDERS)
    lars, mandate = accept_as_proxy(app, "Anders Testsson")
    act_for(lars, mandate)
    page = lars.get("/applications/new")
    period = soup(page).find("input", attrs={"name": "period"})["value"]
    lars.post("/applications/new", data={"csrf_token": csrf_from(page), "period": period, "folkbokforing": "y"})
    application = db.session.scalars(select(Application)).one()
    path = f"/applications/{application.id}"
    consent_page = lars.get(f"{path}/consent")
    assert consent_page.status_code == 200
    response = lars.post(
        f"{path}/consent", data={"csrf_token": csrf_from(consent_page), "units": ["forsakringskassan.basic"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    consents = db.session.scalars(select(Consent).where(Consent.application_id == application.id)).all()
    lars_person = db.session.scalar(select(Person).where(Person.personnummer == LARS))
    assert consents and all(c.proxy_id == lars_person.id and c.mandate_reference == mandate.reference for c in consents)
    assert all(c.given_by_person_id == application.applicant_id for c in consents)
    # the proxy signs with his own e-identification (signing as her is refused)
    refused = send_application(lars, path, ANDERS)
    assert refused.status_code == 400
    sent = send_application(lars, path, LARS)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:300]
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert not application.is_draft
    import json

    from portal.submission.services import frozen_document

    doc = json.loads(frozen_document(application).body)
    document.validate(doc)
    assert doc["schemaVersion"] == document.SCHEMA_VERSION  # proxies: since 1.1.0
    roles = {p["role"]: p for p in doc["proxies"]}
    assert set(roles) == {"prepared", "submitted"}
    assert roles["submitted"]["mandateReference"] == mandate.reference and roles["submitted"]["name"] == "Lars Berglund"
    assert all(c["givenByProxy"]["mandateReference"] == mandate.reference for c in doc["consents"])
    # the caseworker of Uppsala sees it on the application page, once delivered
    from portal.delivery.services import run_once

    run_once()
    staff_login("staff-uppsala-1")
    caseworker_page = client.get(f"/municipality/inbox/{application.id}")
    assert caseworker_page.status_code == 200
    notice = soup(caseworker_page).find(id="proxy-notice")
    assert notice is not None and mandate.reference in notice.get_text() and "Lars Berglund" in notice.get_text()
    # and the principal sees the whole trail
    trail = page_checks(anders.get("/mandates/trail")).get_text()
    for done in ("Sent %(what)s", "Signed %(what)s", "Gave consent: %(what)s"):
        assert sv(done, what="").strip() in trail


# --- issue 13, point 1: granting does not tell whether someone uses the portal -----------------------


def _who_cells(page) -> list[str]:
    doc = page_checks(page)
    table = doc.find("main").find("table")
    return [" ".join(row.find("td").get_text(" ").split()) for row in table.find("tbody").find_all("tr")]


def test_granting_shows_only_what_the_grantor_typed_until_the_proxy_accepts(app, clock):
    lars = person_client(app, LARS)  # Lars uses the portal; Emma and Anders have never logged in
    assert lars.get("/mandates").status_code == 200
    margareta = person_client(app, MARGARETA)
    assert grant(margareta, proxy=LARS, name="Lasse").status_code == 302
    assert grant(margareta, proxy=EMMA, name="Emma").status_code == 302
    assert grant(margareta, proxy=ANDERS).status_code == 302  # no name typed
    page = margareta.get("/mandates")
    text = page.get_data(as_text=True)
    assert "Berglund" not in text and "Lars" not in text  # Lars's name as registered: never before he accepts
    assert sv("A person who has not logged in yet") not in text
    cells = sorted(_who_cells(page))
    anonymous = sv("The person you gave the mandate to")
    assert [cell.split(" ", 1)[0] for cell in cells] == sorted(["Lasse", "Emma", anonymous.split(" ", 1)[0]])
    # the same wording for a person who uses the portal and one who does not
    lasse = next(cell for cell in cells if cell.startswith("Lasse"))
    emma = next(cell for cell in cells if cell.startswith("Emma"))
    assert lasse.removeprefix("Lasse") == emma.removeprefix("Emma")
    db.session.expire_all()
    for mandate in db.session.scalars(select(Mandate)):
        assert services.seal_holds(mandate)
        assert mandate.proxy_name in ("Lasse", "Emma", None)
    # once Lars accepts, his name as registered is shown
    lasse_mandate = db.session.scalars(select(Mandate).where(Mandate.proxy_personnummer == LARS)).one()
    assert post_button(lars, "/mandates", f"/mandates/{lasse_mandate.id}/accept").status_code == 302
    assert "Lars Berglund" in margareta.get("/mandates").get_data(as_text=True)


def test_a_proxy_who_logs_in_later_does_not_reveal_it_either(app, clock):
    margareta = person_client(app, MARGARETA)
    grant(margareta, proxy=LARS, name="Lasse")
    before = _who_cells(margareta.get("/mandates"))
    person_client(app, LARS)  # Lars logs in for the first time: the invitation is linked to him
    assert _who_cells(margareta.get("/mandates")) == before


# --- issue 13, point 12: the seal is checked whenever a mandate is used ---------------------------


def _acting_lars(app):
    margareta = person_client(app, MARGARETA)
    grant(margareta, scopes=("view", "prepare"))
    lars, mandate = accept_as_proxy(app)
    assert act_for(lars, mandate).status_code == 302
    assert lars.get("/overview").status_code == 200
    return lars, mandate


@pytest.mark.parametrize(
    "change",
    [
        {"scopes": "view,prepare,submit,messages"},  # more than was signed
        {"valid_until_days": 300},  # longer than was signed
        {"status": MandateStatus.ACTIVE, "seal": "AAAA"},  # a seal that is not the server's
    ],
)
def test_a_mandate_whose_seal_does_not_hold_gives_no_access(app, clock, caplog, change):
    from portal.audit.models import AuditEvent

    lars, mandate = _acting_lars(app)
    db.session.expire_all()
    stored = db.session.get(Mandate, mandate.id)
    for field, value in change.items():
        if field == "valid_until_days":
            stored.valid_until = stored.valid_until + timedelta(days=value)
        else:
            setattr(stored, field, value)
    db.session.commit()  # as someone with write access to the database might
    response = lars.get("/overview")
    assert response.status_code == 403
    doc = page_checks(response)
    assert doc.find("h1").get_text(strip=True) == sv("The mandate could not be verified")
    assert "Margareta Nilsson" in doc.find("main").get_text()
    assert any("seal does not hold" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert LARS not in caplog.text and MARGARETA not in caplog.text
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "refuse", AuditEvent.object_id == mandate.id)
    ).all()
    assert len(refused) == 1 and refused[0].subject_id == stored.principal_id
    # he is back to his own affairs, and the next page does not act for her
    assert lars.get("/overview").status_code == 200
    margareta = person_client(app, MARGARETA)
    assert sv("Was refused %(what)s: it could not be verified", what=sv("the mandate")) in margareta.get(
        "/mandates/trail"
    ).get_data(as_text=True)


def test_an_unsealed_mandate_gives_no_access_in_any_mode(app, clock, monkeypatch):
    """No exception for records without a seal any more, outside production either."""
    lars, mandate = _acting_lars(app)
    db.session.expire_all()
    stored = db.session.get(Mandate, mandate.id)
    stored.seal = stored.seal_key_id = None
    db.session.commit()
    for env in ("demo", "production"):
        monkeypatch.setattr(app.config["PORTAL"], "env", env)
        assert act_for(lars, mandate).status_code == 302
        response = lars.get("/overview")
        assert response.status_code == 403, env
        assert page_checks(response).find("h1").get_text(strip=True) == sv("The mandate could not be verified")


# --- the step-ups speak the OIDC Sweden profile as login and signing do (issue 12) -------------------

LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"


def test_granting_shows_a_sign_message_without_the_proxy_s_number(app):
    import json
    from urllib.parse import parse_qs, urlsplit

    from portal.auth import oidc

    margareta = person_client(app, MARGARETA)
    page = margareta.get("/mandates/new")
    until = portal_clock.today() + timedelta(days=30)
    response = margareta.post(
        "/mandates/new",
        data={
            "csrf_token": csrf_from(page),
            "proxy_personnummer": LARS,
            "scopes": ["prepare"],
            "valid_until": until.isoformat(),
            "proxy_name": "Lars B",
        },
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.location).query).items()}
    message = json.loads(query[oidc.USER_MESSAGE])["message"]
    assert set(message) == set(SUPPORTED)
    assert message["sv"].startswith("Jag ger Lars B") and until.strftime("%Y") in message["sv"]
    assert all(LARS not in text and LARS[2:] not in text for text in message.values())
    assert query["acr_values"] == oidc.LOA3 and query["prompt"] == "login"


def test_a_grant_signed_at_a_lower_assurance_level_gives_no_mandate(app):
    margareta = person_client(app, MARGARETA)
    page = margareta.get("/mandates/new")
    response = margareta.post(
        "/mandates/new",
        data={
            "csrf_token": csrf_from(page),
            "proxy_personnummer": LARS,
            "scopes": ["prepare"],
            "valid_until": (portal_clock.today() + timedelta(days=30)).isoformat(),
        },
    )
    app.config["PORTAL"].citizen_acr = LOA4  # the test IdP answers loa3: now too low
    try:
        assert at_idp(margareta, response, {"subject": MARGARETA}).status_code == 400
    finally:
        app.config["PORTAL"].citizen_acr = "http://id.elegnamnden.se/loa/1.0/loa3"
    assert db.session.scalar(select(Mandate)) is None


def test_an_administrator_s_step_up_enforces_the_assurance_level_and_renews_the_session_id(
    app, clock, staff_login, client
):
    staff_login("staff-admin-1")
    page = client.get("/mandates/admin")
    before = client.get_cookie("portal_session").value
    response = client.post("/mandates/admin", data=legal_form(page))
    app.config["PORTAL"].staff_acr = LOA4
    try:
        assert at_idp(client, response, {"subject": "staff-admin-1"}).status_code == 400
    finally:
        app.config["PORTAL"].staff_acr = ""
    assert db.session.scalar(select(Mandate)) is None
    assert register(client).status_code == 302
    assert only_mandate().registered_by == "staff-admin-1"
    after = client.get_cookie("portal_session").value
    assert after != before
    assert client.get("/mandates/admin").status_code == 200  # the new id is the session
