"""A joint application waits, visibly, for the co-applicant's signature from their own login."""

from sqlalchemy import func, select

from portal.application.models import Application, Signature
from portal.delivery.models import Delivery
from portal.extensions import db
from tests import factories
from tests.support import at_idp, cosign_application, csrf_from, idp_login, page_checks, send_application, soup
from tests.test_journey import start_application

MARIA, JOHAN = "196108283166", "196201082697"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_joint_application_waits_for_the_co_applicant_then_is_sent_once(app, login, client):
    login(MARIA)
    path = start_application(client)
    husband = app.test_client()
    idp_login(husband, "/auth/login", {"subject": JOHAN})
    early = husband.post(f"{path}/cosign", data={"csrf_token": csrf_from(husband.get("/overview")), "confirm": "y"})
    assert early.status_code == 302 and not early.location.startswith("http")  # nothing to sign yet

    assert send_application(client, path, MARIA).status_code == 302
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.status == "awaiting_cosign" and count(Delivery) == 0
    waiting = page_checks(client.get(path))
    assert "Johan" in waiting.find(id="awaiting-title").parent.get_text()

    overview = soup(husband.get("/overview"))
    assert overview.find("a", href=f"{path}/check") is not None
    page_checks(husband.get(f"{path}/check"))
    refused = at_idp(husband, husband.post(f"{path}/cosign", data={
        "csrf_token": csrf_from(husband.get(f"{path}/check")), "confirm": "y"}), {"subject": MARIA})
    assert refused.status_code == 400  # signed at the IdP as someone else
    assert cosign_application(husband, path, JOHAN).status_code == 302
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.status == "submitted" and count(Delivery) == 1
    assert {s.person_id for s in db.session.scalars(select(Signature))} == {
        application.applicant_id, application.members[1].person_id}
    again = husband.post(f"{path}/cosign", data={"csrf_token": csrf_from(husband.get(path)), "confirm": "y"})
    assert again.status_code == 302 and again.location == path  # a second signature changes nothing
    assert count(Delivery) == 1 and count(Signature) == 2


def test_the_applicant_can_take_it_back_while_waiting(login, client):
    login(MARIA)
    application = factories.sign(factories.draft(MARIA), MARIA)  # signed (the signing: the test above)
    assert application.status == "awaiting_cosign" and count(Signature) == 1
    path = f"/applications/{application.id}"
    page = client.get(path)
    form = soup(page).find("form", action=f"{path}/cancel-signing")
    assert client.post(form["action"], data={"csrf_token": csrf_from(page)}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft" and count(Signature) == 0
