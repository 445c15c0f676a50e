"""``portal bench deliver`` runs end to end (a few applications, not the benchmark's figures): both runs,
their figures named, nothing lost or duplicated, ``duplicated`` the last line."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from devstack.bench import PG_ENV, bench


@pytest.mark.integration  # its own processes on PostgreSQL, though it asks for no fixture
@pytest.mark.skipif(not os.environ.get(PG_ENV), reason="the delivery benchmark runs on PostgreSQL")
def test_bench_deliver_prints_both_runs_and_loses_nothing():
    result = CliRunner().invoke(
        bench, ["deliver", "--applications", "12", "--inboxes", "3", "--wait", "60"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "=" in line]
    figures = dict(line.split("=", 1) for line in lines)
    for run in ("spread", "one_inbox"):
        assert figures[f"{run}_delivered"] == "12" and figures[f"{run}_lost"] == "0"
        assert figures[f"{run}_duplicated"] == "0" and figures[f"{run}_out_of_order"] == "0"
        assert float(figures[f"{run}_submissions_per_s"]) > 0
        assert float(figures[f"{run}_delivery_p50_ms"]) <= float(figures[f"{run}_delivery_p95_ms"])
    assert figures["spread_inboxes"] == "3" and figures["one_inbox_inboxes"] == "1"
    assert float(figures["submissions_per_s"]) == min(
        float(figures[f"{run}_submissions_per_s"]) for run in ("spread", "one_inbox")
    )
    assert figures["delivered"] == "24" and figures["lost"] == "0"
    assert lines[-1] == "duplicated=0"
