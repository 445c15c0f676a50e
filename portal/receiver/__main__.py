"""Run the sample municipality receiver: ``python -m portal.receiver [--host H] [--port P]``.

The port defaults to that of ``PORTAL_RECEIVER_URL`` (else 5003, the demo's). Secrets for the routing
configuration's local webhook inboxes on that port come from ``PORTAL_WEBHOOK_SECRET_<NAME>``; the demo's
Västerås secret defaults to the one ``portal demo`` uses.
"""

from __future__ import annotations

import argparse
import logging
import os
from urllib.parse import urlsplit

from werkzeug.serving import run_simple

from . import create_receiver_app, local_secrets

DEMO_SECRETS = {"PORTAL_WEBHOOK_SECRET_VASTERAS": "demo-webhook-secret"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m portal.receiver")
    parser.add_argument("--host", default="127.0.0.1")
    configured = os.environ.get("PORTAL_RECEIVER_URL", "")
    parser.add_argument("--port", type=int, default=urlsplit(configured).port if configured else 5003)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name, value in DEMO_SECRETS.items():
        os.environ.setdefault(name, value)
    secrets = local_secrets(args.port, f"http://localhost:{args.port}")
    logging.getLogger("portal.receiver").info("receiving for inboxes: %s", ", ".join(sorted(secrets)) or "none")
    run_simple(args.host, args.port, create_receiver_app(secrets), threaded=True)


if __name__ == "__main__":
    main()
