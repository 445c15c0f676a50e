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
    refused = at_idp(
        husband,
        husband.post(f"{path}/cosign", data={"csrf_token": csrf_from(husband.get(f"{path}/check")), "confirm": "y"}),
        {"subject": MARIA},
    )
    assert refused.status_code == 400  # signed at the IdP as someone else
    assert cosign_application(husband, path, JOHAN).status_code == 302
    db.session.expire_all()
    application = db.session.scalar(select(Application))
    assert application.status == "submitted" and count(Delivery) == 1
    assert {s.person_id for s in db.session.scalars(select(Signature))} == {
        application.applicant_id,
        application.members[1].person_id,
    }
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


def test_the_co_signer_reads_the_whole_joint_application_before_signing_worded_to_them(app, login, client):
    """Issue 13 point 6: Johan has not consented to anything (his own data is not fetched); Maria fetched
    hers and signs first. Asked to sign, he sees all he signs, her figures included, addressed to him."""
    draft = factories.with_consents(factories.draft(MARIA))
    path = f"/applications/{draft.id}"
    login(MARIA)
    mine = page_checks(client.get(f"{path}/check"))
    sections = [h["id"] for h in mine.select(".check-section h2")]
    assert "Din inkomst från myndigheterna" in mine.find(id="key-figures").get_text(" ", strip=True)
    husband = app.test_client()
    idp_login(husband, "/auth/login", {"subject": JOHAN})
    assert husband.get(f"{path}/check").status_code == 302  # a draft is not his to read: his own data only
    factories.sign(draft, MARIA)
    page = page_checks(husband.get(f"{path}/check"))
    assert page.find("h1").get_text(strip=True) == "Läs den gemensamma ansökan innan du skriver under"
    assert [h["id"] for h in page.select(".check-section h2")] == sections  # every part he signs
    figures = page.find(id="key-figures").get_text(" ", strip=True)
    assert "Inkomst från myndigheterna: Maria" in figures  # hers, named, not "your"
    assert "Din inkomst" not in figures
    assert page.find("form", action=f"{path}/cosign") is not None
    headings = [h.get_text(strip=True) for h in page.select(".check-section h2")]
    assert "Dina egna inkomster" not in headings and "Andra angivna inkomster" in headings
    assert not page.find("a", string="Ändra")  # nothing to change: he reads and signs
    # The fetched items he signs are his to read now (before, only his own: none).
    items = page_checks(husband.get(f"{path}/information"))
    assert "Inget har hämtats än" not in items.get_text(" ", strip=True)
    # The application's page speaks to him: Maria signed, not "you".
    show = page_checks(husband.get(path))
    status = show.find("span", class_="tag--awaiting_cosign").get_text(strip=True)
    assert status == "Underskriven av Maria Lindqvist – väntar på din underskrift"
    timeline = show.find("ol", class_="timeline").get_text(" ", strip=True)
    assert "Du skrev under" not in timeline and "Du började" not in timeline
    assert "Maria Lindqvist skrev under. Ansökan väntar på din underskrift" in timeline
    # Maria's own page still says "you".
    assert "Underskriven av dig" in page_checks(client.get(path)).get_text(" ", strip=True)
