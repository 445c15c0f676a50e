"""``portal bench pages`` runs end to end (two seconds a page, not the benchmark's figures): every page answered
under gunicorn with the logged-in sessions, its SQL statements counted, the ratios to the bare page printed
with the worst last."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from devstack.bench import PG_ENV
from devstack.bench_pages import PAGES
from devstack.cli import bench

pytestmark = [
    pytest.mark.integration,
    pytest.mark.own_processes,
    pytest.mark.skipif(not os.environ.get(PG_ENV), reason="the pages benchmark runs on PostgreSQL"),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (bin/test installs it) is not installed"),
]


def test_bench_pages_measures_every_page_beside_the_bare_one():
    result = CliRunner().invoke(
        bench,
        ["pages", "--seconds", "2", "--warmup", "0", "--cases", "3", "--connections", "4"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "=" in line]
    figures = dict(line.split("=", 1) for line in lines)
    assert int(figures["information_items"]) > 0 and figures["information_fetch_calls_not_done"] == "0"
    assert figures["inbox_cases"] == "3"
    assert float(figures["bare_requests_per_s"]) > 0 and float(figures["bare_server_cpu_ms"]) > 0
    # The floor (the bare page plus the session read and the audit record every logged-in page makes) answered
    # under gunicorn with the citizen's session, every request.
    assert float(figures["floor_requests_per_s"]) > 0 and figures["floor_errors"] == "0"
    assert float(figures["floor_ratio"]) > 0 and float(figures["floor_cpu_ratio"]) > 0
    for page in PAGES:
        assert float(figures[f"{page}_requests_per_s"]) > 0, page
        assert figures[f"{page}_errors"] == "0", page
        assert 0 < float(figures[f"{page}_p50_ms"]) <= float(figures[f"{page}_p95_ms"]), page
        # The anonymous start page keeps no session and reads nothing; every logged-in page reads its rows.
        assert int(figures[f"{page}_sql_statements"]) >= (0 if page == "start" else 1), page
        assert float(figures[f"{page}_server_cpu_ms"]) > 0, page
        assert float(figures[f"{page}_cpu_ratio"]) > 0, page
    ratios = [
        (line.split("=")[0].removesuffix("_ratio"), float(line.split("=")[1]))
        for line in lines
        if line.split("=")[0].removesuffix("_ratio") in PAGES and "_ratio=" in line
    ]
    assert sorted(name for name, _ in ratios) == sorted(PAGES)
    assert [value for _, value in ratios] == sorted((value for _, value in ratios), reverse=True)
    assert lines[-1] == f"worst_ratio={ratios[-1][1]:.2f}"
