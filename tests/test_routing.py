import csv
import json

import pytest

from portal.config import REPO_ROOT
from portal.routing import config as routing_config
from portal.routing import labels
from portal.routing.services import (
    NotReceiving,
    UnknownMunicipality,
    ensure_receiving,
    inbox,
    municipalities,
    municipality,
    route,
    status,
)


def test_all_290_municipalities_route_to_themselves():
    with (REPO_ROOT / "portal" / "data" / "kommuner.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 290 == len(municipalities())
    for row in rows:
        assert route(row["kommunkod"]).name == row["kommun"]


@pytest.mark.parametrize(
    "code,name", [("0180", "Stockholm"), ("1480", "Göteborg"), ("1280", "Malmö"), ("2584", "Kiruna")]
)
def test_known_codes(code, name):
    assert route(code).name == name


@pytest.mark.parametrize("code", ["", "0000", "180", "01800", "abcd"])
def test_unknown_codes_are_refused(code):
    with pytest.raises(UnknownMunicipality):
        route(code)


# --- routing configuration: districts, states, protected identity, validation ---------------------------------

DEFAULT_FILE = REPO_ROOT / "portal" / "data" / "routing.json"


def _codes():
    with (REPO_ROOT / "portal" / "data" / "kommuner.csv").open(encoding="utf-8") as fh:
        return [row["kommunkod"] for row in csv.DictReader(fh)]


@pytest.fixture
def routing_file(tmp_path, monkeypatch):
    """Write a routing configuration to tmp_path and make it the one in force (cache cleared both ways)."""

    def _use(data, name="routing.json"):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        monkeypatch.setenv(routing_config.ENV, str(path))
        routing_config.clear_cache()
        return path

    yield _use
    monkeypatch.delenv(routing_config.ENV, raising=False)
    routing_config.clear_cache()


def _seed():
    return json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_shipped_configuration_loads_and_has_a_version_and_how_to_change_it():
    raw = _seed()
    assert isinstance(raw["version"], int) and "_comment" in raw
    loaded = routing_config.load(DEFAULT_FILE)
    assert set(loaded.municipalities) == set(_codes())


@pytest.mark.parametrize("code", _codes())
def test_every_municipality_routes_to_an_inbox(code):
    found = route(code)
    assert found.code == code and found.name == municipality(code).name and found.municipality == municipality(code)
    assert found.inbox.id and found.inbox.name and found.inbox.channel in routing_config.CHANNELS
    assert inbox(found.inbox.id) == found.inbox
    assert found.state == status(code).state


def test_everyone_else_is_connected_with_one_builtin_inbox():
    special = set(_seed()["municipalities"])
    for code in set(_codes()) - special:
        entry = routing_config.routing_config().municipalities[code]
        assert entry.state == "connected" and list(entry.inboxes) == [f"kommun-{code}"]
        assert entry.inboxes[f"kommun-{code}"].channel == "inbox"
        assert route(code, "11821").inbox.id == f"kommun-{code}"


# (municipality, district inbox, lowest, highest) for every range in the seed; neighbours are in the file too
DISTRICT_RANGES = [
    ("0180", "stockholm-norrmalm", "11100", "11199"),
    ("0180", "stockholm-kungsholmen", "11200", "11299"),
    ("0180", "stockholm-norrmalm", "11300", "11399"),
    ("0180", "stockholm-ostermalm", "11400", "11599"),
    ("0180", "stockholm-sodermalm", "11600", "11899"),
    ("0180", "stockholm-enskede-arsta-vantor", "12000", "12299"),
    ("0180", "stockholm-farsta", "12300", "12399"),
    ("0180", "stockholm-enskede-arsta-vantor", "12400", "12499"),
    ("0180", "stockholm-hagersten-alvsjo", "12500", "12699"),
    ("0180", "stockholm-skarholmen", "12700", "12799"),
    ("0180", "stockholm-skarpnack", "12800", "12899"),
    ("0180", "stockholm-hagersten-alvsjo", "12900", "12999"),
    ("0180", "stockholm-bromma", "16100", "16199"),
    ("0180", "stockholm-hasselby-vallingby", "16200", "16299"),
    ("0180", "stockholm-spanga-tensta", "16300", "16399"),
    ("0180", "stockholm-rinkeby-kista", "16400", "16499"),
    ("0180", "stockholm-hasselby-vallingby", "16500", "16599"),
    ("0180", "stockholm-bromma", "16700", "16899"),
    ("1480", "goteborg-centrum", "41100", "41499"),
    ("1480", "goteborg-nordost", "41500", "41599"),
    ("1480", "goteborg-centrum", "41600", "41699"),
    ("1480", "goteborg-hisingen", "41700", "41899"),
    ("1480", "goteborg-sydvast", "42100", "42199"),
    ("1480", "goteborg-hisingen", "42200", "42399"),
    ("1480", "goteborg-nordost", "42400", "42499"),
    ("1480", "goteborg-hisingen", "42500", "42599"),
    ("1480", "goteborg-sydvast", "42600", "42799"),
    ("1480", "goteborg-sydvast", "43600", "43699"),
    ("1280", "malmo-innerstaden", "21100", "21299"),
    ("1280", "malmo-oster", "21300", "21399"),
    ("1280", "malmo-innerstaden", "21400", "21499"),
    ("1280", "malmo-soder", "21500", "21599"),
    ("1280", "malmo-vaster", "21600", "21899"),
    ("1280", "malmo-soder", "23800", "23899"),
]


def test_district_table_is_every_range_in_the_shipped_configuration():
    """So that the edge tests below cover each range in routing.json."""
    shipped = {
        (code, district.inbox, f"{r.low:05d}", f"{r.high:05d}")
        for code in ("0180", "1480", "1280")
        for district in routing_config.routing_config().municipalities[code].districts
        for r in district.ranges
    }

    def numbers(rows):
        return {(code, inbox_id, n) for code, inbox_id, low, high in rows for n in range(int(low), int(high) + 1)}

    assert numbers(shipped) == numbers(DISTRICT_RANGES)
    assert all(
        len(routing_config.routing_config().municipalities[code].districts) >= 3 for code in ("0180", "1480", "1280")
    )


@pytest.mark.parametrize("code,inbox_id,low,high", DISTRICT_RANGES)
def test_district_edges(code, inbox_id, low, high):
    assert route(code, low).inbox.id == inbox_id
    assert route(code, high).inbox.id == inbox_id
    assert route(code, f"{low[:3]} {low[3:]}").inbox.id == inbox_id
    assert route(code, low).district is not None


@pytest.mark.parametrize(
    "code,postal_code,fallback",
    [
        ("0180", "11099", "stockholm-central"),
        ("0180", "11900", "stockholm-central"),  # around Norrmalm/Södermalm
        ("0180", "11999", "stockholm-central"),
        ("0180", "13000", "stockholm-central"),
        ("0180", "16099", "stockholm-central"),
        ("0180", "16600", "stockholm-central"),
        ("0180", "16900", "stockholm-central"),
        ("0180", "10005", "stockholm-central"),  # box addresses
        ("1480", "41099", "goteborg-mottagning"),
        ("1480", "41900", "goteborg-mottagning"),
        ("1480", "42000", "goteborg-mottagning"),
        ("1480", "42800", "goteborg-mottagning"),
        ("1480", "43599", "goteborg-mottagning"),
        ("1480", "43700", "goteborg-mottagning"),
        ("1280", "21099", "malmo-mottagning"),
        ("1280", "21900", "malmo-mottagning"),
        ("1280", "23799", "malmo-mottagning"),
        ("1280", "23900", "malmo-mottagning"),
    ],
)
def test_just_outside_a_range(code, postal_code, fallback):
    found = route(code, postal_code)
    assert found.inbox.id == fallback and found.district is None


@pytest.mark.parametrize(
    "code,fallback", [("0180", "stockholm-central"), ("1480", "goteborg-mottagning"), ("1280", "malmo-mottagning")]
)
@pytest.mark.parametrize("postal_code", [None, "", "   ", "118", "1182", "118211", "abcde", "118-21", "１１８２１"])
def test_missing_or_malformed_postal_code_goes_to_the_fallback(code, fallback, postal_code):
    found = route(code, postal_code)
    assert found.inbox.id == fallback and found.district is None


def test_postal_code_with_a_space_or_nbsp():
    assert route("0180", "118 21").inbox.id == "stockholm-sodermalm"
    assert route("0180", " 118\u00a021 ").inbox.id == "stockholm-sodermalm"
    assert route("0180", "164 40").inbox.id == "stockholm-rinkeby-kista"
    assert route("0180", "118 21").district == "Södermalm"


@pytest.mark.parametrize(
    "code,postal_code,fallback",
    [
        ("0180", "41468", "stockholm-central"),  # a Göteborg postal code, folkbokförd in Stockholm
        ("1480", "11821", "goteborg-mottagning"),  # a Södermalm postal code, folkbokförd in Göteborg
        ("1280", "41100", "malmo-mottagning"),
        ("0380", "11821", "kommun-0380"),  # Uppsala has one inbox whatever the postal code
    ],
)
def test_the_municipality_code_decides_not_the_postal_code(code, postal_code, fallback):
    found = route(code, postal_code)
    assert found.code == code and found.inbox.id == fallback


@pytest.mark.parametrize(
    "code,postal_code,protected_inbox",
    [
        ("0180", "11821", "stockholm-skyddade"),
        ("0180", None, "stockholm-skyddade"),
        ("1280", "21155", "malmo-skyddade"),
        ("1280", "21300", "malmo-skyddade"),
        ("1480", "42400", "goteborg-mottagning"),  # no protected inbox configured: the fallback
        ("1283", "25227", "kommun-1283"),  # Helsingborg: its one inbox
    ],
)
def test_protected_identity_ignores_the_postal_code(code, postal_code, protected_inbox):
    found = route(code, postal_code, protected=True)
    assert found.inbox.id == protected_inbox and found.protected and found.district is None
    assert found.code == code


def test_protected_identity_never_looks_at_the_postal_code(monkeypatch):
    def refuse(_value):
        raise AssertionError("the postal code was read for a protected person")

    monkeypatch.setattr("portal.routing.services.parse_postal_code", refuse)
    assert route("0180", "11821", protected=True).inbox.id == "stockholm-skyddade"


def test_the_test_persons_route_where_expected():
    assert route("0180", "16440").inbox.id == "stockholm-rinkeby-kista"  # stockholm-kista
    assert route("0180", "11821").inbox.id == "stockholm-sodermalm"  # stockholm-sodermalm
    assert route("1480", "41468").inbox.id == "goteborg-centrum"  # the Göteborg couples (Majorna-Linné)
    assert route("1280", "21155", protected=True).inbox.id == "malmo-skyddade"  # protected-identity


def test_connected():
    connection = ensure_receiving("0180")
    assert connection.state == "connected" and connection.receiving and connection.can_start
    assert connection.message_key is None and connection.instructions is None
    assert route("0180").receiving


def test_kiruna_is_not_connected_with_paper_instructions():
    connection = status("2584")
    assert connection.state == "not_connected" and connection.message_key == "not_connected"
    assert not connection.receiving and not connection.can_start
    assert connection.municipality.name == "Kiruna"
    assert "papper" in connection.instructions.get("sv") and "paper" in connection.instructions.get("en")
    assert connection.instructions.get("ar") != connection.instructions.get("sv")
    assert connection.instructions.get("fi") == connection.instructions.get("sv")  # Swedish when missing
    assert connection.contact_url.startswith("https://")
    with pytest.raises(NotReceiving) as caught:
        ensure_receiving("2584")
    assert (caught.value.code, caught.value.state) == ("2584", "not_connected")
    found = route("2584", "98131")  # route() is for display too: it never raises for the state
    assert found.name == "Kiruna" and found.state == "not_connected" and found.inbox.id == "kommun-2584"


def test_one_small_municipality_is_paused_and_nobody_in_the_testdata_lives_there():
    paused = [code for code in _codes() if status(code).state == "paused"]
    assert len(paused) == 1
    connection = status(paused[0])
    assert connection.message_key == "paused" and connection.can_start and not connection.receiving
    assert connection.reason.get("sv") and connection.reason.get("en") and connection.reason.get("ar")
    with pytest.raises(NotReceiving) as caught:
        ensure_receiving(paused[0])
    assert caught.value.state == "paused"
    assert route(paused[0]).state == "paused"
    persons = (REPO_ROOT / "devstack" / "testdata" / "persons").glob("*.json")
    lived_in = set()
    for person in persons:
        text = person.read_text(encoding="utf-8")
        for found in json.loads(text)["providers"].get("skatteverket", {}).values():
            if isinstance(found, dict) and "Folkbokforing" in found:
                lived_in.add(found["Folkbokforing"]["LanKod"] + found["Folkbokforing"]["KommunKod"])
    assert "2584" in lived_in and paused[0] not in lived_in


@pytest.mark.parametrize("code", ["", "0000", "abcd"])
def test_status_and_ensure_receiving_refuse_unknown_codes(code):
    with pytest.raises(UnknownMunicipality):
        status(code)
    with pytest.raises(UnknownMunicipality):
        ensure_receiving(code)
    with pytest.raises(UnknownMunicipality):
        route(code, "11821", protected=True)


def test_local_text_follows_the_page_language(app):
    from flask_babel import force_locale

    connection = status("2584")
    with app.test_request_context():
        for locale in ("sv", "en", "ar"):
            with force_locale(locale):
                assert str(connection.instructions) == connection.instructions.get(locale)
    assert str(connection.instructions) == connection.instructions.get("sv")  # outside a request


def test_labels_cover_every_state(app):
    assert set(labels.STATE) == set(routing_config.STATES)
    with app.test_request_context():
        assert labels.message(status("0180")) is None
        assert "Kiruna" in labels.message(status("2584")) and "Kiruna" in labels.heading(status("2584"))
        paused = next(code for code in _codes() if status(code).state == "paused")
        assert municipality(paused).name in labels.message(status(paused))


def test_override_file_and_webhook_and_pull_channels(routing_file):
    data = _seed()
    data["municipalities"]["0380"] = {
        "state": "connected",
        "inboxes": [
            {
                "id": "uppsala-hook",
                "name": "Uppsala webhook",
                "channel": "webhook",
                "url": "https://ekbist.uppsala.example/inbox",
                "secret": "UPPSALA_WEBHOOK_SECRET",
            },
            {"id": "uppsala-pull", "name": "Uppsala pull", "channel": "pull"},
        ],
        "districts": [{"name": "Centrum", "inbox": "uppsala-hook", "postal_codes": ["75320"]}],
        "fallback_inbox": "uppsala-pull",
    }
    routing_file(data)
    hook = route("0380", "753 20").inbox
    assert (hook.channel, hook.url, hook.secret_name) == (
        "webhook",
        "https://ekbist.uppsala.example/inbox",
        "UPPSALA_WEBHOOK_SECRET",
    )
    assert route("0380", "75321").inbox == inbox("uppsala-pull")
    assert route("0380", "75320", protected=True).inbox.id == "uppsala-pull"
    assert route("0380").inbox.url is None and route("0380").inbox.secret_name is None


def test_override_can_pause_a_municipality_until_a_date(routing_file):
    data = _seed()
    data["municipalities"]["0380"] = {"state": "paused", "reason": "Systembyte", "until": "2030-01-07"}
    routing_file(data)
    connection = status("0380")
    assert connection.state == "paused" and connection.until.isoformat() == "2030-01-07"
    assert connection.reason.get("en") == "Systembyte"  # Swedish when no English text is given
    assert route("0380").inbox.id == "kommun-0380"


def _broken(change):
    data = _seed()
    change(data)
    return data


def _stockholm(data):
    return data["municipalities"]["0180"]


BROKEN = {
    "unknown municipality code": (lambda d: d["municipalities"].update({"0999": {"state": "connected"}}), "0999"),
    "three-digit code": (lambda d: d["municipalities"].update({"180": {"state": "connected"}}), "180"),
    "overlapping ranges, two districts": (
        lambda d: _stockholm(d)["districts"][1]["postal_codes"].append("11850-11950"),
        "overlap",
    ),
    "overlapping ranges, one district": (
        lambda d: _stockholm(d)["districts"][0]["postal_codes"].append("111xx"),
        "overlap",
    ),
    "range contained in another": (lambda d: _stockholm(d)["districts"][0]["postal_codes"].append("11700"), "overlap"),
    "unknown channel": (lambda d: _stockholm(d)["inboxes"][0].update({"channel": "fax"}), "unknown channel"),
    "missing fallback": (lambda d: _stockholm(d).pop("fallback_inbox"), "fallback_inbox"),
    "fallback not an inbox": (lambda d: _stockholm(d).update({"fallback_inbox": "nowhere"}), "nowhere"),
    "protected inbox not an inbox": (lambda d: _stockholm(d).update({"protected_inbox": "x"}), "protected_inbox"),
    "district to another municipality's inbox": (
        lambda d: _stockholm(d)["districts"][0].update({"inbox": "malmo-oster"}),
        "malmo-oster",
    ),
    "unknown state": (lambda d: _stockholm(d).update({"state": "sleeping"}), "sleeping"),
    "paused without a reason": (lambda d: d["municipalities"]["2506"].pop("reason"), "reason"),
    "not connected without instructions": (lambda d: d["municipalities"]["2584"].pop("instructions"), "instructions"),
    "not connected without a contact url": (lambda d: d["municipalities"]["2584"].pop("contact"), "contact.url"),
    "webhook without url": (lambda d: _stockholm(d)["inboxes"][0].update({"channel": "webhook", "secret": "S"}), "url"),
    "webhook without secret name": (
        lambda d: _stockholm(d)["inboxes"][0].update({"channel": "webhook", "url": "https://x.example/"}),
        "secret",
    ),
    "webhook over http": (
        lambda d: _stockholm(d)["inboxes"][0].update({"channel": "webhook", "url": "http://x.example/", "secret": "S"}),
        "https",
    ),
    "secret on a built-in inbox": (lambda d: _stockholm(d)["inboxes"][0].update({"secret": "S"}), "secret"),
    "duplicate inbox id": (lambda d: _stockholm(d)["inboxes"].append(dict(_stockholm(d)["inboxes"][0])), "more than"),
    "inbox id used in two municipalities": (
        lambda d: d["municipalities"]["1280"]["inboxes"][0].update({"id": "stockholm-central"}),
        "more than",
    ),
    "inbox id too long": (lambda d: _stockholm(d)["inboxes"][0].update({"id": "x" * 61}), "at most 60"),
    "bad range": (lambda d: _stockholm(d)["districts"][0]["postal_codes"].append("11x"), "11x"),
    "backwards range": (lambda d: _stockholm(d)["districts"][0]["postal_codes"].append("19999-19000"), "backwards"),
    "typo in a key": (lambda d: _stockholm(d).update({"fallback_inbx": "stockholm-central"}), "fallback_inbx"),
    "no version": (lambda d: d.pop("version"), "version"),
    "default without {code}": (lambda d: d["default"]["inbox"].update({"id": "main"}), "{code}"),
    "default not connected": (lambda d: d["default"].update({"state": "paused"}), "default.state"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validator_rejects_a_broken_file(routing_file, name):
    change, expected = BROKEN[name]
    routing_file(_broken(change))
    with pytest.raises(routing_config.RoutingConfigError) as caught:
        route("0180")
    assert expected in str(caught.value), str(caught.value)


def test_validator_lists_every_problem_at_once(routing_file):
    def two(d):
        _stockholm(d)["inboxes"][0]["channel"] = "fax"
        d["municipalities"]["1280"].pop("fallback_inbox")

    routing_file(_broken(two))
    with pytest.raises(routing_config.RoutingConfigError) as caught:
        routing_config.routing_config()
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize(
    "text,expected",
    [
        ("{not json", "cannot read"),
        ('{"version": 1, "version": 2, "default": {}}', "duplicate key"),
        ("[]", "must be an object"),
    ],
)
def test_validator_rejects_unreadable_files(routing_file, text, expected):
    routing_file(text)
    with pytest.raises(routing_config.RoutingConfigError, match=expected):
        routing_config.routing_config()


def test_missing_override_file_is_an_error(routing_file, monkeypatch, tmp_path):
    monkeypatch.setenv(routing_config.ENV, str(tmp_path / "absent.json"))
    routing_config.clear_cache()
    with pytest.raises(routing_config.RoutingConfigError, match="cannot read"):
        routing_config.routing_config()


def test_configuration_is_loaded_once(routing_file, monkeypatch):
    path = routing_file(_seed())
    first = routing_config.routing_config()
    path.write_text("{broken", encoding="utf-8")
    assert routing_config.routing_config() is first  # cached: a change needs a restart (or clear_cache)
    routing_config.clear_cache()
    with pytest.raises(routing_config.RoutingConfigError):
        routing_config.routing_config()
