"""Correcting fetched information (issue 18, point 5; GDPR art. 16): the portal never changes a fetched value;
the page of an item says who holds it and where to ask, and the comment stays with the value."""

from __future__ import annotations

from portal.extensions import db
from portal.information.models import InformationItem
from portal.providers.registry import providers
from portal.rights.correction import correction_for
from tests import factories
from tests.support import csrf_from, page_checks
from tests.support import sv as swedish
from tests.test_items import plant_item
from tests.test_journey import SINGLE_ADULT


def test_every_source_says_who_holds_its_information():
    missing = [provider.name for provider in providers() if correction_for(provider.name) is None]
    assert not missing, f"add these to portal/rights/correction.py SOURCES: {missing}"
    assert correction_for("forsakringskassan_arenden") is correction_for("forsakringskassan")
    assert correction_for("no-such-source") is None and correction_for(None) is None


def test_the_item_page_says_where_to_ask_and_the_comment_stays_with_the_value(app, client, login):
    login(SINGLE_ADULT)
    application, item = plant_item(512300, factories.this_month(), application=factories.draft(SINGLE_ADULT))
    path = f"/applications/{application.id}/items/{item.id}/comment"
    sealed = (item.amount_ore, item.seal)
    page = client.get(path)
    doc = page_checks(page)
    section = doc.find("section", class_="correction")
    assert section.find("h2").get_text(strip=True) == swedish("Is the information wrong?")
    assert section.find("a", href="https://www.forsakringskassan.se")
    assert "Försäkringskassan" in section.get_text()
    response = client.post(path, data={"csrf_token": csrf_from(page), "text": "Bidraget upphörde i oktober."})
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(InformationItem, item.id)
    assert (kept.amount_ore, kept.seal) == sealed  # the fetched value as it was, its seal unchanged
    comment = page_checks(client.get(path)).find("textarea")
    assert comment.get_text() == "Bidraget upphörde i oktober."
