import csv

import pytest

from portal.config import REPO_ROOT
from portal.routing.services import UnknownMunicipality, municipalities, route


def test_all_290_municipalities_route_to_themselves():
    with (REPO_ROOT / "portal" / "data" / "kommuner.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 290 == len(municipalities())
    for row in rows:
        assert route(row["kommunkod"]).name == row["kommun"]


@pytest.mark.parametrize("code,name", [("0180", "Stockholm"), ("1480", "Göteborg"),
                                       ("1280", "Malmö"), ("2584", "Kiruna")])
def test_known_codes(code, name):
    assert route(code).name == name


@pytest.mark.parametrize("code", ["", "0000", "180", "01800", "abcd"])
def test_unknown_codes_are_refused(code):
    with pytest.raises(UnknownMunicipality):
        route(code)
