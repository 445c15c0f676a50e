"""``portal cases``: export a case's archive package, purge what is due (gallring).

Cases are named by their case number (diarienummer) or reference, never by a personnummer, and
nothing printed or logged names a person."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.application.models import Application
from portal.archive import package as packages
from portal.archive import retention
from portal.audit.services import record
from portal.extensions import db


@click.group(cls=AppGroup)
def cases() -> None:
    """Cases after delivery: archive packages and gallring."""


@cases.command("export")
@click.option("--case", "case_number", required=True, help="The case number (e.g. EB-2026-000123) or reference.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the ZIP to (made if missing).",
)
def export(case_number: str, out_dir: Path) -> None:
    """Write the case's archive package (ZIP) to OUT and print its path and checksum."""

    wanted = case_number.strip().upper()
    if re.fullmatch(r"\d{6}(\d{2})?[-+]?\d{4}", wanted):
        # Looks like a personnummer: refused without repeating it (it would stay in the shell's history
        # and the job's log, which is why cases are named by case number).
        raise click.ClickException("give the case number or reference, never a personnummer")
    found = list(
        db.session.scalars(
            select(Application).where(
                (func.upper(Application.case_number) == wanted) | (func.upper(Application.reference) == wanted)
            )
        )
    )
    if len(found) != 1:
        raise click.ClickException(f"no case {case_number!r}" if not found else f"{case_number!r} is ambiguous")
    application = found[0]
    try:
        package = packages.build(application)
    except packages.NotArchivable:
        raise click.ClickException(f"{case_number!r} was never sent: nothing to archive") from None
    record(
        "read",
        "archive_package",
        application.id,
        "archive package exported from the command line",
        subject_id=application.applicant_id,
    )
    db.session.commit()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = package.zip_bytes()
    target = out_dir / package.name
    target.write_bytes(data)
    click.echo(f"path={target}")
    click.echo(f"files={len(package.files) + 1}")
    click.echo(f"sha256={hashlib.sha256(data).hexdigest()}")


@cases.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due; change nothing.")
def purge(dry_run: bool) -> None:
    """Purge the finished cases whose municipality's retention has run out (schedule daily)."""
    counts = retention.purge(dry_run=dry_run)
    for code, count in sorted(counts.items()):
        click.echo(f"municipality={code} cases={count}")
    click.echo(f"{'due' if dry_run else 'purged'}={sum(counts.values())}")
