"""Consent and the parallel fetch, against the real sandbox over HTTP."""

from __future__ import annotations

import time

from sqlalchemy import select

from portal.application.models import Application, HouseholdMember
from portal.consent import services as consents
from portal.consent.models import Consent
from portal.extensions import db
from portal.information.models import FetchCall, InformationItem
from portal.providers.registry import provider as provider_named
from portal.situation import documents
from tests.support import csrf_from, idp_login, page_checks, send_application, soup
from tests.test_journey import start_application

SINGLE_ADULT = "199006022397"
MARIA = "196108283166"  # couple-with-children, applicant
JOHAN = "196201082697"  # her husband


def unit_keys(*, extended=False, without=()):
    return [u.key for u in consents.units() if (extended or u.scope == "basic") and u.provider.name not in without]


def consent(client, path, keys):
    page = client.get(f"{path}/consent")
    assert page.status_code == 200
    response = client.post(f"{path}/consent", data={"csrf_token": csrf_from(page), "units": keys})
    assert response.status_code == 302, response.status_code
    return response


def fetch(client, path):
    """Saving consents starts the fetch; this asks again for whatever is still missing."""
    page = client.get(f"{path}/fetch")
    response = client.post(f"{path}/fetch", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    return client.get(f"{path}/fetch")


def sandbox_calls(sandbox, provider=None):
    calls = sandbox.get("/_control/calls").json()["calls"]
    return sum(c["calls"] for c in calls if provider is None or c["provider"] == provider)


def test_nothing_is_fetched_without_consent(login, client, sandbox):
    login(SINGLE_ADULT)
    path = start_application(client)
    assert sandbox_calls(sandbox) == sandbox_calls(sandbox, "skatteverket") == 1  # folkbokföring, consented
    fetch(client, path)
    assert sandbox_calls(sandbox) == 1
    assert db.session.scalars(select(FetchCall)).all() == []
    folkbokforing = db.session.scalars(select(Consent)).one()
    assert folkbokforing.scope == "folkbokforing" and folkbokforing.wording_version


def test_consent_page_says_what_about_whom_and_why(login, client):
    login(MARIA)
    path = start_application(client)
    page = client.get(f"{path}/consent")
    doc = page_checks(page)
    boxes = doc.find_all("input", attrs={"type": "checkbox", "name": "units"})
    assert len(boxes) == len(consents.units()) and not any(b.has_attr("checked") for b in boxes)
    for box in boxes:
        about = doc.find(id=box["aria-describedby"])
        assert len(about.find_all("dd")) == 3 and all(dd.get_text(strip=True) for dd in about.find_all("dd"))
    assert "Johan" in doc.find(class_="notice").get_text()


def test_consent_then_parallel_fetch_shows_items_by_member_and_theme(login, client, sandbox):
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    status = fetch(client, path)
    doc = page_checks(status)
    calls = db.session.scalars(select(FetchCall)).all()
    assert calls and {c.status for c in calls} == {"done"}
    assert {c.provider for c in calls} == {u.split(".")[0] for u in unit_keys()}
    items = db.session.scalars(select(InformationItem)).all()
    assert items and all(i.member_id == calls[0].member_id for i in items)
    assert "Fetching" not in doc.get_text()
    shown = page_checks(client.get(f"{path}/information"))
    assert len(shown.find_all(class_="item")) == len(items)


def test_a_person_without_bank_consent_gets_no_bank_data(login, client, sandbox):
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys(extended=True, without=("bank",)))
    fetch(client, path)
    assert sandbox_calls(sandbox, "bank") == 0
    assert not db.session.scalars(select(InformationItem).where(InformationItem.provider == "bank")).all()
    assert db.session.scalars(select(InformationItem)).all()


def test_revoking_removes_what_was_fetched_and_is_closed_after_sending(login, client, sandbox):
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    fetch(client, path)
    target = db.session.scalars(select(InformationItem)).first()
    provider = target.provider
    mine = client.get("/consents")
    page_checks(mine)
    revoke = next(
        f
        for f in soup(mine).find_all("form")
        if f.get("action", "").endswith("/revoke")
        and db.session.get(Consent, int(f["action"].split("/")[2])).provider == provider
    )
    assert client.post(revoke["action"], data={"csrf_token": csrf_from(mine)}).status_code == 302
    db.session.expire_all()
    assert not db.session.scalars(select(InformationItem).where(InformationItem.provider == provider)).all()
    assert not db.session.scalars(select(FetchCall).where(FetchCall.provider == provider)).all()
    assert db.session.get(Consent, int(revoke["action"].split("/")[2])).revoked_at is not None

    page = client.get(path)
    send_application(client, path, SINGLE_ADULT)
    other = db.session.scalars(select(Consent).where(Consent.revoked_at.is_(None), Consent.scope == "basic")).first()
    response = client.post(f"/consents/{other.id}/revoke", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Consent, other.id).revoked_at is None


