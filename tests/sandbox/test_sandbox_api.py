"""The sandbox's provider API: auth, lookup by body, errors, health, logging."""

from __future__ import annotations

import logging

import pytest

from devstack.sandbox import create_sandbox_app

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PERSONSOK = "/skatteverket/folkbokforing/v1/personsok"
ANDERS = "199006022397"
OUTSIDE_CAST = "190001042399"  # valid test number that no fixture uses


@pytest.fixture
def client():
    return create_sandbox_app(api_token=TOKEN, faults={"rules": []}).test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
    ],
)
def test_lookup_requires_the_bearer_token(client, headers):
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": ANDERS}, headers=headers)
    assert response.status_code == 401
    assert response.json["Felkod"] == "EJ_BEHORIG"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Anders" not in response.get_data(as_text=True)


def test_control_and_unknown_routes_require_the_token(client):
    assert client.get("/_control/faults").status_code == 401
    assert client.get("/_control/calls").status_code == 401
    response = client.get("/no/such/route")
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_health_is_public(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["persons"] >= 12
    assert "folkbokforing" in response.json["providers"]["skatteverket"]


def test_lookup_by_body_returns_the_raw_record(client):
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": ANDERS}, headers=AUTH)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    record = response.json
    assert record["Identitetsbeteckning"] == ANDERS
    assert record["Namn"] == {"Fornamn": "Anders", "Mellannamn": None, "Efternamn": "Testsson"}
    assert record["Fodelsedatum"] == "19900602"
    assert record["Folkbokforing"]["LanKod"] + record["Folkbokforing"]["KommunKod"] == "0380"
    assert set(record) == {
        "Identitetsbeteckning",
        "Namn",
        "Fodelsedatum",
        "Folkbokforing",
        "Folkbokforingsadress",
        "Sekretessmarkering",
        "SkyddadFolkbokforing",
        "Civilstand",
        "Hushall",
    }
    assert set(record["Folkbokforingsadress"]) == {
        "CareOf",
        "Utdelningsadress1",
        "Utdelningsadress2",
        "PostNr",
        "Postort",
    }


def test_protected_person_still_gets_address_and_household(client):
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": "199001252387"}, headers=AUTH)
    record = response.json
    assert record["Sekretessmarkering"] == "J"
    assert record["Folkbokforingsadress"]["Postort"] == "MALMÖ"
    assert record["Hushall"], "the portal, not the sandbox, must drop the household"


def test_unknown_person_is_404_person_saknas(client):
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": OUTSIDE_CAST}, headers=AUTH)
    assert response.status_code == 404
    assert response.json["Felkod"] == "PERSON_SAKNAS"
    assert response.json["Feltext"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "not json", "content_type": "application/json"},
        {"json": ["199006022397"]},
        {"json": {}},
        {"json": {"identitetsbeteckning": ANDERS}},
        {"json": {"Identitetsbeteckning": 199006022397}},
        {"json": {"Identitetsbeteckning": "9006022397"}},
        {"json": {"Identitetsbeteckning": "19900602-2397"}},
        {"json": {"Identitetsbeteckning": "199006022398"}},  # checksum
        {"data": '{"Identitetsbeteckning": "199006022397"}', "content_type": "text/plain"},
    ],
)
def test_malformed_question_is_400_felaktig_fraga(client, kwargs):
    response = client.post(PERSONSOK, headers=AUTH, **kwargs)
    assert response.status_code == 400
    assert response.json["Felkod"] == "FELAKTIG_FRAGA"


def test_lookup_is_post_only(client):
    response = client.get(PERSONSOK, headers=AUTH)
    assert response.status_code == 405
    assert response.json["Felkod"]
    assert "POST" in response.headers["Allow"]


def test_no_personnummer_in_log_lines(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(PERSONSOK, json={"Identitetsbeteckning": ANDERS}, headers=AUTH)
    client.post(PERSONSOK, json={"Identitetsbeteckning": OUTSIDE_CAST}, headers=AUTH)
    client.post(PERSONSOK, json={"Identitetsbeteckning": "199006022398"}, headers=AUTH)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "person=single-adult" in text
    for number in (ANDERS, OUTSIDE_CAST, "199006022398", "900602"):
        assert number not in text


def test_call_log_counts_by_slug(client):
    for _ in range(2):
        client.post(PERSONSOK, json={"Identitetsbeteckning": ANDERS}, headers=AUTH)
    client.post(PERSONSOK, json={"Identitetsbeteckning": OUTSIDE_CAST}, headers=AUTH)
    calls = client.get("/_control/calls", headers=AUTH).json["calls"]
    assert {"provider": "skatteverket", "set": "folkbokforing", "person": "single-adult", "calls": 2} in calls
    assert {"provider": "skatteverket", "set": "folkbokforing", "person": "?", "calls": 1} in calls
    assert client.delete("/_control/calls", headers=AUTH).json == {"calls": []}


def test_empty_token_is_refused():
    with pytest.raises(ValueError):
        create_sandbox_app(api_token="")


def test_custom_persons_dir(tmp_path):
    (tmp_path / "solo.json").write_text(
        '{"slug": "solo", "person": {"personnummer": "190001042399", "given_name": "A",'
        ' "family_name": "B"}, "providers": {}}',
        encoding="utf-8",
    )
    client = create_sandbox_app(persons_dir=tmp_path, api_token=TOKEN).test_client()
    assert client.get("/health").json["persons"] == 1
    # in the cast but nothing at Skatteverket: PERSON_SAKNAS
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": "190001042399"}, headers=AUTH)
    assert response.status_code == 404
    response = client.post(PERSONSOK, json={"Identitetsbeteckning": ANDERS}, headers=AUTH)
    assert response.status_code == 404


def test_duplicate_personnummer_refuses_to_start(tmp_path):
    from devstack.sandbox.persons import PersonFileError

    for slug in ("one", "two"):
        (tmp_path / f"{slug}.json").write_text(
            f'{{"slug": "{slug}", "person": {{"personnummer": "190001042399", "given_name": "A",'
            ' "family_name": "B"}}',
            encoding="utf-8",
        )
    with pytest.raises(PersonFileError) as excinfo:
        create_sandbox_app(persons_dir=tmp_path)
    assert "190001042399" not in str(excinfo.value)
