"""Run the sandbox locally: ``python -m devstack.sandbox [--host H] [--port P]``.

Token from ``PORTAL_SANDBOX_TOKEN`` (default ``sandbox-token``, matching the portal's
``PORTAL_SANDBOX_TOKEN`` default), persons from ``PORTAL_SANDBOX_PERSONS_DIR`` (default the
cast in devstack/testdata/persons), faults from ``PORTAL_SANDBOX_FAULTS``.
"""

from __future__ import annotations

import argparse
import logging
import os

from werkzeug.serving import run_simple

from . import create_sandbox_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_sandbox_app(
        persons_dir=os.environ.get("PORTAL_SANDBOX_PERSONS_DIR") or None,
        api_token=os.environ.get("PORTAL_SANDBOX_TOKEN", "sandbox-token"),
    )
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
