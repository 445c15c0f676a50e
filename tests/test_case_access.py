"""Who sees which case in the built-in inbox: a caseworker sees only their municipality's
applications and, where they belong to a unit, only that unit's; forwarding takes the sending
unit's access away and gives it to the receiver; every read is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from portal.attachments import services as attachment_services
from portal.attachments.storage import current_storage
from portal.audit.models import AuditEvent
from portal.delivery.services import run_once
from portal.extensions import db
from tests import factories
from tests.support import csrf_from
from tests.test_attachments_domain import make_pdf
from tests.test_caseworker import (
    ANDERS,
    DANIEL,
    EMMA,
    act,
    applicant_client,
    case_path,
    caseworker,
    delivered,
    listed,
    refresh,
    rich,
)

# Which of the three applications each caseworker may see.
SCOPE = {
    "staff-stockholm-1": {"emma"},  # unit stockholm-sodermalm
    "staff-stockholm-2": {"daniel"},  # unit stockholm-rinkeby-kista
    "staff-stockholm-3": {"emma", "daniel"},  # all of Stockholm
    "staff-uppsala-1": {"anders"},
    "staff-uppsala-2": {"anders"},
    "staff-goteborg-1": set(),
    "staff-malmo-1": set(),
}


def reads(actor_id: str, object_type: str, object_id: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.action == "read", AuditEvent.actor_id == actor_id, AuditEvent.object_type == object_type
    )
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return list(db.session.scalars(query))


def paths(application) -> list[str]:
    base = case_path(application)
    return [base, f"{base}/document.json", f"{base}/document.pdf"]


def test_the_access_matrix_across_municipalities_and_units(app):
    cases = {"emma": delivered(EMMA), "daniel": delivered(DANIEL), "anders": delivered(ANDERS)}
    assert (cases["emma"].inbox_id, cases["daniel"].inbox_id) == ("stockholm-sodermalm", "stockholm-rinkeby-kista")
    for sub, allowed in SCOPE.items():
        worker = caseworker(app, sub)
        assert set(listed(worker)) == {cases[k].reference for k in allowed}, sub
        for key, application in cases.items():
            expected = 200 if key in allowed else 404
            for path in paths(application):
                assert worker.get(path).status_code == expected, (sub, key, path)
            # Search finds only what is in scope, however the reference is typed.
            assert listed(worker, q=application.reference.lower()) == (
                [application.reference] if key in allowed else []
            ), (sub, key)
            # Nor can an action be taken on a case out of scope.
            page = worker.get("/municipality/inbox")
            response = worker.post(f"{case_path(application)}/register", data={"register-csrf_token": csrf_from(page)})
            assert response.status_code == (302 if key in allowed else 404), (sub, key)
            # Every read in scope is audited with the applicant as subject; none out of scope.
            audited = reads(sub, "application", application.id)
            assert len(audited) == (1 if key in allowed else 0), (sub, key)
            if audited:
                assert audited[0].subject_id == application.applicant_id and audited[0].actor_role == "caseworker"
        listings = reads(sub, "inbox")
        assert listings and all(e.object_id.startswith(SCOPE_CODE[sub]) for e in listings), sub


SCOPE_CODE = {
    "staff-stockholm-1": "0180/stockholm-sodermalm",
    "staff-stockholm-2": "0180/stockholm-rinkeby-kista",
    "staff-stockholm-3": "0180/*",
    "staff-uppsala-1": "0380/*",
    "staff-uppsala-2": "0380/*",
    "staff-goteborg-1": "1480/*",
    "staff-malmo-1": "1280/*",
}


def test_not_yet_delivered_or_not_sent_is_not_in_any_inbox(app):
    draft = factories.draft(EMMA)
    worker = caseworker(app, "staff-stockholm-3")
    assert worker.get(case_path(draft)).status_code == 404
    factories.submitted(draft)
    assert refresh(draft).status == "submitted"
    assert listed(worker) == [] and worker.get(case_path(draft)).status_code == 404  # not delivered yet
    run_once()
    assert listed(worker) == [draft.reference] and worker.get(case_path(draft)).status_code == 200


def test_applicants_and_administrators_have_no_inbox(app):
    application = delivered(EMMA)
    emma = applicant_client(app, EMMA)
    assert emma.get("/municipality/inbox").status_code == 403
    assert emma.get(case_path(application)).status_code == 403
    admin = caseworker(app, "staff-admin-1")
    assert admin.get("/municipality/inbox").status_code == 403
    assert admin.get(case_path(application)).status_code == 403
    anonymous = app.test_client()
    response = anonymous.get(case_path(application))
    assert response.status_code == 302 and response.location.startswith("/auth/staff/login")


def test_forwarding_moves_access_from_the_sending_unit_to_the_receiver(app):
    application, item, attachment, pdf = rich(EMMA)
    sodermalm, kista, stockholm = (
        caseworker(app, s) for s in ("staff-stockholm-1", "staff-stockholm-2", "staff-stockholm-3")
    )
    goteborg = caseworker(app, "staff-goteborg-1")
    file_path = f"{case_path(application)}/attachments/{attachment.id}"
    act(sodermalm, application, "register")
    assert sodermalm.get(file_path).status_code == 200 and kista.get(file_path).status_code == 404

    act(sodermalm, application, "forward", destination="unit:stockholm-rinkeby-kista", reason="Bor i Kista.")
    for path in [*paths(application), file_path]:
        assert sodermalm.get(path).status_code == 404, path
        assert kista.get(path).status_code == 200, path
        assert stockholm.get(path).status_code == 200, path
    assert listed(sodermalm) == [] and listed(kista) == [application.reference]
    page = sodermalm.get("/municipality/inbox")
    refused = sodermalm.post(
        f"{case_path(application)}/messages", data={"message-csrf_token": csrf_from(page), "message-body": "Hej"}
    )
    assert refused.status_code == 404

    act(kista, application, "forward", destination="municipality:1480", reason="Har flyttat till Göteborg.")
    for worker in (sodermalm, kista, stockholm):
        assert listed(worker) == [] and worker.get(case_path(application)).status_code == 404
    assert goteborg.get(case_path(application)).status_code == 404  # on its way, not yet delivered
    run_once()
    assert listed(goteborg) == [application.reference]
    for path in [*paths(application), file_path]:
        assert goteborg.get(path).status_code == 200, path
    assert caseworker(app, "staff-malmo-1").get(case_path(application)).status_code == 404
    assert stockholm.get(file_path).status_code == 404


def test_every_read_is_audited(app):
    application, item, attachment, pdf = rich(EMMA)
    worker = caseworker(app, "staff-stockholm-1")
    act(worker, application, "register")
    act(worker, application, "decision", outcome="refused", reasoning="Inkomsten räcker.")
    decision_link = f"{case_path(application)}/decisions/{_decision_id(application)}.pdf"
    proof = attachment_services.add(application.id, application.applicant_id, make_pdf(), "x.pdf", current_storage())
    db.session.commit()
    assert proof.id  # an unsent upload: opening it is refused and not logged as a read
    before = {
        t: len(reads("staff-stockholm-1", t))
        for t in ("inbox", "application", "exchange_document", "attachment", "decision")
    }
    for path in (
        "/municipality/inbox",
        case_path(application),
        f"{case_path(application)}/document.json",
        f"{case_path(application)}/document.pdf",
        f"{case_path(application)}/attachments/{attachment.id}",
        decision_link,
    ):
        assert worker.get(path).status_code == 200, path
    assert worker.get(f"{case_path(application)}/attachments/{proof.id}").status_code == 404
    after = {t: len(reads("staff-stockholm-1", t)) for t in before}
    assert after == {
        "inbox": before["inbox"] + 1,
        "application": before["application"] + 1,
        "exchange_document": before["exchange_document"] + 2,
        "attachment": before["attachment"] + 1,
        "decision": before["decision"] + 1,
    }
    for event in reads("staff-stockholm-1", "attachment") + reads("staff-stockholm-1", "decision"):
        assert event.subject_id == application.applicant_id
    assert not reads("staff-stockholm-1", "attachment", proof.id)
    # Personnummer never in the audit log.
    for event in db.session.scalars(select(AuditEvent)):
        assert EMMA not in " ".join(str(v) for v in (event.object_id, event.purpose, event.subject_id))


def _decision_id(application) -> str:
    from portal.case.models import Decision

    return db.session.scalar(select(Decision.id).where(Decision.application_id == application.id))
