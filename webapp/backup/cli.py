"""`flask --app webapp backup PATH` and `flask --app webapp restore PATH`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from webapp.backup import KIND_NAMES, BackupError


def _size(size: int) -> str:
    """Bytes in words a person reads at a glance."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} bytes"


def _rows(rows: dict[str, int]) -> str:
    """The row counts: the total, then each table that has rows."""
    filled = ", ".join(f"{name} {count:,}" for name, count in sorted(rows.items()) if count)
    return f"{sum(rows.values()):,} rows in {len(rows)} tables ({filled or 'all empty'})"


def _failure(exc: Exception) -> click.ClickException:
    """One readable line instead of a traceback."""
    if isinstance(exc, BackupError):
        return click.ClickException(str(exc))
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return click.ClickException(f"cannot use the database: {reason}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent snapshot of the database to PATH while the site keeps serving."""
    from webapp.backup.snapshot import create_snapshot

    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists: choose a new name, or --force.")
    try:
        report = create_snapshot(path)
    except (BackupError, SQLAlchemyError) as exc:
        raise _failure(exc) from None
    click.echo(f"Snapshot written: {report.path} ({_size(report.size)}), "
               f"{KIND_NAMES[report.kind]}, schema revision {report.revision}.")
    click.echo(_rows(report.rows) + ".")
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Load a snapshot into the (empty) database DATABASE_URL names, check it against the
    snapshot, and bring its schema up to date."""
    from webapp.backup.restore import restore_snapshot

    try:
        report = restore_snapshot(path)
    except (BackupError, SQLAlchemyError) as exc:
        raise _failure(exc) from None
    click.echo(f"Restored {path} ({KIND_NAMES[report.source_kind]} snapshot, schema revision "
               f"{report.revision}) by {report.method}.")
    click.echo(_rows(report.rows) + ": every table matches the snapshot's checksums, and the "
               "seat counts match the registrations.")
    if report.upgraded_to != report.revision:
        click.echo(f"Schema upgraded from {report.revision} to {report.upgraded_to}.")


COMMANDS = (backup_command, restore_command)
