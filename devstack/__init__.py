"""The development stand-ins beside the product (issue 21, point 4): the test identity provider (``idp``), the
sandbox providers (``sandbox``), the sample municipality receiver (``receiver``), the demo's mail sink
(``mailsink``), the whole local stack in one process (``stack``), the benchmarks (``bench``, ``bench_pages``,
``bare``) and the cast of test persons and staff (``testdata``). The portal never imports this package; the
``portal`` command loads :mod:`devstack.cli` when it is installed, and the demo and the tests use it directly."""

from __future__ import annotations

from pathlib import Path

TESTDATA = Path(__file__).resolve().with_name("testdata")
PERSONS_DIR = TESTDATA / "persons"
#: The demo's and the tests' staff directory (PORTAL_STAFF_DIRECTORY's format), shared with the test IdP.
STAFF_FILE = TESTDATA / "staff.json"
