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


@pytest.mark.parametrize(
    "actor,subject,action,obj,allowed",
    [
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
    ],
)
def test_authorize(actor, subject, action, obj, allowed):
    assert authorize(actor, action, subject, obj) is allowed


MARIA = Actor(kind="citizen", id="p1", name="Maria")


def proxy(*scopes, principal="p1"):
    return Actor(kind="citizen", id="px", name="Lars").acting(
        principal, "Maria", "m1", "FM-TEST-0001", frozenset(scopes)
    )


@pytest.mark.parametrize(
    "scopes,action,method,allowed",
    [
        # see applications and status: reading only
        (("view",), "citizen", "GET", True),
        (("view",), "application", "GET", True),
        (("view",), "household", "GET", True),
        (("view",), "case", "GET", True),
        (("view",), "application", "POST", False),
        (("view",), "household", "POST", False),
        (("view",), "citizen", "POST", False),
        (("view",), "consent", "POST", False),
        (("view",), "sign", "POST", False),
        (("view",), "messages", "GET", False),
        # prepare: writes to drafts, consent, fetch; not signing, not messages
        (("view", "prepare"), "application", "POST", True),
        (("view", "prepare"), "household", "POST", True),
        (("view", "prepare"), "consent", "POST", True),
        (("view", "prepare"), "citizen", "POST", True),
        (("view", "prepare"), "case", "POST", True),
        (("view", "prepare"), "sign", "POST", False),
        (("view", "prepare"), "sign", "GET", False),
        (("view", "prepare"), "messages", "POST", False),
        # submit: signing and sending only
        (("view", "submit"), "sign", "POST", True),
        (("view", "submit"), "sign", "GET", True),
        (("view", "submit"), "application", "POST", False),
        # messages: read and send
        (("view", "messages"), "messages", "GET", True),
        (("view", "messages"), "messages", "POST", True),
        (("view", "messages"), "case", "POST", False),
        # never through a proxy, whatever the scope
        (("view", "prepare", "submit", "messages"), "own", "GET", False),
        (("view", "prepare", "submit", "messages"), "own", "POST", False),
        # not bound to the subject: the proxy is a citizen like any other
        (("view",), "person", "POST", True),
        (("view",), "authenticated", "POST", True),
        (("view", "prepare", "submit", "messages"), "inbox", "GET", False),
        (("view", "prepare", "submit", "messages"), "admin", "GET", False),
    ],
)
def test_proxy_scope_decides_by_rule_and_method(scopes, action, method, allowed):
    assert authorize(proxy(*scopes), action, "p1", None, method=method) is allowed


def test_proxy_acts_only_for_the_principal_of_the_mandate():
    lars = proxy("view", "prepare", "submit", "messages")
    assert authorize(lars, "application", "p1", application("p1"), method="GET")
    assert not authorize(lars, "application", "p2", application("p2"), method="GET")
    assert not authorize(lars, "application", "p1", application("p2"), method="GET")
    assert not authorize(lars, "citizen", "p3", None, method="GET")


def test_the_citizen_for_themselves_is_not_limited_by_scopes():
    for action in ("citizen", "application", "household", "consent", "case", "messages", "sign", "own"):
        assert authorize(MARIA, action, "p1", None, method="POST"), action


def test_own_is_the_citizen_for_themselves_only():
    assert authorize(MARIA, "own", "p1", method="POST")
    assert not authorize(MARIA, "own", "p2", method="GET")
    assert not authorize(proxy("view"), "own", "p1", method="GET")
    assert not authorize(CASEWORKER, "own", None, method="GET")
    assert not authorize(ANONYMOUS, "own", None, method="GET")


def test_proxy_scope_rules_are_all_in_the_policy():
    from portal.auth.access import PROXY_SCOPE

    assert set(PROXY_SCOPE) <= set(POLICY)


def test_the_session_never_carries_what_a_proxy_may_do():
    lars = proxy("view", "prepare")
    stored = lars.to_session()
    assert "scopes" not in stored and "acting_for" not in stored and "mandate_id" not in stored
    again = Actor.from_session({**stored, "acting_for": "p1", "scopes": ["submit"]})
    assert again.acting_for is None and not again.scopes and not again.is_proxy


def test_policy_has_no_unused_rules(app):
    used = {line.rsplit(" ", 1)[1] for line in inventory(app)}
    assert used <= set(POLICY)
