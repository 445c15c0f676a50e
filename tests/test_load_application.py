"""``load_application``, the one way pages find their application (portal/application/access.py): the
caseworker's pages of every area (the case, its archive package, its calculation lines, its appeal) open
only what is in the inbox's scope, and a scoped rule with no finder fails closed."""

from __future__ import annotations

import pytest

from portal.application import access
from portal.delivery.services import run_once
from tests import factories
from tests.test_caseworker import EMMA, case_path, caseworker


def inbox_pages(application) -> list[str]:
    base = case_path(application)
    return [base, f"{base}/document.json", f"{base}/archive", f"{base}/archive.zip"]


def test_the_caseworkers_pages_of_every_area_open_only_what_is_in_the_inbox(app):
    draft = factories.draft(EMMA)
    worker = caseworker(app, "staff-stockholm-3")  # all of Stockholm: the draft's municipality
    assert {worker.get(path).status_code for path in inbox_pages(draft)} == {404}
    factories.submitted(draft)  # sent, its municipality set, not delivered yet
    assert draft.municipality_code == "0180"
    assert {worker.get(path).status_code for path in inbox_pages(draft)} == {404}
    run_once()
    assert {worker.get(path).status_code for path in inbox_pages(draft)} == {200}


def test_a_scoped_rule_without_its_finder_fails_closed(app, monkeypatch):
    application = factories.draft(EMMA)
    monkeypatch.setattr(access, "_finders", {})
    with app.test_request_context(), pytest.raises(LookupError, match="inbox"):
        access.load_application(application.id, "inbox")
