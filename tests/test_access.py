"""Every route declares who may use it; the inventory changes visibly when routes change."""

from pathlib import Path

import pytest

from portal.application.models import Application
from portal.auth.access import POLICY, authorize, requires
from portal.auth.actor import ANONYMOUS, Actor

INVENTORY = Path(__file__).parent / "route_inventory.txt"


def inventory(app) -> list[str]:
    lines = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        lines.append(f"{rule.rule} {methods} {rule.endpoint} {getattr(view, 'access_rule', 'MISSING')}")
    return lines


def test_every_route_has_an_access_rule(app):
    missing = [line for line in inventory(app) if line.endswith("MISSING")]
    assert not missing, f"routes without @requires: {missing}"


def test_route_inventory_is_current(app):
    """Update tests/route_inventory.txt when you add or remove a route (and review its rule)."""
    assert INVENTORY.read_text(encoding="utf-8").splitlines() == inventory(app)


def test_a_route_without_a_rule_is_refused(app):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert "forgotten" in [line.rsplit(" ", 2)[1] for line in inventory(app) if line.endswith("MISSING")]
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_unknown_rule_cannot_be_declared():
    with pytest.raises(ValueError):
        requires("everyone-please")


CITIZEN = Actor(kind="citizen", id="p1", name="A")
OTHER_CITIZEN = Actor(kind="citizen", id="p2", name="B")
CASEWORKER = Actor(kind="staff", id="s1", role="caseworker", municipality_code="0180")
OTHER_CASEWORKER = Actor(kind="staff", id="s2", role="caseworker", municipality_code="1480")
ADMIN = Actor(kind="staff", id="s3", role="administrator")


def application(applicant="p1", code="0180"):
    return Application(applicant_id=applicant, municipality_code=code)


@pytest.mark.parametrize("actor,subject,action,obj,allowed", [
    (ANONYMOUS, None, "public", None, True),
    (ANONYMOUS, None, "citizen", None, False),
    (ANONYMOUS, None, "authenticated", None, False),
    (CITIZEN, "p1", "citizen", None, True),
    (CITIZEN, "p1", "application", application(), True),
    (CITIZEN, "p1", "application", application(applicant="p2"), False),
    (OTHER_CITIZEN, "p2", "application", application(), False),
    (CITIZEN, "p2", "citizen", None, False),  # acting for someone else needs a mandate
    (CITIZEN, "p1", "inbox", None, False),
    (CITIZEN, "p1", "admin", None, False),
    (CASEWORKER, None, "inbox", application(), True),
    (OTHER_CASEWORKER, None, "inbox", application(), False),
    (CASEWORKER, None, "application", application(), False),
    (CASEWORKER, None, "citizen", None, False),
    (CASEWORKER, None, "admin", None, False),
    (ADMIN, None, "admin", None, True),
    (ADMIN, None, "inbox", None, False),
    (ADMIN, None, "application", application(), False),
    (CITIZEN, "p1", "no-such-action", None, False),
])
def test_authorize(actor, subject, action, obj, allowed):
    assert authorize(actor, action, subject, obj) is allowed


def test_policy_has_no_unused_rules(app):
    used = {line.rsplit(" ", 1)[1] for line in inventory(app)}
    assert used <= set(POLICY)
