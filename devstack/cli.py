"""The development commands of ``portal``: ``portal demo`` (the whole local stack) and ``portal bench ...``.
portal/cli.py adds them when this package is installed (:func:`register`); the product's own commands never
need them."""

from __future__ import annotations

import time

import click

from devstack.bench import bench
from devstack.bench_pages import bench_pages
from devstack.receiver import TOKEN_ENV, token_from_env
from devstack.stack import start_stack
from portal.config import Config

bench.add_command(bench_pages)


@click.command()
def demo() -> None:
    """Run the whole demo: portal, test identity provider and sandbox providers (SQLite)."""
    config = Config.from_env()
    stack = start_stack(config)
    click.echo(f"portal={config.base_url}")
    click.echo(f"identity_provider={config.idp_url}")
    click.echo(f"sandbox_providers={config.sandbox_url}")
    click.echo(f"municipality_inbox={config.base_url}/municipality/")
    if config.receiver_url:
        click.echo(
            f"sample_municipality_receiver={config.receiver_url} (a municipality system receiving webhooks; "
            f"its /cases need 'Authorization: Bearer {token_from_env()}', set by {TOKEN_ENV})"
        )
    if stack.mail_sink is not None:
        click.echo(f"demo_mailbox={config.demo_mailbox_url}/ (mails and SMS the portal sent)")
    click.echo("Open the portal URL; log in as any test person. Ctrl+C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stack.shutdown()


def register(main: click.Group) -> None:
    """Add the development commands to the ``portal`` command group."""
    main.add_command(demo)
    main.add_command(bench)
