"""The normalisers are checked against the person files as written, so a fetch over HTTP here is
made on the day the cast was written as seen on (devstack/sandbox/dates.py)."""

import pytest


@pytest.fixture(autouse=True)
def _on_the_authored_day(as_authored):
    return as_authored
