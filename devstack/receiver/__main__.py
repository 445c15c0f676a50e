"""Run the sample municipality receiver: ``python -m devstack.receiver [--host H] [--port P]``.

The port defaults to that of ``PORTAL_RECEIVER_URL`` (else 5003, the demo's). Secrets for the routing
configuration's local webhook inboxes on that port come from ``PORTAL_WEBHOOK_SECRET_<NAME>``; the demo's
Västerås secret defaults to the one ``portal demo`` uses. Its own pages (``/cases``, ``/_control``) need
``Authorization: Bearer $PORTAL_RECEIVER_TOKEN`` (the demo's token when unset). ``--store FILE`` (or
``PORTAL_RECEIVER_STORE``) keeps the cases and the ids and signatures seen across restarts; without it they
are kept in memory.
"""

from __future__ import annotations

import argparse
import logging
import os
from urllib.parse import urlsplit

from werkzeug.serving import run_simple

from . import DEMO_TOKEN, TOKEN_ENV, create_receiver_app, local_secrets, token_from_env

DEMO_SECRETS = {"PORTAL_WEBHOOK_SECRET_VASTERAS": "demo-webhook-secret"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.receiver")
    parser.add_argument("--host", default="127.0.0.1")
    configured = os.environ.get("PORTAL_RECEIVER_URL", "")
    parser.add_argument("--port", type=int, default=urlsplit(configured).port if configured else 5003)
    parser.add_argument(
        "--store",
        default=os.environ.get("PORTAL_RECEIVER_STORE") or None,
        help="SQLite file keeping cases, ids and signatures seen (default: memory)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for name, value in DEMO_SECRETS.items():
        os.environ.setdefault(name, value)
    secrets = local_secrets(args.port, f"http://localhost:{args.port}")
    logging.getLogger("devstack.receiver").info("receiving for inboxes: %s", ", ".join(sorted(secrets)) or "none")
    if not os.environ.get(TOKEN_ENV):
        logging.getLogger("devstack.receiver").warning(
            "%s is not set: its pages take the demo's token %r", TOKEN_ENV, DEMO_TOKEN
        )
    run_simple(
        args.host, args.port, create_receiver_app(secrets, token=token_from_env(), store=args.store), threaded=True
    )


if __name__ == "__main__":
    main()
