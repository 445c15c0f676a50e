"""The ``portal`` command: Flask's CLI plus the project's own commands.

Each command imports what it runs inside itself, on purpose: the command line sits above every layer, and
``portal db upgrade`` or ``portal --help`` should not load the whole portal (nor its workers' modules)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from portal import create_app

# imports inside functions: each command loads only what it runs (the docstring above)


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Egna utrymmet portal."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from portal.database import upgrade

    upgrade(current_app.config["PORTAL"].database_url)
    click.echo("database up to date")


@main.command()
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds to wait when nothing is due.")
@click.option(
    "--heartbeat",
    "heartbeat_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Heartbeat file (default PORTAL_WORKER_HEARTBEAT or <instance>/worker.heartbeat).",
)
@click.option("--check", is_flag=True, help="Exit 0 if the worker's loop beat within --max-age seconds, else 1.")
@click.option("--max-age", default=60.0, show_default=True, help="With --check: the oldest acceptable beat.")
def worker(once: bool, interval: float, heartbeat_file: Path | None, check: bool, max_age: float) -> None:
    """Deliver sent applications to their inboxes, send notifications and serve decisions (run one or more alongside
    the portal)."""
    from portal.case.notify import send_pending, start_thread
    from portal.delivery.services import run_once
    from portal.ops import heartbeat

    path = heartbeat_file or heartbeat.default_path(current_app.config["PORTAL"].instance_path)
    if check:
        seconds = heartbeat.age(path)
        click.echo("alive" if heartbeat.alive(path, max_age) else "not alive", nl=False)
        click.echo(f" last_beat_s={seconds:.1f}" if seconds is not None else " no_heartbeat")
        raise SystemExit(0 if heartbeat.alive(path, max_age) else 1)
    if once:
        click.echo(f"delivered={run_once()}")
        click.echo(f"notified={send_pending()}")
        from portal.delgivning.services import serve_pending

        # Decisions due to be served (digital mail, else the print queue), as the long-running loop does.
        click.echo(f"served={serve_pending()}")
        from portal.rights.copy import run_once as prepare_copies

        click.echo(f"data_copies={prepare_copies()}")
    else:
        # current_app is a LocalProxy, typed as the Flask app it stands for.
        app = current_app._get_current_object()  # pyright: ignore[reportAttributeAccessIssue]
        notifier = start_thread(app, interval)  # notifications, in their own loop
        heartbeat.run_worker(app, interval, path, also_alive=[notifier])


@main.command(with_appcontext=False, context_settings={"ignore_unknown_options": True})
@click.option("--bind", default=None, help="host:port (default PORTAL_BIND or 127.0.0.1:8000).")
@click.option(
    "--workers", type=int, default=None, help="Worker processes (default PORTAL_WEB_WORKERS, else 2 x CPUs + 1)."
)
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve(bind: str | None, workers: int | None, gunicorn_args: tuple[str, ...]) -> None:
    """Serve the portal under gunicorn (portal/ops/gunicorn_conf.py); run `portal db upgrade` first. Further
    arguments go to gunicorn."""
    from portal.ops import GUNICORN_CONFIG

    args = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    if bind:
        args += ["--bind", bind]
    if workers:
        args += ["--workers", str(workers)]
    os.execv(sys.executable, [*args, *gunicorn_args, "portal.ops.wsgi:app"])


@main.group()
def drafts() -> None:
    """Drafts."""


@drafts.command("purge")
@click.option("--days", default=30, show_default=True, help="Delete drafts unchanged for this many days.")
def drafts_purge(days: int) -> None:
    """Delete drafts unchanged for 30 days (schedule daily, e.g. a systemd timer or cron)."""
    from portal.application.services import purge_stale_drafts

    click.echo(f"purged={purge_stale_drafts(days)}")


def _register_dev_commands() -> None:
    """``portal demo`` and ``portal bench ...`` come from the development tools (the devstack package), loaded
    by name and only if installed: the product runs without them (tests/test_layout.py keeps portal from
    importing devstack), and with them, as in the repository's checkout, the same command grows their
    commands."""
    try:
        dev = importlib.import_module("devstack.cli")
    except ModuleNotFoundError as exc:
        if exc.name != "devstack":  # devstack is there but broken: say so rather than hide its commands
            raise
        return
    dev.register(main)


_register_dev_commands()


def _register_cases() -> None:
    from portal.archive.cli import cases  # archive packages and gallring (issue 17, point 4)

    main.add_command(cases)


_register_cases()


@main.group()
def i18n() -> None:
    """Translation catalogs."""


@i18n.command("check")
@click.option(
    "--language",
    "languages",
    multiple=True,
    help="Check this language (repeatable) instead of the enabled ones, e.g. one not enabled yet.",
)
def i18n_check(languages: tuple[str, ...]) -> None:
    """Fail when the catalog is stale, a message lacks a translation or a translation leaves the glossary."""
    from portal.i18n.catalog import check

    problems = check(languages) if languages else check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("catalogs complete")


@i18n.command("glossary")
@click.option("--merge", is_flag=True, help="Fill translations/glossary.csv from translations/glossary/<lang>.json.")
def i18n_glossary(merge: bool) -> None:
    """The glossary's terms per language; with --merge, take in the translators' choices."""
    from portal.i18n import glossary

    terms = glossary.load()
    if merge:
        problems = glossary.merge(terms)
        for problem in problems:
            click.echo(problem, err=True)
        glossary.save(terms)
    for language in glossary.LANGUAGES:
        explained = sum(1 for t in terms if t.explanation.get(language))
        rendered = sum(1 for t in terms if t.rule == "1" or t.forms(language))
        click.echo(f"language={language} terms={len(terms)} rendered={rendered} explained={explained}")
    if merge and problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
