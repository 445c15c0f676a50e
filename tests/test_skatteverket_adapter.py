from datetime import date

import pytest

from portal.providers.base import ProviderError
from portal.providers.skatteverket import parse_folkbokforing


def raw(**overrides):
    record = {
        "Identitetsbeteckning": "199006022397",
        "Namn": {"Fornamn": "Anders", "Mellannamn": None, "Efternamn": "Testsson"},
        "Fodelsedatum": "19900602",
        "Folkbokforing": {"LanKod": "14", "KommunKod": "80", "Folkbokforingsdatum": "20190301"},
        "Folkbokforingsadress": {
            "CareOf": None,
            "Utdelningsadress1": None,
            "Utdelningsadress2": "Storgatan 1",
            "PostNr": "411 01",
            "Postort": "GÖTEBORG",
        },
        "Sekretessmarkering": "N",
        "SkyddadFolkbokforing": "N",
        "Hushall": [
            {
                "Identitetsbeteckning": "201503122381",
                "Namn": {"Fornamn": "Lisa", "Efternamn": "Testsson"},
                "Fodelsedatum": "20150312",
                "Relation": "BARN",
            }
        ],
    }
    record.update(overrides)
    return record


def test_parses_household_and_municipality():
    result = parse_folkbokforing(raw())
    assert result.municipality_code == "1480"
    assert result.postal_code == "41101"
    assert result.street == "Storgatan 1"
    assert result.birth_date == date(1990, 6, 2)
    assert [(m.relation, m.given_name, m.birth_date) for m in result.members] == [("child", "Lisa", date(2015, 3, 12))]
    assert not result.protected


@pytest.mark.parametrize("marking", [{"Sekretessmarkering": "J"}, {"SkyddadFolkbokforing": "J"}])
def test_protected_identity_keeps_no_address_and_no_household(marking):
    result = parse_folkbokforing(raw(**marking))
    assert result.protected
    assert result.municipality_code == "1480"
    assert (result.street, result.postal_code, result.post_town) == (None, None, None)
    assert result.members == []


@pytest.mark.parametrize(
    "drifted",
    [
        {"Folkbokforing": None},
        {"Namn": "Anders"},
        {"Folkbokforing": {"Lan": "14", "Kommun": "80"}},
        {"Folkbokforing": {"LanKod": "1", "KommunKod": "4x"}},
    ],
)
def test_drifted_payload_is_a_provider_error(drifted):
    with pytest.raises(ProviderError) as error:
        parse_folkbokforing(raw(**drifted))
    assert error.value.reason == "unexpected_format"
