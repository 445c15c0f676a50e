"""Fetched items: sealed, shown by member and theme, commented on, never changed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from portal.application.models import Application
from portal.consent.models import Consent
from portal.db import utcnow
from portal.extensions import db
from portal.information import seal
from portal.information.models import FetchCall, InformationItem, ItemComment
from portal.information.render import CardCache
from portal.information.states import FetchStatus
from portal.providers.items import Period
from tests import factories
from tests.support import csrf_from, page_checks, soup

SINGLE_ADULT = "199006022397"


def plant_item(amount_ore=512300, month=date(2026, 10, 1), application=None):
    """An item exactly as the fetch stores one (sealed), without depending on a provider; on
    ``application``, or the only one there is."""
    application = application or db.session.scalar(select(Application))
    member = application.members[0]
    consent = Consent(
        application_id=application.id,
        member_id=member.id,
        provider="forsakringskassan",
        scope="basic",
        given_by_person_id=application.applicant_id,
    )
    db.session.add(consent)
    db.session.flush()
    item = InformationItem(
        application_id=application.id,
        member_id=member.id,
        consent_id=consent.id,
        provider="forsakringskassan",
        info_set="bostadsbidrag",
        kind="forsakringskassan.bostadsbidrag.payment",
        theme="income",
        period_start=month,
        period_end=month.replace(day=28),
        amount_ore=amount_ore,
        gross=False,
        details={},
        fetched_at=utcnow().replace(microsecond=0),
    )
    item.seal_key_id, item.seal = current_app.extensions["portal.sealer"].seal(seal.fields_of(item))
    db.session.add(item)
    db.session.commit()
    return application, item


def plant(application, kind, amount_ore=None, gross=None, start=None, end=None, theme="income", **details):
    """A sealed item of any kind for the applicant, as the fetch stores it."""
    member = application.members[0]
    provider, info_set, _suffix = kind.split(".")
    consent = Consent(
        application_id=application.id,
        member_id=member.id,
        provider=provider,
        scope="basic",
        given_by_person_id=application.applicant_id,
    )
    db.session.add(consent)
    db.session.flush()
    item = InformationItem(
        application_id=application.id,
        member_id=member.id,
        consent_id=consent.id,
        provider=provider,
        info_set=info_set,
        kind=kind,
        theme=theme,
        period_start=start,
        period_end=end,
        amount_ore=amount_ore,
        gross=gross,
        details=details,
        fetched_at=utcnow().replace(microsecond=0),
    )
    item.seal_key_id, item.seal = current_app.extensions["portal.sealer"].seal(seal.fields_of(item))
    db.session.add(item)
    db.session.commit()
    return item


def test_information_page_summary_first_then_items_by_what_they_are(login, client):
    """Issue 15: the month's income after tax (never the tax added to it), balances as assets not per
    month, a payment and its tax on one card, facts collapsed, the source said once, no seconds."""
    login(SINGLE_ADULT)
    application = factories.draft(SINGLE_ADULT)
    path = f"/applications/{application.id}"
    month = application.period
    month_end = Period(month).end
    payment = plant(
        application,
        "forsakringskassan.sjukpenning.payment",
        1009800,
        True,
        month,
        month_end,
        paid_on=month_end.isoformat(),
        extent="HEL",
        days=30,
    )
    tax = plant(
        application, "forsakringskassan.sjukpenning.tax", 323136, None, month, month_end, paid_on=month_end.isoformat()
    )
    plant(
        application,
        "bank.konton.balance",
        1250000,
        None,
        month,
        month,
        theme="assets",
        bank="Nordea",
        account="…1234",
        account_type="SPAR",
        joint=False,
    )
    fact = plant(
        application,
        "forsakringskassan.bostadsbidrag.application",
        None,
        None,
        month,
        None,
        theme="housing",
        status="KOMPLETTERING_BEGARD",
        applied_on=month.isoformat(),
    )
    doc = page_checks(client.get(f"{path}/information"))
    summary = doc.find(id="summary")
    assert doc.find("main").find("section") is summary  # the summary comes first
    rows = {
        row.find("dt").get_text(strip=True): row.find("dd").get_text(" ", strip=True).replace("\xa0", " ")
        for row in summary.find(id=f"summary-{application.members[0].id}").find_all(class_="summary__row")
    }
    income = next(text for label, text in rows.items() if label.startswith("Inkomst"))
    assert income.startswith("6 866,64 kr")  # 10 098,00 − 3 231,36, not 13 329,36
    assert "10 098,00 kr" in income and "3 231,36 kr" in income and "13 329,36" not in income
    assert rows["Pengar på bankkonton"].startswith("12 500,00 kr")
    member = doc.find("section", class_="member")
    cards = member.find_all("li", class_="item")
    payment_card = member.find(id=f"item-{payment.id}")
    assert payment_card.find(id=f"item-{tax.id}") is not None  # the tax on the payment's card
    assert len(cards) == 3
    facts = member.find("details")
    assert facts is not None and not facts.has_attr("open") and facts.find(id=f"item-{fact.id}")
    fact_text = facts.find(id=f"item-{fact.id}").get_text(" ")
    assert "Sedan" in fact_text and "Period" not in fact_text  # a start alone is "since"
    sources = [h.get_text() for h in member.find_all("h4", class_="source")]
    assert len(sources) == 3  # Försäkringskassan (money), the bank, Försäkringskassan (facts)
    assert not any(re.search(r"\d:\d\d:\d\d", text) for text in sources)
    assert not payment_card.find(class_="source")


def test_comment_without_javascript_and_it_never_alters_the_item(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    application, item = plant_item()
    form_page = client.get(f"{path}/items/{item.id}/comment")
    page_checks(form_page)
    text = "Utbetalningen upphörde i oktober. انتهت الدفعة 👍"
    response = client.post(f"{path}/items/{item.id}/comment", data={"csrf_token": csrf_from(form_page), "text": text})
    assert response.status_code == 302 and response.location.endswith(f"#item-{item.id}")
    comment = db.session.scalar(select(ItemComment))
    assert comment.text == text and comment.item_id == item.id
    db.session.expire_all()
    stored = db.session.get(InformationItem, item.id)
    assert stored.amount_ore == 512300
    assert current_app.extensions["portal.sealer"].verify(seal.fields_of(stored), stored.seal_key_id, stored.seal)
    shown = soup(client.get(f"{path}/information")).find(id=f"comment-{item.id}")
    assert text in shown.get_text()


def test_comment_inline_with_htmx_returns_the_fragment(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    _, item = plant_item()
    token = csrf_from(client.get(path))
    editor = client.get(f"{path}/items/{item.id}/comment", headers={"HX-Request": "true"})
    assert "<html" not in editor.get_data(as_text=True) and soup(editor).find("textarea")
    saved = client.post(
        f"{path}/items/{item.id}/comment",
        data={"text": "Stämmer inte"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert saved.status_code == 200
    assert "Stämmer inte" in soup(saved).find(class_="comment__text").get_text()


def test_too_long_comment_is_refused_and_kept(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    _, item = plant_item()
    page = client.get(f"{path}/items/{item.id}/comment")
    long_text = "å" * 1001
    response = client.post(f"{path}/items/{item.id}/comment", data={"csrf_token": csrf_from(page), "text": long_text})
    assert response.status_code == 400
    doc = page_checks(response)
    assert doc.find(class_="error-summary").find("a")["href"] == f"#comment-text-{item.id}"
    assert doc.find("textarea").get_text() == long_text
    assert db.session.scalar(select(ItemComment)) is None


def test_a_post_that_tries_to_change_a_fetched_value_is_rejected(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    _, item = plant_item()
    page = client.get(f"{path}/items/{item.id}/comment")
    response = client.post(
        f"{path}/items/{item.id}/comment", data={"csrf_token": csrf_from(page), "text": "ok", "amount_ore": "1"}
    )
    assert response.status_code == 400
    page_checks(response)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(f"{path}/items/{item.id}", data={"amount_ore": "1"}).status_code in (404, 405)
    db.session.expire_all()
    assert db.session.get(InformationItem, item.id).amount_ore == 512300
    assert db.session.scalar(select(ItemComment)) is None


def test_a_database_change_to_a_fetched_value_blocks_submission(login, client):
    login(SINGLE_ADULT)
    path = f"/applications/{factories.draft(SINGLE_ADULT).id}"
    _, item = plant_item()
    db.session.execute(update(InformationItem).where(InformationItem.id == item.id).values(amount_ore=999900))
    db.session.commit()
    page = client.get(path)
    response = client.post(f"{path}/submit", data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert response.status_code == 409
    doc = page_checks(response)
    assert doc.find(id="refusal-title") is not None
    db.session.expire_all()
    assert db.session.scalar(select(Application)).status == "draft"


def test_the_verifying_key_is_published(client, app):
    keys = client.get("/.well-known/seal-keys.json").json["keys"]
    assert keys[0]["kid"] == app.extensions["portal.sealer"].kid and keys[0]["alg"] == "EdDSA"


def test_the_kept_groups_and_summary_follow_what_they_show(login, client):
    """A provider's group of cards and a member's summary are kept whole (portal/information/render.py); what
    the page shows still follows the application: a failed fetch is named in the summary at once, and once the
    application is no longer a draft no card offers a comment, though the items are the same."""
    login(SINGLE_ADULT)
    application = factories.draft(SINGLE_ADULT)
    _app, item = plant_item(application=application)
    path = f"/applications/{application.id}/information"
    member = application.members[0]
    comment_link = f"/applications/{application.id}/items/{item.id}/comment"

    def shown():
        doc = page_checks(client.get(path))
        return doc.find(id=f"summary-{member.id}").get_text(" ", strip=True), doc.find(id=f"item-{item.id}")

    summary, card = shown()
    assert "Försäkringskassan" not in summary and card.find("a", href=comment_link) is not None
    db.session.add(
        FetchCall(
            application_id=application.id,
            member_id=member.id,
            consent_id=item.consent_id,
            provider="arbetsformedlingen",
            info_set="inskrivning",
            status=FetchStatus.FAILED,
            reason="timeout",
        )
    )
    db.session.commit()
    summary, card = shown()
    assert "Arbetsförmedlingen" in summary and "svarade inte i tid" in summary
    db.session.execute(update(Application).where(Application.id == application.id).values(status="submitted"))
    db.session.commit()
    summary, card = shown()
    assert card is not None and card.find("a", href=comment_link) is None


def _kept(cache: CardCache) -> Counter:
    """What the cache holds, by kind: a card's body (its key starts with the seals), the whole card ("item"),
    a provider's group of cards ("group"), a member's section of groups ("member") and a member's lines of the
    summary ("summary")."""
    return Counter(key[0] if isinstance(key[0], str) else "body" for key in cache._cards)


def test_a_card_is_rendered_once_per_item_language_and_comment(login, client, app):
    """Stored items never change, so their cards are rendered once per language (portal/information/
    render.py): the body, the whole card with the comment beside it, the provider's group of cards, the
    member's section and summary; a changed comment is another card, group and section, never the old one, and
    neither the card's body nor the summary is rendered again."""
    login(SINGLE_ADULT)
    application = factories.draft(SINGLE_ADULT)
    _app, item = plant_item(application=application)
    cache = app.extensions.setdefault("portal.card_cache", CardCache())
    path = f"/applications/{application.id}/information"
    client.get(path)
    assert _kept(cache) == {"body": 1, "item": 1, "group": 1, "member": 1, "summary": 1}
    client.get(path)
    assert _kept(cache) == {"body": 1, "item": 1, "group": 1, "member": 1, "summary": 1}
    client.set_cookie("portal_lang", "en")
    assert "Bostadsbidrag" in client.get(path).get_data(as_text=True)
    assert _kept(cache) == {"body": 2, "item": 2, "group": 2, "member": 2, "summary": 2}
    page = client.get(f"{path.rsplit('/', 1)[0]}/items/{item.id}/comment")
    for text in ("Slutade i oktober.", "Slutade i november."):
        client.post(
            f"{path.rsplit('/', 1)[0]}/items/{item.id}/comment",
            data={"csrf_token": csrf_from(page), "text": text},
        )
        assert text in soup(client.get(path)).find(id=f"item-{item.id}").get_text()
    # one card, group and section for each comment, the body and the summary the same
    assert _kept(cache) == {"body": 2, "item": 4, "group": 4, "member": 4, "summary": 2}
    client.post(f"{path.rsplit('/', 1)[0]}/items/{item.id}/comment", data={"csrf_token": csrf_from(page), "text": ""})
    assert "Slutade" not in soup(client.get(path)).find(id=f"item-{item.id}").get_text()
