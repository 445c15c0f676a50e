"""The caches behind the most read pages (issue 15, point 5) give what the uncached code gives, in every
language: formatted values keyed by locale (and time zone), translations per request and locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import render_template_string
from flask_babel import force_locale, gettext

from portal.i18n import cached, services


def test_cached_formatting_is_the_locales_own(app):
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December in Stockholm
    with app.test_request_context():
        for code in ("sv", "en", "ar", "sv"):
            with force_locale(code):
                assert cached.money(123456) == services.money(123456)
                assert cached.day(date(2026, 12, 1)) == services.day(date(2026, 12, 1))
                assert cached.day(moment) == services.day(moment)
                assert cached.moment(moment) == services.moment(moment)
                assert cached.month(date(2026, 12, 1)) == services.month(date(2026, 12, 1))
        with force_locale("sv"):
            swedish = cached.money(123456)
        with force_locale("en"):
            assert cached.money(123456) != swedish


def test_templates_translate_in_the_locale_forced_inside_a_request(app):
    with app.test_request_context():
        with force_locale("sv"):
            swedish = render_template_string('{{ _("Error:") }}')
            assert swedish == gettext("Error:") != "Error:"
            with force_locale("ar"):  # a notice in its reader's language, inside a Swedish page
                arabic = render_template_string('{{ _("Error:") }}')
                assert arabic == gettext("Error:") and arabic not in (swedish, "Error:")
            assert render_template_string('{{ _("Error:") }}') == swedish
        with force_locale("en"):
            assert render_template_string('{{ _("Error:") }}') == "Error:"


def test_a_seal_checked_once_is_known_only_for_the_same_key_signature_and_bytes(tmp_path):
    from portal.information.seal import load_or_create
    from tests.test_seal import FIELDS

    sealer = load_or_create(tmp_path / "key.pem")
    kid, signature = sealer.seal(FIELDS)
    assert sealer.verify(FIELDS, kid, signature) and sealer.verify(FIELDS, kid, signature)
    other_kid, other_signature = sealer.seal({**FIELDS, "amount_ore": 1})
    assert not sealer.verify(FIELDS, kid, other_signature)  # a known good signature, other bytes
    assert not sealer.verify({**FIELDS, "amount_ore": 345601}, kid, signature)
    stranger = load_or_create(tmp_path / "other.pem")  # another key: nothing known from the first
    assert not stranger.verify(FIELDS, kid, signature)


def test_the_banners_one_read_finds_what_the_three_reads_found(app):
    """A pending invitation, then the same mandate active (Margareta to Lars): the banner's one read gives the
    same invitations, unseen legal representatives and mandates in force as the three reads it replaces."""
    from portal.auth.models import Person
    from portal.extensions import db
    from portal.mandates import services as mandates
    from tests.test_mandates import LARS, MARGARETA, accept_as_proxy, grant, person_client

    def same_for(number):
        person = db.session.scalars(db.select(Person).where(Person.personnummer == number)).first()
        if person is None:
            return None
        db.session.expire_all()
        expected = (mandates.invitations(person.id), mandates.untold_legal(person.id), mandates.in_force_for(person.id))
        assert mandates.banner(person.id) == expected
        return expected

    grant(person_client(app, MARGARETA))
    accept_as_proxy(app)
    invited, _, acting_for = same_for(LARS)
    assert not invited and len(acting_for) == 1
    same_for(MARGARETA)


def test_an_item_verified_once_is_checked_again_when_the_document_changes(app):
    """The caseworker's view remembers verified items by the hash of the document's bytes: seen verified, then
    changed in the database, the item is shown as not verified at once."""
    import json

    from sqlalchemy import select

    from portal.extensions import db
    from portal.submission.models import FrozenDocument
    from tests.support import page_checks
    from tests.test_caseworker import case_path, caseworker, rich

    application, item, _, _ = rich()
    worker = caseworker(app, "staff-stockholm-1")
    for _ in range(2):  # the second time from what the first remembered
        doc = page_checks(worker.get(case_path(application)), "en")
        assert doc.find(id=f"item-{item.id}").find(class_="tag--received") is not None
        assert doc.find(id="seal-warning") is None
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    body = json.loads(frozen.body)
    body["fetched"][0]["amountOre"] = 9_999_900
    body["fetched"][0]["source"]["sealedFields"]["amount_ore"] = 9_999_900
    frozen.body = json.dumps(body, ensure_ascii=False)
    db.session.commit()
    doc = page_checks(worker.get(case_path(application)), "en")
    assert doc.find(id=f"item-{item.id}").find(class_="tag--failed") is not None


def test_the_received_document_is_rendered_once_and_what_changes_with_the_handling_is_live(app):
    """The caseworker's view keeps the markup of the frozen document's parts by the hash of its bytes, the
    language and the time zone: a request about an item shows at once beside the kept item, another language
    renders its own, and a changed document is rendered afresh."""
    import json

    from sqlalchemy import select

    from portal.extensions import db
    from portal.submission.models import FrozenDocument
    from tests.support import page_checks
    from tests.test_caseworker import act, case_path, caseworker, later, rich

    application, item, _, _ = rich()
    worker = caseworker(app, "staff-stockholm-1")
    for _ in range(2):  # the second time from what the first kept
        shown = page_checks(worker.get(case_path(application)), "en").find(id=f"item-{item.id}").get_text()
        assert "Amount" in shown and "Supplement requested" not in shown
    act(worker, application, "register")
    act(worker, application, "supplement", what="Lönespecifikation", why="Inkomsten", due_date=later(), item=item.id)
    shown = page_checks(worker.get(case_path(application)), "en").find(id=f"item-{item.id}").get_text()
    assert "Supplement requested about this item: Lönespecifikation" in shown
    worker.set_cookie("portal_lang", "sv")
    with app.test_request_context(), force_locale("sv"):
        amount_sv = gettext("Amount")
    shown = page_checks(worker.get(case_path(application)), "sv").find(id=f"item-{item.id}").get_text()
    assert amount_sv != "Amount" and amount_sv in shown and "Lönespecifikation" in shown
    worker.set_cookie("portal_lang", "en")
    frozen = db.session.scalar(select(FrozenDocument).where(FrozenDocument.application_id == application.id))
    body = json.loads(frozen.body)
    assert body["fetched"][0]["comments"][0]["text"] == "Bidraget upphörde i oktober."
    body["fetched"][0]["comments"][0]["text"] = "Ändrad i databasen."  # not sealed: the item still verifies
    frozen.body = json.dumps(body, ensure_ascii=False)
    db.session.commit()
    shown = page_checks(worker.get(case_path(application)), "en").find(id=f"item-{item.id}").get_text()
    assert "Ändrad i databasen." in shown and "upphörde" not in shown and "Lönespecifikation" in shown


def test_the_kept_forward_list_is_the_languages_own_and_a_choice_sent_back_stays_chosen(app):
    """The forward list (290 municipalities) is kept per language, municipality and unit: each language shows
    its own wording, and a form sent back with an error shows the destination that was chosen."""
    from tests.support import soup
    from tests.test_caseworker import DANIEL, act, case_path, caseworker, delivered

    application = delivered(DANIEL)
    worker = caseworker(app, "staff-stockholm-2")
    for lang, wording in (("en", "Municipality: Uppsala"), ("sv", None), ("en", "Municipality: Uppsala")):
        worker.set_cookie("portal_lang", lang)
        options = soup(worker.get(case_path(application))).find(id="forward-destination").find_all("option")
        uppsala = next(o for o in options if o["value"] == "municipality:0380")
        if wording is None:
            with app.test_request_context(), force_locale("sv"):
                wording = gettext("Municipality: %(name)s", name="Uppsala")
            assert wording != "Municipality: Uppsala"
        assert uppsala.get_text() == wording and options[0].has_attr("selected")
    worker.set_cookie("portal_lang", "en")
    response = act(worker, application, "forward", destination="municipality:0380", reason="")
    assert response.status_code == 400
    chosen = soup(response).find(id="forward-destination").find_all("option", selected=True)
    assert [o["value"] for o in chosen] == ["municipality:0380"]
