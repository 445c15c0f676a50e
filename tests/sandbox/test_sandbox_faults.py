"""Fault injection: every kind, scoping by provider and person, intermittent counting, the
control endpoint, the env var, and thread safety."""

from __future__ import annotations

import json
import threading
import time

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.faults import FaultBook, FaultRuleError, apply_drift, parse_rules

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERSONSOK = "/skatteverket/folkbokforing/v1/personsok"
ANDERS = "199006022397"  # single-adult
EMMA = "199107172380"  # stockholm-sodermalm
OUTSIDE_CAST = "190001042399"


def make_client(*rules, **kwargs):
    app = create_sandbox_app(api_token=TOKEN, faults={"rules": list(rules)}, **kwargs)
    return app.test_client()


def lookup(client, number=ANDERS):
    return client.post(PERSONSOK, json={"Identitetsbeteckning": number}, headers=AUTH)


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


# -- each kind --------------------------------------------------------------------------------


def test_latency_delays_a_normal_answer():
    client = make_client({"person": "single-adult", "kind": "latency", "ms": 150})
    response, elapsed = timed(lambda: lookup(client))
    assert response.status_code == 200 and response.json["Identitetsbeteckning"] == ANDERS
    assert elapsed >= 0.15


def test_latencies_add_up():
    client = make_client({"kind": "latency", "ms": 60}, {"kind": "latency", "ms": 60})
    _, elapsed = timed(lambda: lookup(client))
    assert elapsed >= 0.12


def test_timeout_holds_then_answers_504():
    client = make_client({"person": "single-adult", "kind": "timeout", "seconds": 0.2})
    response, elapsed = timed(lambda: lookup(client))
    assert elapsed >= 0.2
    assert response.status_code == 504
    assert response.json["Felkod"] == "TIDSGRANS_OVERSKRIDEN"


def test_timeout_default_seconds_comes_from_state():
    app = create_sandbox_app(api_token=TOKEN, faults={"rules": [{"kind": "timeout"}]})
    app.extensions["sandbox"].timeout_seconds = 0.1
    response, elapsed = timed(lambda: lookup(app.test_client()))
    assert response.status_code == 504 and elapsed >= 0.1


@pytest.mark.parametrize(
    "status, code",
    [(500, "TEKNISKT_FEL"), (503, "TJANSTEN_EJ_TILLGANGLIG"), (429, "FOR_MANGA_ANROP"), (502, "BAD_GATEWAY")],
)
def test_status_answers_in_the_providers_error_format(status, code):
    client = make_client({"provider": "skatteverket", "kind": "status", "status": status})
    response = lookup(client)
    assert response.status_code == status
    assert response.json["Felkod"] == code


def test_status_with_retry_after_and_custom_body():
    client = make_client({"kind": "status", "status": 429, "retry_after": 7, "body": {"message": "slow down"}})
    response = lookup(client)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json == {"message": "slow down"}