# Single adult is a member of an a-kassa: one set with data, one provider to break.
FAILING = ("akassa", "medlemskap")


def test_a_failing_provider_is_marked_with_a_reason_and_retry_succeeds(login, client, sandbox):
    provider, info_set = FAILING
    sandbox.post(
        "/_control/faults",
        json={
            "rules": [
                {"provider": provider, "set": info_set, "person": "single-adult", "kind": "status", "status": 500}
            ]
        },
    ).raise_for_status()
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())  # saving consents starts the fetch
    doc = page_checks(client.get(f"{path}/fetch"))
    failed = db.session.scalars(select(FetchCall).where(FetchCall.status == "failed")).all()
    assert failed and {c.provider for c in failed} == {provider} and {c.reason for c in failed} == {"error"}
    assert all(c.attempts == 3 for c in failed)  # bounded retries for a transient failure
    assert {c.info_set for c in failed} == {info_set}
    assert doc.find(class_="provider-status--failed").find("button")
    shown = soup(client.get(f"{path}/information"))
    assert "Inte hämtad" in shown.get_text()

    sandbox.delete("/_control/faults")
    form = doc.find(class_="provider-status--failed").find("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    assert client.post(form["action"], data=data).status_code == 302
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(FetchCall)).all()} == {"done"}


def test_what_could_not_be_fetched_may_be_shown_with_a_paper_until_a_retry_fetches_it(login, client, sandbox):
    """A provider that fails (also after its retries) becomes a document to attach, with its own name and why;
    the fetch page leads there. Fetched after all, the requirement is gone."""
    provider, info_set = FAILING
    rule = {"provider": provider, "set": info_set, "person": "single-adult", "kind": "status", "status": 500}
    sandbox.post("/_control/faults", json={"rules": [rule]}).raise_for_status()
    login(SINGLE_ADULT)
    client.get("/language?lang=en&next=/")
    path = start_application(client)
    consent(client, path, unit_keys())
    application_id = path.rsplit("/", 1)[1]
    applicant = db.session.scalar(select(HouseholdMember).where(HouseholdMember.relation == "applicant"))
    anchor = f"requirement-provider_statement-{provider}-{applicant.id}"

    fetch_page = page_checks(client.get(f"{path}/fetch"), lang="en")
    instead = fetch_page.find(class_="provider-status--failed").find("a", class_="provider-status__instead")
    assert instead["href"] == f"{path}/situation/documents#{anchor}"
    title = str(provider_named(provider).title)
    assert f"Or attach a paper from {title} instead" in instead.get_text()

    documents_response = client.get(f"{path}/situation/documents")
    documents_page = page_checks(documents_response, lang="en")
    section = documents_page.find(id=anchor)
    assert section is not None
    assert (
        section.find("h2").get_text(" ", strip=True).startswith(f"A statement, decision or payment notice from {title}")
    )
    assert f"We could not fetch your information from {title}." in section.get_text(" ", strip=True)
    assert "because some information could not be fetched" in documents_page.find("main").get_text()
    key = f"provider_statement:{provider}:{applicant.id}"
    prefix = key.replace(":", "-")
    answered = client.post(
        f"{path}/situation/documents/{key}",
        data={"csrf_token": csrf_from(documents_response), f"{prefix}-answer": "later"},
    )
    assert answered.status_code == 302
    application = db.session.get(Application, application_id)
    assert [(s.requirement.key, s.state) for s in documents.statuses(application)] == [(key, "later")]

    sandbox.delete("/_control/faults")
    form = fetch_page.find(class_="provider-status--failed").find("form")
    retry = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    assert client.post(form["action"], data=retry).status_code == 302
    db.session.expire_all()
    assert documents.statuses(db.session.get(Application, application_id)) == []
    assert page_checks(client.get(f"{path}/situation/documents"), lang="en").find(id=anchor) is None


