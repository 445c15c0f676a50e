"""Findings of the outside security test (issue 13), each with the test that would have caught it.
Anchor: OWASP ASVS 5.0 level 2."""

from __future__ import annotations

import logging

import pytest

from tests import factories
from tests.support import idp_login

ANDERS = "199006022397"
HUGE = "99999999999999999999999"


# --- 8. an integer id too large for the database is a 404, not a 500 ---------------------------

@pytest.mark.parametrize("path", [
    "costs/{n}", "costs/{n}/remove", "incomes/{n}", "incomes/{n}/remove", "assets/{n}", "assets/{n}/remove",
    "items/{n}/comment",
])
@pytest.mark.parametrize("number", [HUGE, str(2 ** 31), "9" * 5000])
def test_an_id_beyond_the_database_integer_is_not_found(app, client, caplog, path, number):
    anders = factories.person(ANDERS)
    draft = factories.draft(anders)
    idp_login(client, "/auth/login", {"subject": ANDERS})
    url = f"/applications/{draft.id}/{path.format(n=number)}"
    caplog.set_level(logging.ERROR)
    response = client.post(url) if url.endswith("/remove") else client.get(url)
    assert response.status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_consent_id_beyond_the_database_integer_is_not_found(app, client, caplog):
    factories.person(ANDERS)
    idp_login(client, "/auth/login", {"subject": ANDERS})
    caplog.set_level(logging.ERROR)
    assert client.post(f"/consents/{HUGE}/revoke").status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_every_integer_route_uses_the_bounded_converter(app):
    from werkzeug.routing.converters import NumberConverter

    from portal.web.converters import MAX_ID, BoundedInt

    numeric = [(rule.rule, converter) for rule in app.url_map.iter_rules()
               for converter in rule._converters.values() if isinstance(converter, NumberConverter)]
    assert numeric, "the portal has integer ids in its paths"
    assert all(isinstance(converter, BoundedInt) and converter.max == MAX_ID for _, converter in numeric), numeric
