"""The authorisation matrix: every route × every role, allowed or denied as intended.

Expectations are stated by access rule (``EXPECT``), so a route another area adds with an
existing rule is covered at once; a route with a rule the matrix does not know fails.

Two layers, each request through the whole stack (session, acting-for resolution, CSRF off):
- the rule layer, for every route and method: a probe hook after the access check answers
  299 instead of running the view, so it shows what the rule alone decides, with no side
  effects;
- the object layer, for routes whose parameters name real objects (the principal's draft and
  sent applications, their entries, item, attachment, consent; a sent application in the
  caseworker's municipality): the view runs. GET for every role; POST only for roles that
  must be denied (a denial must change nothing), so allowed writes never disturb the world.

Built once per module; runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import request
from sqlalchemy import select

from devstack import STAFF_FILE
from portal import clock, create_app
from portal.config import Config
from portal.extensions import db as _db
from tests import factories
from tests.conftest import PORTAL_BASE, IsolatedClient
from tests.support import sv

GET, POST = "GET", "POST"
PROBE = "X-Matrix-Probe"
PROBED = 299

# --- who ------------------------------------------------------------------------------------

ALL_SCOPES = {"view", "prepare", "submit", "messages"}
PROXIES = {  # role -> the scopes of the mandate in force it acts under (for the applicant)
    "proxy_view": {"view"},
    "proxy_prepare": {"view", "prepare"},
    "proxy_submit": {"view", "submit"},
    "proxy_messages": {"view", "messages"},
    "legal_representative": ALL_SCOPES,  # a förvaltare registered from a decision
}
LOST = ("proxy_expired", "proxy_revoked")  # acting for the applicant, but the mandate is gone
# A förvaltare registered by one administrator (sealed as such) but not approved by a second one:
# waiting for approval, or "approved" by the administrator who registered it. Neither may do anything.
UNAPPROVED = ("legal_awaiting", "legal_self_approved")
LOST = (*LOST, *UNAPPROVED)
# Acting for themselves: the applicant, the co-applicant (Johan, who co-signs), and an adult child of
# the household (Elin, 23), who consents for herself but is neither applicant nor co-signer.
SELF = ("applicant", "co_applicant", "household_member")
CITIZENS = (*SELF, *PROXIES, *LOST)
ROLES = ("anonymous", *CITIZENS, "caseworker_in", "caseworker_out", "administrator", "api_client")

# --- what each rule allows ------------------------------------------------------------------
# For the rules bound to the subject: the scope a proxy needs (to read, to change); None: never
# through a proxy. Stated here independently of portal.auth.access.PROXY_SCOPE.
SUBJECT_RULES = {
    "citizen": ("view", "prepare"),
    "application": ("view", "prepare"),
    "household": ("view", "prepare"),
    "consent": ("prepare", "prepare"),
    "case": ("view", "prepare"),
    "messages": ("messages", "messages"),
    "sign": ("submit", "submit"),
    "appeal": ("view", "submit"),  # appealing a decision: signed and sent like the application
    "own": (None, None),
    "joint": ("view", "prepare"),  # the applicant's attachments: the applicant and the co-signer
}


def _subject_rule(rule):
    def allows(role, method):
        if role in SELF:
            return True
        if role in PROXIES:
            needed = SUBJECT_RULES[rule][0 if method == GET else 1]
            return needed is not None and needed in PROXIES[role]
        return False  # lost mandates are refused at the next click; staff, systems, anonymous

    return allows


EXPECT = {
    "public": lambda role, method: True,
    "authenticated": lambda role, method: role not in ("anonymous", "api_client"),
    "person": lambda role, method: role in CITIZENS,
    "admin": lambda role, method: role == "administrator",
    "inbox": lambda role, method: role in ("caseworker_in", "caseworker_out"),  # unit: object layer
    "api": lambda role, method: role == "api_client",
    **{rule: _subject_rule(rule) for rule in SUBJECT_RULES},
}

# Routes open to no role of the portal: ``/metrics`` answers only the operator's bearer token
# (PORTAL_METRICS_TOKEN; tests/test_ops.py), and is a 404 for everyone here, the API client included.
OPERATOR_ONLY = {"ops.metrics"}

# Object layer: what the objects add to the rule.
CO_APPLICANT_OBJECT_RULES = {"application", "consent", "sign", "case", "messages", "appeal"}  # the applicant's own
CO_APPLICANT_MAY = {"submission.cosign"}  # a co-applicant signs the joint application
# A household member who is not a co-applicant: the household's pages about themselves (consent, fetch,
# their own information), nothing of the applicant's own, nor the joint application's attachments, nor the
# indication computed from the whole household's incomes.
MEMBER_OBJECT_RULES = CO_APPLICANT_OBJECT_RULES | {"joint"}
MEMBER_MAY_NOT = {"indication.show", "submission.receipt_pdf"}
# Johan has not consented in Maria's new draft yet: until he does, he too sees only what concerns him.
CO_APPLICANT_BEFORE_CONSENT_MAY_NOT = {"indication.show"}


def object_expectation(rule, role, method, endpoint, params) -> bool:
    allowed = EXPECT[rule](role, method)
    if not allowed or "application_id" not in params:
        return allowed
    if role == "caseworker_out":
        return False
    if role == "co_applicant" and rule in CO_APPLICANT_OBJECT_RULES and endpoint not in CO_APPLICANT_MAY:
        return False
    if role == "household_member" and (rule in MEMBER_OBJECT_RULES or endpoint in MEMBER_MAY_NOT):
        return False
    return not (role == "co_applicant" and endpoint in CO_APPLICANT_BEFORE_CONSENT_MAY_NOT)


# --- the world ------------------------------------------------------------------------------

MARIA, JOHAN, ANDERS, ELIN = "196108283166", "196201082697", "199006022397", "200304302383"
OTHERS = {  # proxies: numbers of Skatteverket's test series without a cast file (the IdP names them Test Testperson)
    "proxy_view": "195711212893",
    "proxy_prepare": "196108193175",
    "proxy_submit": "196109072972",
    "proxy_messages": "200001022391",
    "legal_representative": "200001032382",
    "proxy_expired": "194201199124",
    "proxy_revoked": "199007282388",
    "legal_awaiting": "198001012387",
    "legal_self_approved": "197503152386",
}


@pytest.fixture(scope="module")
def world(databases, live_services, tmp_path_factory):
    url = databases.fresh()
    config = Config(
        base_url=PORTAL_BASE,
        staff_directory=STAFF_FILE,
        database_url=url,
        idp_url=live_services["idp_url"],
        fetch_in_background=False,
        sandbox_url=live_services["sandbox_url"],
        instance_path=tmp_path_factory.mktemp("matrix") / "instance",
    )
    app = create_app(config)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    app.test_client_class = IsolatedClient

    def probe():
        if request.headers.get(PROBE):
            return "past the access check", PROBED
        return None

    app.before_request_funcs.setdefault(None, []).append(probe)  # runs after load_actor, enforce_access
    with app.app_context():
        built = _build(app)
        yield built
        _db.session.remove()
        _db.engine.dispose()
    databases.drop(url)


def _build(app) -> dict:
    """Maria's joint application (co-signed by Johan) and Anders's, sent and delivered; Maria's draft for the
    next month, applying again from hers, with an item, entries and a file; Maria's proxies and their
    mandates. Built with tests/factories.py: every person as their login makes them known."""
    from portal.consent.models import Consent
    from portal.information.models import InformationItem
    from portal.mandates import services as mandate_services
    from portal.mandates.models import Mandate
    from portal.mandates.states import MandateStatus
    from portal.supplements import services as supplements
    from tests.test_attachments_domain import make_pdf

    maria, johan, anders = factories.person(MARIA), factories.person(JOHAN), factories.person(ANDERS)
    people = {"applicant": maria, "co_applicant": johan}
    for role, number in OTHERS.items():
        people[role] = factories.person(number)

    sent = factories.submitted(factories.draft(maria))  # Maria signs, then Johan
    draft = factories.next_month(sent)  # applying again, for the month after the sent one
    next_month = draft.period
    johan = factories.person(JOHAN)  # his next login: he is linked to Maria's new draft
    assert draft.municipality_code == "1480" and any(m.person_id == johan.id for m in draft.members)
    elin = people["household_member"] = factories.person(ELIN)  # the adult daughter logs in: a member too
    assert any(m.person_id == elin.id for m in draft.members)
    assert not any(m.person_id == elin.id for m in draft.co_applicants())
    anders_sent = factories.submitted(factories.draft(anders))
    factories.delivered(sent, anders_sent)

    consent = _db.session.scalar(select(Consent).where(Consent.application_id == draft.id))
    sealer = app.extensions["portal.sealer"]
    member = draft.members[0]
    item = InformationItem(
        application_id=draft.id,
        member_id=member.id,
        consent_id=consent.id,
        provider="skatteverket",
        info_set="folkbokforing",
        kind="matrix",
        theme="other",
        details={},
        fetched_at=clock.now(),
        seal="",
        seal_key_id="",
    )
    _db.session.add(item)
    _db.session.flush()
    from portal.information.seal import fields_of

    item.seal_key_id, item.seal = sealer.seal(fields_of(item))
    _db.session.commit()
    entries = {
        kind: supplements.add(draft, kinds, values).id
        for kind, kinds, values in (
            (
                "income",
                "incomes",
                {"kind": "salary", "amount_ore": 100_00, "month": next_month, "member_id": member.id},
            ),
            ("cost", "costs", {"category": "rent", "amount_ore": 5000_00, "month": next_month}),
            ("asset", "assets", {"kind": "car", "value_ore": 1000_00}),
        )
    }
    attachment = factories.attached(draft, make_pdf(), "rent.pdf")

    now = clock.now()
    mandates = {}
    others = {"proxy_expired": ALL_SCOPES, "proxy_revoked": ALL_SCOPES, **dict.fromkeys(UNAPPROVED, ALL_SCOPES)}
    approver = {"legal_representative": "staff-admin-2", "legal_self_approved": "staff-admin-1"}
    for role, scopes in {**PROXIES, **others}.items():
        legal = role.startswith("legal")
        kind = "forvaltare" if legal else "fullmakt"
        mandate = Mandate(
            reference=f"{'FV' if legal else 'FM'}-MTRX-{len(mandates):04d}",
            kind=kind,
            principal_personnummer=MARIA,
            principal_id=maria.id,
            principal_name="Maria Lindqvist",
            proxy_personnummer=people[role].personnummer,
            proxy_id=people[role].id,
            scopes=",".join(sorted(scopes)),
            valid_from=now - timedelta(days=30),
            valid_until=now - timedelta(seconds=1) if role == "proxy_expired" else now + timedelta(days=30),
            status=MandateStatus.REVOKED
            if role == "proxy_revoked"
            else MandateStatus.AWAITING_APPROVAL
            if role == "legal_awaiting"
            else MandateStatus.ACTIVE,
        )
        if legal:  # registered by one administrator; approved by another only for the legal representative
            mandate.registered_by, mandate.registered_stepup_at = "staff-admin-1", now
            if role in approver:
                mandate.approved_by, mandate.approved_at, mandate.approved_stepup_at = approver[role], now, now
        _db.session.add(mandate)
        _db.session.flush()
        mandate_services.seal(mandate)  # as every mandate is made: an unsealed one acts in no mode
        mandates[role] = mandate.id
    _db.session.commit()

    client = app.test_client()
    token = client.post(
        "/api/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "uppsala-system",
            "client_secret": "uppsala-demo-secret",
        },
    )
    assert token.status_code == 200, token.data
    return {
        "app": app,
        "people": people,
        "mandates": mandates,
        "draft": draft.id,
        "sent": sent.id,
        "anders_sent": anders_sent.id,
        "entries": entries,
        "item": item.id,
        "attachment": attachment.id,
        "consent": consent.id,
        "token": token.json["access_token"],
    }


STAFF = {
    "caseworker_in": ("staff-uppsala-1", "0380", None),
    "caseworker_out": ("staff-goteborg-1", "1480", None),
    "administrator": ("staff-admin-1", None, None),
}


def session_for(world, role) -> dict:
    import time

    now = int(time.time())
    base = {"login_at": now, "last_seen": now, "_permanent": True}
    if role in CITIZENS:
        person = world["people"][role]
        data = {**base, "actor": {"kind": "citizen", "id": person.id, "name": person.display_name}}
        if role in world["mandates"]:
            data["acting_for"] = {"mandate_id": world["mandates"][role], "name": "Maria Lindqvist"}
        return data
    if role in STAFF:
        sub, code, unit = STAFF[role]
        kind_role = "administrator" if role == "administrator" else "caseworker"
        return {
            **base,
            "actor": {
                "kind": "staff",
                "id": sub,
                "name": sub,
                "role": kind_role,
                "municipality_code": code,
                "unit": unit,
            },
        }
    return {}


# --- the routes -----------------------------------------------------------------------------


def routes(app):
    """(rule text, endpoint, method, access rule, parameter names) for every route and method."""
    found = []
    for url_rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if url_rule.endpoint == "static":
            continue
        access = getattr(app.view_functions[url_rule.endpoint], "access_rule", None)
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            found.append((url_rule, method, access))
    return found


# Pages about a sent application although their rule is a draft's (the receipt, applying again).
SENT_ENDPOINTS = {"submission.receipt_pdf", "nextmonth.start"}


def application_for(world, rule, endpoint) -> str:
    if rule in ("inbox", "api"):
        return world["anders_sent"]
    if rule in ("case", "messages") or endpoint in SENT_ENDPOINTS:
        return world["sent"]
    return world["draft"]


def real_params(world, url_rule, rule) -> dict | None:
    """Values naming real objects for every parameter, or None when the matrix has none."""
    values = {}
    for name in url_rule.arguments:
        if name == "application_id":
            values[name] = application_for(world, rule, url_rule.endpoint)
        elif name == "entry_id":
            kind = next((k for k in world["entries"] if k in url_rule.endpoint), None)
            if kind is None:
                return None
            values[name] = world["entries"][kind]
        elif name == "item_id":
            values[name] = world["item"]
        elif name == "attachment_id" and url_rule.endpoint.startswith("attachments."):
            values[name] = world["attachment"]
        elif name == "consent_id":
            values[name] = world["consent"]
        elif name == "mandate_id":  # the administrators' pages are about legal representatives
            admin_page = url_rule.endpoint.startswith("mandates.admin")
            values[name] = world["mandates"]["legal_awaiting" if admin_page else "proxy_view"]
        elif name in url_rule._converters and hasattr(url_rule._converters[name], "items"):
            values[name] = sorted(url_rule._converters[name].items)[0]  # any(json, pdf)
        else:
            return None
    return values


def any_params(world, url_rule, rule) -> dict:
    """For the rule layer (the view never runs): real values where known, placeholders elsewhere."""
    values = real_params(world, url_rule, rule) or {}
    for name in url_rule.arguments:
        if name not in values:
            converter = url_rule._converters.get(name)
            if hasattr(converter, "items"):
                values[name] = sorted(converter.items)[0]
            elif type(converter).__name__ in ("IntegerConverter", "NumberConverter"):
                values[name] = 1
            else:
                values[name] = "matrix-placeholder"
    return values


def build(app, url_rule, values, method) -> str:
    return app.url_map.bind("localhost").build(url_rule.endpoint, values, method=method)


def denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and bool(re.search(r"/auth/(staff/)?login", location))


def refused_by_rule(response) -> bool:
    """Denied before the view ran: forbidden, unauthenticated, or sent to log in (never 404)."""
    return response.status_code != 404 and denied(response)


class Sender:
    """One client per role, its session set once (again before each request for a role whose
    session the request changes: a lost mandate switches back to oneself)."""

    def __init__(self, world):
        self.world = world
        self.clients = {}

    def __call__(self, role, method, path, probe=False):
        client = self.clients.get(role)
        if client is None or role in LOST:
            client = self.clients[role] = self.world["app"].test_client()
            data = session_for(self.world, role)
            if data:
                with client.session_transaction() as session:
                    session.update(data)
        headers = {PROBE: "1"} if probe else {}
        if role == "api_client":
            headers["Authorization"] = f"Bearer {self.world['token']}"
        return client.open(path, method=method, headers=headers, data={} if method == POST else None)


def send(world, role, method, path, probe=False):
    return Sender(world)(role, method, path, probe)


# --- the tests ------------------------------------------------------------------------------


def test_every_rule_in_use_has_an_expectation(world):
    unknown = sorted({f"{r.rule} {m} {access}" for r, m, access in routes(world["app"]) if access not in EXPECT})
    assert not unknown, f"routes whose rule the matrix does not know (add it to EXPECT): {unknown}"


def test_the_matrix_knows_every_mandate_scope():
    from portal.mandates.models import SCOPES

    assert set(SCOPES) == ALL_SCOPES
    assert set(PROXIES) | set(LOST) == set(OTHERS)


def test_matrix(world):
    """Every route, method and role. Where the parameters name real objects the view runs
    (reads for everyone; writes only for roles that must be denied, as a denial must change
    nothing), and a denial by rule must come before the view (403, 401 or the login, never
    404). Elsewhere the probe shows what the rule alone decides."""
    send_as = Sender(world)
    wrong, full, probed = [], 0, 0
    for url_rule, method, access in routes(world["app"]):
        if access not in EXPECT:
            continue  # reported by test_every_rule_in_use_has_an_expectation
        values = real_params(world, url_rule, access)
        if url_rule.endpoint in OPERATOR_ONLY:
            for role in ROLES:
                response = send_as(role, method, build(world["app"], url_rule, values or {}, method))
                if response.status_code != 404:
                    wrong.append(f"{role} {method} {url_rule.rule} (operator only): got {response.status_code}")
            continue
        for role in ROLES:
            by_rule = EXPECT[access](role, method)
            by_object = object_expectation(access, role, method, url_rule.endpoint, values or {})
            if values is not None and (method == GET or not by_object):
                path = build(world["app"], url_rule, values, method)
                response = send_as(role, method, path)
                full += 1
                if by_object:
                    ok = not denied(response)
                elif not by_rule:
                    ok = refused_by_rule(response)
                else:
                    ok = denied(response)
                expected = "allowed" if by_object else ("refused by rule" if not by_rule else "denied")
            else:
                path = build(world["app"], url_rule, any_params(world, url_rule, access), method)
                response = send_as(role, method, path, probe=True)
                probed += 1
                reached = response.status_code == PROBED
                ok = reached == by_rule and (reached or refused_by_rule(response))
                expected = "allowed" if by_rule else "refused by rule"
            if not ok:
                wrong.append(f"{role} {method} {path} ({access}): got {response.status_code}, expected {expected}")
    assert full > 300 and probed > 300, (full, probed)
    assert not wrong, "\n".join(wrong)


def test_a_lost_mandate_is_refused_with_its_reason_and_switches_back(world):
    draft = f"/applications/{world['draft']}"
    lost = {
        "expired": "You can no longer act for %(name)s: the mandate has expired. Nothing was done.",
        "revoked": "You can no longer act for %(name)s: they have revoked the mandate. Nothing was done.",
    }
    for role, reason in (("proxy_expired", "expired"), ("proxy_revoked", "revoked")):
        client = world["app"].test_client()
        with client.session_transaction() as session:
            session.update(session_for(world, role))
        response = client.get(draft)
        assert response.status_code == 403
        assert sv(lost[reason], name="").split(":")[1].strip() in response.get_data(as_text=True)
        with client.session_transaction() as session:
            assert "acting_for" not in session
        assert client.get(draft).status_code == 404  # now as themselves: not their application


def test_a_legal_representative_needs_a_second_administrator_s_approval(world):
    """A förvaltare waiting for approval, or approved by the administrator who registered them, can do
    nothing for the principal and is not offered her among those they may act for."""
    draft = f"/applications/{world['draft']}"
    for role in UNAPPROVED:
        client = world["app"].test_client()
        with client.session_transaction() as session:
            session.update(session_for(world, role))
        assert client.get(draft).status_code == 403, role
        with client.session_transaction() as session:
            assert "acting_for" not in session
        choose = client.get("/act-for").get_data(as_text=True)
        assert world["mandates"][role] not in choose, role
    # the control: the förvaltare a second administrator approved works
    assert send(world, "legal_representative", GET, draft).status_code == 200


def test_a_protected_principal_s_address_is_never_shown_to_a_proxy(world):
    """Lina Berg has protected identity: a proxy acting for her sees her application, never her
    address (the portal keeps none), while Maria's proxies do see Maria's."""
    import json

    from portal.application.models import Application
    from portal.config import REPO_ROOT
    from portal.mandates import services as mandate_services
    from portal.mandates.models import Mandate
    from portal.mandates.states import MandateStatus

    record = json.loads((REPO_ROOT / "devstack/testdata/persons/protected-identity.json").read_text())
    address = record["providers"]["skatteverket"]["folkbokforing"]["Folkbokforingsadress"]
    street, postal_code = address["Utdelningsadress1"] or address["Utdelningsadress2"], address["PostNr"]
    lina = factories.person("199001252387")
    protected = factories.draft(lina)
    assert protected.protected and protected.street is None
    proxy = world["people"]["proxy_view"]
    now = clock.now()
    mandate = Mandate(
        reference="FM-MTRX-LINA",
        kind="fullmakt",
        principal_personnummer=lina.personnummer,
        principal_id=lina.id,
        proxy_personnummer=proxy.personnummer,
        proxy_id=proxy.id,
        scopes="view",
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
        status=MandateStatus.ACTIVE,
    )
    _db.session.add(mandate)
    _db.session.flush()
    mandate_services.seal(mandate)
    _db.session.commit()
    client = world["app"].test_client()
    with client.session_transaction() as session:
        session.update(session_for(world, "proxy_view"))
        session["acting_for"] = {"mandate_id": mandate.id, "name": "Lina Berg"}
    shown = []
    for path in ("", "/check", "/information", "/fetch", "/consent"):
        response = client.get(f"/applications/{protected.id}{path}")
        assert response.status_code in (200, 302), (path, response.status_code)
        shown.append(response.get_data(as_text=True))
    assert "Lina Berg" in shown[0]
    assert not any(street in page or postal_code in page for page in shown)
    # the control: Maria's proxy is shown her registered address
    maria_draft = _db.session.get(Application, world["draft"])
    page = send(world, "proxy_view", GET, f"/applications/{world['draft']}").get_data(as_text=True)
    assert maria_draft.street and maria_draft.street in page
