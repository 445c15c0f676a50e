"""The sandbox over real HTTP: werkzeug's threaded server in a thread, called with httpx."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve

TOKEN = "http-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERSONSOK = "/skatteverket/folkbokforing/v1/personsok"


@pytest.fixture(scope="module")
def base_url():
    with serve(create_sandbox_app(api_token=TOKEN, faults={"rules": []})) as url:
        yield url


@pytest.fixture
def client(base_url):
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=5) as client:
        yield client
        client.delete("/_control/faults")


def test_health_and_lookup_over_http(client):
    assert client.get("/health").json()["status"] == "ok"
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": "199107172380"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    record = response.json()
    assert record["Folkbokforingsadress"]["PostNr"] == "11821"
    assert record["Namn"]["Efternamn"] == "Sundberg"


def test_auth_over_http(base_url):
    response = httpx.post(f"{base_url}{PERSONSOK}", json={"Identitetsbeteckning": "199006022397"})
    assert response.status_code == 401


def test_control_endpoint_and_faults_over_http(client):
    rules = {
        "rules": [
            {"provider": "skatteverket", "person": "pensioner", "kind": "status", "status": 503, "first": 1},
            {"person": "vehicle-owner", "kind": "malformed"},
        ]
    }
    assert client.post("/_control/faults", json=rules).status_code == 200
    pensioner = {"Identitetsbeteckning": "194408139089"}
    assert client.post(PERSONSOK, json=pensioner).status_code == 503
    assert client.post(PERSONSOK, json=pensioner).status_code == 200
    malformed = client.post(PERSONSOK, json={"Identitetsbeteckning": "196404153832"})
    with pytest.raises(ValueError):
        malformed.json()
    assert client.delete("/_control/faults").json() == {"rules": []}


def test_timeout_beats_the_client_deadline_and_is_released(client, base_url):
    client.post("/_control/faults", json={"rules": [{"person": "single-adult", "kind": "timeout", "seconds": 30}]})
    start = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{base_url}{PERSONSOK}", json={"Identitetsbeteckning": "199006022397"}, headers=AUTH, timeout=0.3)
    assert time.monotonic() - start < 5
    # Other persons are not held while one request hangs (the server is threaded).
    assert client.post(PERSONSOK, json={"Identitetsbeteckning": "199107172380"}).status_code == 200
    client.delete("/_control/faults")  # releases the held request thread


def test_concurrent_requests_share_intermittent_counters(client):
    client.post(
        "/_control/faults", json={"rules": [{"person": "single-adult", "kind": "status", "status": 503, "first": 5}]}
    )
    statuses = []
    lock = threading.Lock()

    def call():
        response = client.post(PERSONSOK, json={"Identitetsbeteckning": "199006022397"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [503] * 5


def test_sms_gateway_records_a_send_once_per_idempotency_key(client):
    client.delete("/_control/sms")
    message = {"to": "+46701234567", "text": "Det finns nyheter"}
    first = client.post("/sms", json=message, headers={"Idempotency-Key": "notification-7"})
    again = client.post("/sms", json=message, headers={"Idempotency-Key": "notification-7"})
    other = client.post("/sms", json=message, headers={"Idempotency-Key": "notification-8"})
    unkeyed = [client.post("/sms", json=message) for _ in range(2)]
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
    assert again.json()["id"] == first.json()["id"] != other.json()["id"]
    assert [r.status_code for r in unkeyed] == [202, 202]
    assert len(client.get("/_control/sms").json()["messages"]) == 4
    client.delete("/_control/sms")
