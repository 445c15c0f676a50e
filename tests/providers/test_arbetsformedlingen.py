"""Arbetsförmedlingen adapter: the 5 basic and 7 extended sets (seed 001 items 1-20)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.testing import serve
from portal.providers.arbetsformedlingen import BASIC, EXTENDED, PROVIDER, window
from portal.providers.base import ProviderClient, ProviderError
from portal.providers.items import Period

PERSONS = Path(__file__).resolve().parents[2] / "devstack/testdata/persons"
DEC, NOV = Period(date(2026, 12, 1)), Period(date(2026, 11, 1))
NAME = "arbetsformedlingen"


def raw(slug: str, info_set: str) -> dict:
    with (PERSONS / f"{slug}.json").open(encoding="utf-8") as f:
        return json.load(f)["providers"][NAME][info_set]


def kinds(items):
    return [i.kind.rsplit(".", 1)[1] for i in items]


def test_sets_basic_and_extended():
    assert [s.key for s in PROVIDER.sets if not s.extended] == list(BASIC)
    assert [s.key for s in PROVIDER.sets if s.extended] == list(EXTENDED)
    assert not any(s.for_children for s in PROVIDER.sets)
    kinds_declared = {k.split(".")[1] for k in PROVIDER.labels}
    assert kinds_declared == set(BASIC) | set(EXTENDED)


def test_request_keeps_the_number_out_of_the_url():
    path, body = PROVIDER.request("199006022397", "sanktioner", DEC)
    assert path == "/arbetsformedlingen/samtycke/v1/sanktioner" and "1990" not in path
    assert body == {"personnummer": "199006022397", "franDatum": "2026-09-01", "tillDatum": "2026-12-31"}
    assert PROVIDER.request("199006022397", "inskrivning", DEC)[0] == "/arbetsformedlingen/ssbtek/v2/inskrivning"
    with pytest.raises(KeyError):
        PROVIDER.request("199006022397", "nope", DEC)


def test_basic_sets_for_the_single_adult():
    registration = PROVIDER.normalise("inskrivning", raw("single-adult", "inskrivning"), DEC)
    assert [(i.period_start, i.period_end, i.theme) for i in registration] == [(date(2026, 3, 2), None, "work")]
    fund = PROVIDER.normalise("arbetsloshetskassa", raw("single-adult", "arbetsloshetskassa"), DEC)
    assert dict(fund[0].details) == {"fund": "Unionens a-kassa"}
    category = PROVIDER.normalise("sokandekategori", raw("single-adult", "sokandekategori"), DEC)
    assert [dict(i.details) for i in category] == [{"category": "11"}]
    assert PROVIDER.codes[("category", "11")]
    assert PROVIDER.normalise("program", raw("single-adult", "program"), DEC) == []
    last = PROVIDER.normalise("aktivitetsrapport", raw("single-adult", "aktivitetsrapport"), DEC)
    assert dict(last[0].details) == {"submitted": "2026-11-12", "month": "2026-10"}
    assert all(i.amount_ore is None and i.gross is None for i in registration + fund + category + last)


def test_programme_and_category_history_keeps_only_the_period():
    items = PROVIDER.normalise("sokandekategori", raw("af-sanctions", "sokandekategori"), DEC)
    assert [i.details["category"] for i in items] == ["68", "11"]
    registration = PROVIDER.normalise("inskrivning", raw("af-sanctions", "inskrivning"), DEC)
    assert [(i.period_start, i.period_end) for i in registration] == [(date(2025, 9, 1), date(2026, 11, 2))]
    programme = PROVIDER.normalise("program", raw("af-sanctions", "program"), DEC)
    assert [(i.details["programme"], i.period_end) for i in programme] == [("JOB", date(2026, 10, 19))]


def test_an_old_last_report_is_still_shown():
    # Erik's last report came in September (about August): still the latest in December.
    items = PROVIDER.normalise("aktivitetsrapport", raw("af-sanctions", "aktivitetsrapport"), DEC)
    assert [(i.period_start, i.period_end, i.details["month"]) for i in items] == [(date(2026, 9, 14), None, "2026-08")]
    assert PROVIDER.normalise("aktivitetsrapport", {"sokande": {}, "senasteAktivitetsrapport": None}, DEC) == []


def test_activity_report_content_counts_without_employers():
    items = PROVIDER.normalise("aktivitetsrapport_innehall", raw("single-adult", "aktivitetsrapport_innehall"), DEC)
    assert [(i.period_start, i.period_end) for i in items] == [
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ]
    october = dict(items[1].details)
    assert october["applications"] == 5 and october["interviews"] == 1 and october["submitted"] == "2026-11-12"
    text = repr(items)
    assert "Dagab" not in text and "Lagerarbetare" not in text and "Karin" not in text
    assert (
        len(PROVIDER.normalise("aktivitetsrapport_innehall", raw("single-adult", "aktivitetsrapport_innehall"), NOV))
        == 3
    )


def test_sanctions_with_reason_and_consequence():
    items = PROVIDER.normalise("sanktioner", raw("af-sanctions", "sanktioner"), NOV)
    assert [(i.details["consequence"], i.details["reason"], i.details["days"]) for i in items] == [
        ("AVSTANGNING", "UTEBLIVEN_AKTIVITET", 1),
        ("AVSTANGNING", "UTEBLIVET_MOTE", 5),
        ("UTSKRIVNING", "EJ_AKTIVITETSRAPPORT", None),
    ]
    assert items[1].period_start == date(2026, 9, 28) and items[1].period_end == date(2026, 10, 2)
    assert "VARNING" not in repr(items)  # June: before the period
    assert "Uteblev" not in repr(items) and "Wallin" not in repr(items)
    for item in items:
        assert PROVIDER.codes[("reason", item.details["reason"])]
        assert PROVIDER.codes[("consequence", item.details["consequence"])]


def test_deregistration_reason():
    items = PROVIDER.normalise("avaktualisering", raw("af-sanctions", "avaktualisering"), DEC)
    assert [(i.period_start, dict(i.details)) for i in items] == [(date(2026, 11, 2), {"reason": "KONTAKT_UPPHORT"})]
    assert "kallelser" not in repr(items)


def test_referrals_programme_decisions_and_activities():
    items = PROVIDER.normalise("anvisningar", raw("residence-permit", "anvisningar"), DEC)
    assert kinds(items) == ["programme_decision", "programme_activity", "programme_activity", "programme_activity"]
    assert sum(i.details["extent_percent"] for i in items[1:]) == 100
    referral = PROVIDER.normalise("anvisningar", raw("single-adult", "anvisningar"), DEC)
    assert [dict(i.details) for i in referral if i.kind.endswith("referral")] == [
        {"service": "RUSTA_OCH_MATCHA", "provider": "Jobbhuset Uppsala AB"}
    ]
    assert "Mats Lund" not in repr(referral)
    history = PROVIDER.normalise("anvisningar", raw("af-sanctions", "anvisningar"), DEC)
    assert "AUB" not in repr(history)  # 2022: more than 24 months before


def test_programme_history_over_24_months():
    """Item 15 over two years (issue 22, point 6), asked for and kept; other sets keep the period."""
    items = PROVIDER.normalise("anvisningar", raw("single-adult", "anvisningar"), DEC)
    assert [(i.kind.rsplit(".", 1)[1], i.period_start, i.period_end, i.details.get("programme")) for i in items] == [
        ("referral", date(2026, 6, 1), date(2026, 12, 31), None),
        ("programme_decision", date(2025, 9, 1), date(2026, 1, 30), "AUB"),
        ("programme_activity", date(2025, 9, 1), date(2026, 1, 30), "AUB"),
    ]  # 2024's placement: too old
    decisions = PROVIDER.normalise("anvisningar", raw("af-sanctions", "anvisningar"), DEC)
    assert [(i.details["programme"], i.period_start) for i in decisions if i.kind.endswith("programme_decision")] == [
        ("PRAO", date(2025, 4, 7)),
        ("JOB", date(2026, 2, 1)),
    ]
    assert PROVIDER.request("199006022397", "anvisningar", DEC)[1] == {
        "personnummer": "199006022397",
        "franDatum": "2024-12-01",
        "tillDatum": "2026-12-31",
    }
    assert PROVIDER.request("199006022397", "sanktioner", DEC)[1]["franDatum"] == "2026-09-01"
    assert window("sanktioner", DEC) == DEC


def test_each_activity_report_says_whether_it_was_approved():
    items = PROVIDER.normalise("aktivitetsrapport_innehall", raw("single-adult", "aktivitetsrapport_innehall"), NOV)
    assert [(i.period_start.month, i.details["review"]) for i in items] == [
        (8, "GODKAND"),
        (9, "GODKAND"),
        (10, "EJ_GRANSKAD"),
    ]
    sanctioned = PROVIDER.normalise(
        "aktivitetsrapport_innehall", raw("af-sanctions", "aktivitetsrapport_innehall"), NOV
    )
    assert "EJ_GODKAND" in [i.details["review"] for i in sanctioned]
    assert all(PROVIDER.codes[("review", i.details["review"])] for i in items + sanctioned)
    broken = copy.deepcopy(raw("single-adult", "aktivitetsrapport_innehall"))
    broken["aktivitetsrapporter"][0]["granskning"]["status"] = "OK"
    with pytest.raises(ProviderError):
        PROVIDER.normalise("aktivitetsrapport_innehall", broken, NOV)
    del broken["aktivitetsrapporter"][0]["granskning"]
    with pytest.raises(ProviderError):
        PROVIDER.normalise("aktivitetsrapport_innehall", broken, NOV)


def test_action_plan_and_next_meeting():
    items = PROVIDER.normalise("handlingsplan", raw("single-adult", "handlingsplan"), DEC)
    assert kinds(items) == ["action_plan", "next_meeting"]
    assert dict(items[0].details) == {
        "occupations": "Lagerarbetare, Truckförare",
        "search_extent_percent": 100,
        "applications_required": 6,
    }
    assert items[1].period_start == date(2026, 12, 8) and items[1].details["meeting_form"] == "DISTANS"
    assert "Uppsala och Stockholm" not in repr(items)
    # Daniel's next meeting is in January: not in a December application's period.
    assert kinds(PROVIDER.normalise("handlingsplan", raw("stockholm-kista", "handlingsplan"), DEC)) == ["action_plan"]


def test_support_and_rights():
    items = PROVIDER.normalise("stod_och_ratt", raw("af-sanctions", "stod_och_ratt"), DEC)
    assert kinds(items) == ["work_experience", "job_guarantee_days", "sius"]
    assert dict(items[1].details) == {"days_used": 186, "days_max": 450}
    payload = raw("single-adult", "stod_och_ratt")
    payload["funktionsnedsattning"] = {"kod": "41", "registrerad": "2026-05-02", "underlag": "Läkarintyg"}
    items = PROVIDER.normalise("stod_och_ratt", payload, DEC)
    assert kinds(items) == ["work_experience", "disability", "sius"] and items[1].details == {"code": "41"}
    assert "Läkarintyg" not in repr(items)


def test_applications_and_supplements():
    items = PROVIDER.normalise("ersattningsansokan", raw("residence-permit", "ersattningsansokan"), DEC)
    assert kinds(items) == ["application", "supplement"]
    assert items[0].details == {"benefit": "ETABLERINGSERSATTNING", "status": "KOMPLETTERING_BEGARD"}
    assert items[1].details["supplemented"] is False and items[1].period_end is None
    assert "boendekostnad" not in repr(items)
    done = PROVIDER.normalise("ersattningsansokan", raw("single-adult", "ersattningsansokan"), DEC)
    assert done[1].details["supplemented"] is True


@pytest.mark.parametrize("info_set", BASIC + EXTENDED)
def test_every_set_minimises_the_case_and_the_person(info_set):
    for slug in ("single-adult", "af-sanctions", "residence-permit", "couple-partner", "stockholm-kista"):
        items = PROVIDER.normalise(info_set, raw(slug, info_set), NOV)
        text = repr(items)
        for forbidden in (
            "AF-20",
            "handlaggare",
            "Karin Öst",
            "Peter Wallin",
            "Ahmed Farah",
            "199006022397",
            "199504242398",
            "Testsson",
            "0380-01",
        ):
            assert forbidden not in text
        assert all(i.provider == NAME and i.info_set == info_set and i.theme in ("work", "income") for i in items)
        assert all(i.kind in PROVIDER.labels for i in items)
        assert all(window(info_set, NOV).overlaps(i.period_start, i.period_end) for i in items)
        for reviewer in ("Göran Wallin", "Lejla Hodzic", "Amir Haddad", "Per Sand", "För få sökta jobb"):
            assert reviewer not in text


def test_empty_answers_are_nothing():
    head = {"sokande": {"personnummer": "199006022397", "fornamn": "A", "efternamn": "B"}, "arende": {}}
    assert PROVIDER.normalise("sanktioner", {**head, "sanktionsbeslut": []}, DEC) == []
    empty_plan = {**head, "handlingsplan": None, "nastaPlaneringssamtal": None}
    assert PROVIDER.normalise("handlingsplan", empty_plan, DEC) == []


def _drifts():
    cases = []
    for info_set in BASIC + EXTENDED:
        good = raw("af-sanctions" if info_set in ("sanktioner", "avaktualisering") else "single-adult", info_set)
        key = next(k for k in good if k not in ("sokande", "arende"))
        renamed = copy.deepcopy(good)
        renamed[key + "Lista"] = renamed.pop(key)
        missing_subject = copy.deepcopy(good)
        del missing_subject["sokande"]
        cases += [
            (info_set, renamed),
            (info_set, missing_subject),
            (info_set, []),
            (info_set, "text"),
            (info_set, {**good, key: "not a list or object"}),
        ]
    return cases


@pytest.mark.parametrize(("info_set", "payload"), _drifts())
def test_drifted_or_malformed_payloads_are_errors(info_set, payload):
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise(info_set, payload, DEC)
    assert error.value.reason == "unexpected_format" and error.value.provider == NAME


@pytest.mark.parametrize(
    ("info_set", "path", "value"),
    [
        ("inskrivning", ("inskrivningsperioder", 0, "inskrivenFrom"), "2026-13-01"),
        ("inskrivning", ("inskrivningsperioder", 0, "inskrivenFrom"), 20260302),
        ("sokandekategori", ("kategorier", 0, "kod"), 11),
        ("aktivitetsrapport", ("senasteAktivitetsrapport", "avserManad"), "2026-10-01"),
        ("aktivitetsrapport_innehall", ("aktivitetsrapporter", 0, "aktiviteter", 0, "aktivitetstyp"), "DANSA"),
        ("handlingsplan", ("handlingsplan", "sokomfattningProcent"), "100"),
        ("handlingsplan", ("nastaPlaneringssamtal", "form"), "BREV"),
        ("stod_och_ratt", ("arbetspraktik", "berattigad"), "J"),
        ("anvisningar", ("anvisningar", 0, "tjanst"), None),
        ("ersattningsansokan", ("ansokningar", 0, "status"), "OKAND"),
    ],
)
def test_wrong_types_and_values_are_errors(info_set, path, value):
    payload = raw("single-adult", info_set)
    target = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(ProviderError) as error:
        PROVIDER.normalise(info_set, payload, NOV)
    assert error.value.reason == "unexpected_format"


def test_unknown_extra_fields_are_ignored():
    payload = raw("single-adult", "inskrivning")
    payload["nyttFalt"] = {"x": 1}
    payload["inskrivningsperioder"][1]["extra"] = "ok"
    assert len(PROVIDER.normalise("inskrivning", payload, DEC)) == 1


def test_fetch_over_http_from_the_sandbox():
    with serve(create_sandbox_app(faults={"rules": []})) as base_url:
        client = ProviderClient(NAME, base_url, "sandbox-token")
        items = PROVIDER.fetch(client, "199504242398", "sanktioner", DEC)
        assert kinds(items) == ["sanction", "sanction"]
        assert PROVIDER.fetch(client, "199006022397", "handlingsplan", DEC)[1].period_start == date(2026, 12, 8)
        assert PROVIDER.fetch(client, "199312162390", "inskrivning", DEC) == []  # not registered: 404
        assert PROVIDER.fetch(client, "196108283166", "sanktioner", DEC) == []