def test_malformed_answers_invalid_json():
    client = make_client({"person": "single-adult", "kind": "malformed"})
    response = lookup(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    with pytest.raises(ValueError):
        json.loads(response.get_data(as_text=True))
    assert response.get_data(as_text=True).startswith('{"Identitetsbeteckning"')


def test_malformed_with_custom_body_and_status():
    client = make_client(
        {"kind": "malformed", "status": 502, "content_type": "text/html", "body": "<html>Bad Gateway</html>"}
    )
    response = lookup(client, OUTSIDE_CAST)
    assert response.status_code == 502
    assert response.mimetype == "text/html"
    assert response.get_data(as_text=True) == "<html>Bad Gateway</html>"


def test_malformed_for_a_number_outside_the_cast():
    client = make_client({"kind": "malformed"})
    with pytest.raises(ValueError):
        json.loads(lookup(client, OUTSIDE_CAST).get_data(as_text=True))


def test_schema_drift_default_renames_folkbokforing():
    client = make_client({"person": "single-adult", "kind": "schema_drift"})
    record = lookup(client).json
    assert "Folkbokforing" not in record
    assert record["FolkbokforingUppgifter"]["KommunKod"] == "80"


def test_schema_drift_rename_remove_replace_by_path():
    client = make_client(
        {
            "person": "couple-with-children",
            "kind": "schema_drift",
            "rename": {"Namn.Fornamn": "Tilltalsnamn", "Hushall.Relation": "Typ"},
            "remove": ["Folkbokforingsadress.PostNr", "Civilstand"],
            "replace": {"Fodelsedatum": "1961-08-28", "Sekretessmarkering": None},
        }
    )
    record = lookup(client, "196108283166").json
    assert record["Namn"]["Tilltalsnamn"] == "Maria" and "Fornamn" not in record["Namn"]
    assert all("Typ" in m and "Relation" not in m for m in record["Hushall"])
    assert "PostNr" not in record["Folkbokforingsadress"] and "Civilstand" not in record
    assert record["Fodelsedatum"] == "1961-08-28" and record["Sekretessmarkering"] is None


def test_schema_drift_does_not_touch_the_fixture():
    client = make_client({"kind": "schema_drift", "remove": ["Namn"], "first": 1})
    assert "Namn" not in lookup(client).json
    assert lookup(client).json["Namn"]["Fornamn"] == "Anders"


def test_schema_drift_leaves_404_alone():
    client = make_client({"kind": "schema_drift"})
    assert lookup(client, OUTSIDE_CAST).json["Felkod"] == "PERSON_SAKNAS"


def test_apply_drift_missing_paths_are_ignored():
    payload = {"a": {"b": 1}, "l": [{"x": 1}, {"y": 2}]}
    apply_drift(payload, {"rename": {"a.zz": "q", "l.x": "X"}, "remove": ["nope.b"]})
    assert payload == {"a": {"b": 1}, "l": [{"X": 1}, {"y": 2}]}


# -- scoping ----------------------------------------------------------------------------------


def test_fault_is_scoped_to_the_person():
    client = make_client({"provider": "skatteverket", "person": "single-adult", "kind": "status", "status": 503})
    assert lookup(client, ANDERS).status_code == 503
    assert lookup(client, EMMA).status_code == 200
    assert lookup(client, OUTSIDE_CAST).status_code == 404


def test_star_person_matches_everyone_including_numbers_outside_the_cast():
    client = make_client({"person": "*", "kind": "status", "status": 500})
    for number in (ANDERS, EMMA, OUTSIDE_CAST):
        assert lookup(client, number).status_code == 500


def test_fault_is_scoped_to_the_provider():
    book = FaultBook(
        parse_rules(
            {
                "rules": [
                    {"provider": "skatteverket", "person": "single-adult", "kind": "status", "status": 503},
                ]
            }
        )
    )
    assert book.plan("skatteverket", "folkbokforing", "single-adult").terminal is not None
    assert book.plan("csn", "studiemedel", "single-adult").terminal is None
    assert book.plan("skatteverket", "folkbokforing", "pensioner").terminal is None


def test_fault_is_scoped_to_the_information_set():
    book = FaultBook(parse_rules([{"set": "inkomst", "kind": "status", "status": 500}]))
    assert book.plan("skatteverket", "folkbokforing", "single-adult").terminal is None
    assert book.plan("skatteverket", "inkomst", "single-adult").terminal is not None


def test_other_provider_rule_does_not_touch_skatteverket():
    client = make_client()
    # The registry only knows skatteverket today, so build the rule without validation.
    client.application.extensions["sandbox"].faults.replace(
        parse_rules([{"provider": "csn", "kind": "status", "status": 500}])
    )
    assert lookup(client).status_code == 200


def test_first_terminal_rule_wins_and_drift_is_skipped():
    client = make_client(
        {"id": "drift", "kind": "schema_drift"},
        {"id": "down", "kind": "status", "status": 503},
        {"id": "broken", "kind": "status", "status": 500},
        {"id": "late-drift", "kind": "schema_drift"},
    )
    assert lookup(client).status_code == 503
    rules = {r["id"]: r for r in client.get("/_control/faults", headers=AUTH).json["rules"]}
    assert rules["down"]["fired"] == 1
    assert rules["broken"]["fired"] == 0 and rules["broken"]["calls"] == 1
    assert rules["drift"]["fired"] == 0 and rules["late-drift"]["fired"] == 0


# -- intermittent -----------------------------------------------------------------------------


def test_fail_first_n_then_succeed():
    client = make_client({"person": "single-adult", "kind": "status", "status": 503, "first": 2})
    assert [lookup(client).status_code for _ in range(4)] == [503, 503, 200, 200]


def test_every_nth_call_fails():
    client = make_client({"kind": "status", "status": 500, "every": 3})
    assert [lookup(client).status_code for _ in range(6)] == [200, 200, 500, 200, 200, 500]


def test_after_n_calls_it_breaks():
    client = make_client({"kind": "status", "status": 503, "after": 2})
    assert [lookup(client).status_code for _ in range(4)] == [200, 200, 503, 503]


def test_intermittent_counts_per_person():
    client = make_client({"person": "*", "kind": "status", "status": 503, "first": 1})
    assert lookup(client, ANDERS).status_code == 503
    assert lookup(client, EMMA).status_code == 503
    assert lookup(client, ANDERS).status_code == 200
    assert lookup(client, EMMA).status_code == 200


def test_intermittent_counts_only_calls_in_scope():
    client = make_client({"person": "single-adult", "kind": "status", "status": 503, "every": 2})
    lookup(client, EMMA)
    lookup(client, EMMA)
    assert lookup(client, ANDERS).status_code == 200
    assert lookup(client, ANDERS).status_code == 503


def test_intermittent_counting_is_thread_safe():
    book = FaultBook(parse_rules([{"kind": "status", "status": 503, "first": 50}]))
    fired = []
    lock = threading.Lock()

    def worker():
        for _ in range(100):
            plan = book.plan("skatteverket", "folkbokforing", "single-adult")
            with lock:
                fired.append(plan.terminal is not None)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 50
    assert book.snapshot()["rules"][0]["calls"] == 800


# -- control endpoint -------------------------------------------------------------------------


def test_control_set_read_clear():
    client = make_client()
    assert client.get("/_control/faults", headers=AUTH).json == {"rules": []}
    rules = {
        "rules": [
            {
                "id": "down",
                "provider": "skatteverket",
                "person": "single-adult",
                "kind": "status",
                "status": 503,
                "first": 1,
            }
        ]
    }
    response = client.post("/_control/faults", json=rules, headers=AUTH)
    assert response.status_code == 200
    assert response.json["rules"][0] == {
        "id": "down",
        "provider": "skatteverket",
        "set": "*",
        "person": "single-adult",
        "kind": "status",
        "status": 503,
        "first": 1,
        "calls": 0,
        "fired": 0,
    }
    assert lookup(client).status_code == 503
    assert lookup(client).status_code == 200
    read = client.get("/_control/faults", headers=AUTH).json["rules"][0]
    assert (read["calls"], read["fired"]) == (2, 1)
    assert client.delete("/_control/faults", headers=AUTH).json == {"rules": []}
    assert client.get("/_control/faults", headers=AUTH).json == {"rules": []}


def test_control_post_replaces_and_restarts_counters():
    client = make_client({"kind": "status", "status": 503, "first": 1})
    assert lookup(client).status_code == 503
    assert lookup(client).status_code == 200
    client.post("/_control/faults", json={"rules": [{"kind": "status", "status": 503, "first": 1}]}, headers=AUTH)
    assert lookup(client).status_code == 503


def test_control_requires_token():
    client = make_client()
    assert client.post("/_control/faults", json={"rules": []}).status_code == 401
    assert client.delete("/_control/faults").status_code == 401


@pytest.mark.parametrize(
    "body, problem",
    [
        ({"rules": [{"kind": "explode"}]}, "kind must be one of"),
        ({"rules": [{"kind": "latency"}]}, "missing ms"),
        ({"rules": [{"kind": "status", "status": 503, "person": "199006022397"}]}, "unknown person"),
        ({"rules": [{"kind": "status", "status": 503, "person": "no-such-slug"}]}, "unknown person"),
        ({"rules": [{"kind": "status", "status": 503, "provider": "skateverket"}]}, "unknown provider"),
        (
            {"rules": [{"kind": "status", "status": 503, "provider": "skatteverket", "set": "nope"}]},
            "no information set",
        ),
        ({"rules": [{"kind": "status", "status": 999}]}, "HTTP status"),
        ({"rules": [{"kind": "status", "status": 503, "first": 0}]}, "integer >= 1"),
        ({"rules": [{"kind": "latency", "ms": 5, "colour": "red"}]}, "unknown fields colour"),
        ({"rules": [{"kind": "latency", "ms": 5, "id": "a"}, {"kind": "latency", "ms": 5, "id": "a"}]}, "unique"),
        ({"rules": "all"}, "must be a list"),
        ({"faults": []}, "the rule set must be"),
    ],
)
def test_control_rejects_invalid_rules_and_keeps_the_old_ones(body, problem):
    client = make_client({"id": "keep", "kind": "latency", "ms": 1})
    response = client.post("/_control/faults", json=body, headers=AUTH)
    assert response.status_code == 400
    assert any(problem in p for p in response.json["problems"]), response.json
    assert [r["id"] for r in client.get("/_control/faults", headers=AUTH).json["rules"]] == ["keep"]


def test_control_rejects_non_json():
    client = make_client()
    response = client.post("/_control/faults", data="x", headers=AUTH)
    assert response.status_code == 400


def test_clearing_releases_a_held_timeout():
    client = make_client({"kind": "timeout", "seconds": 30})
    results = []
    thread = threading.Thread(target=lambda: results.append(timed(lambda: lookup(client))))
    thread.start()
    time.sleep(0.1)
    client.delete("/_control/faults", headers=AUTH)
    thread.join(timeout=5)
    response, elapsed = results[0]
    assert response.status_code == 504
    assert elapsed < 5


# -- start-up configuration ---------------------------------------------------------------------


def test_faults_from_environment(monkeypatch):
    monkeypatch.setenv(
        "PORTAL_SANDBOX_FAULTS", json.dumps({"rules": [{"person": "single-adult", "kind": "status", "status": 503}]})
    )
    client = create_sandbox_app(api_token=TOKEN).test_client()
    assert lookup(client).status_code == 503
    assert lookup(client, EMMA).status_code == 200


def test_faults_argument_wins_over_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_SANDBOX_FAULTS", json.dumps([{"kind": "status", "status": 503}]))
    client = create_sandbox_app(api_token=TOKEN, faults={"rules": []}).test_client()
    assert lookup(client).status_code == 200


def test_invalid_start_up_faults_refuse_to_start(monkeypatch):
    with pytest.raises(FaultRuleError):
        create_sandbox_app(faults={"rules": [{"person": "typo", "kind": "malformed"}]})
    monkeypatch.setenv("PORTAL_SANDBOX_FAULTS", "{not json")
    with pytest.raises(ValueError):
        create_sandbox_app()