def test_a_transient_failure_is_retried_within_the_deadline(login, client, sandbox):
    provider, info_set = FAILING
    sandbox.post(
        "/_control/faults",
        json={
            "rules": [
                {
                    "provider": provider,
                    "set": info_set,
                    "person": "single-adult",
                    "kind": "status",
                    "status": 503,
                    "first": 1,
                }
            ]
        },
    )
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    fetch(client, path)
    calls = db.session.scalars(select(FetchCall).where(FetchCall.provider == provider)).all()
    assert {c.status for c in calls} == {"done"}
    assert next(c for c in calls if c.info_set == info_set).attempts == 2


def test_malformed_and_drifted_answers_are_never_shown_as_data(login, client, sandbox):
    first, second = "akassa", "arbetsformedlingen"
    sandbox.post(
        "/_control/faults",
        json={
            "rules": [
                {"provider": first, "person": "single-adult", "kind": "malformed"},
                {"provider": second, "person": "single-adult", "kind": "schema_drift"},
            ]
        },
    )
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    fetch(client, path)
    reasons = {c.provider: c.reason for c in db.session.scalars(select(FetchCall)).all() if c.status == "failed"}
    assert reasons.get(first) == "malformed"
    assert reasons.get(second) == "unexpected_format"
    for provider in (first, second):
        assert not db.session.scalars(select(InformationItem).where(InformationItem.provider == provider)).all()


def test_circuit_breaker_stops_hammering_a_provider_that_is_down(app, login, client, sandbox):
    provider = FAILING[0]
    sandbox.post("/_control/faults", json={"rules": [{"provider": provider, "kind": "status", "status": 503}]})
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    fetch(client, path)
    for _ in range(3):
        page = client.get(f"{path}/fetch")
        client.post(f"{path}/fetch", data={"csrf_token": csrf_from(page)})
        db.session.expire_all()
    before = sandbox_calls(sandbox, provider)
    page = client.get(f"{path}/fetch")
    client.post(f"{path}/fetch", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert sandbox_calls(sandbox, provider) == before  # the breaker answered, the provider was spared
    failed = db.session.scalars(select(FetchCall).where(FetchCall.status == "failed")).all()
    assert failed and {c.reason for c in failed} == {"circuit_open"}


def test_co_applicant_consents_from_own_login(app, login, client, sandbox):
    login(MARIA)
    path = start_application(client)
    consent(client, path, unit_keys())
    fetch(client, path)
    johan = db.session.scalars(select(HouseholdMember).where(HouseholdMember.personnummer == JOHAN)).one()
    assert not db.session.scalars(select(InformationItem).where(InformationItem.member_id == johan.id)).all()

    husband = app.test_client()
    idp_login(husband, "/auth/login", {"subject": JOHAN})
    overview = husband.get("/overview")
    page_checks(overview)
    link = soup(overview).find("a", href=f"{path}/consent")
    assert link is not None
    consent(husband, path, unit_keys())
    fetch(husband, path)
    db.session.expire_all()
    own = db.session.scalars(select(Consent).where(Consent.member_id == johan.id, Consent.scope == "basic")).all()
    assert own and {c.given_by_person_id for c in own} == {db.session.get(HouseholdMember, johan.id).person_id}
    assert db.session.scalars(select(InformationItem).where(InformationItem.member_id == johan.id)).all()
    # He cannot send her application.
    page = husband.get(path)
    assert husband.post(f"{path}/submit", data={"csrf_token": csrf_from(page), "confirm": "y"}).status_code == 404


def test_fetch_in_the_background_appears_as_it_arrives(app, login, client, sandbox):
    app.config["PORTAL"].fetch_in_background = True
    provider = unit_keys()[0].split(".")[0]
    sandbox.post(
        "/_control/faults",
        json={"rules": [{"provider": provider, "person": "single-adult", "kind": "latency", "ms": 700}]},
    )
    login(SINGLE_ADULT)
    path = start_application(client)
    consent(client, path, unit_keys())
    first = soup(fetch(client, path))
    fragment = client.get(f"{path}/fetch/status", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert first.find(id="fetch-status").has_attr("hx-get")  # still polling
    deadline = time.monotonic() + 60  # generous: breaks as soon as the fetch is done
    while time.monotonic() < deadline:
        db.session.expire_all()
        if all(c.status != "pending" for c in db.session.scalars(select(FetchCall)).all()):
            break
        time.sleep(0.1)
    done = soup(client.get(f"{path}/fetch"))
    assert not done.find(id="fetch-status").has_attr("hx-get")
