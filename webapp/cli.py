"""Flask commands: seed the network's history, prepare the database, start the app."""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError
from werkzeug import serving

from webapp.extensions import db
from webapp.models import Region
from webapp.participation.demo import load_illustrative_participation
from webapp.seed import SeedReport, load_network_history


def seed_everything(illustrative: bool = True) -> SeedReport:
    """The recorded history, then (unless asked not to) the illustrative participation."""
    report = load_network_history()
    if illustrative:
        extra = load_illustrative_participation()
        for mine, theirs in ((report.created, extra.created), (report.updated, extra.updated)):
            for table, count in theirs.items():
                mine[table] = mine.get(table, 0) + count
    return report


def _database_error(exc: Exception) -> click.ClickException:
    """One readable line instead of a traceback when the database cannot be reached."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return click.ClickException(f"cannot use the database: {reason}")


def prepare_database() -> bool:
    """Upgrade the schema to the newest revision; seed the history and the demo registrations
    when there are no regions, so that a first run shows filled pages.

    Returns whether the history was seeded."""
    from webapp.registrations.demo import load_demo

    try:
        upgrade(directory=current_app.extensions["migrate"].directory)
        if db.session.scalar(sa.select(sa.func.count()).select_from(Region)):
            return False
        seed_everything()
        load_demo()
        db.session.commit()
        return True
    except OperationalError as exc:
        raise _database_error(exc) from None


@click.command("seed")
@with_appcontext
@click.option("--history-only", is_flag=True,
              help="Skip the illustrative participation history (delegations and fees).")
def seed_command(history_only: bool) -> None:
    """Load the network's recorded history and an illustrative participation history
    (marked as such); safe to run again: changes nothing twice."""
    try:
        report = seed_everything(illustrative=not history_only)
        db.session.commit()
    except OperationalError as exc:
        raise _database_error(exc) from None
    if not report.changed:
        click.echo("History already loaded: nothing to change.")
        return
    for label, bucket in (("created", report.created), ("updated", report.updated)):
        for table, count in sorted(bucket.items()):
            click.echo(f"{label} {count:>3} {table}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add demo delegations and guests to CWF 2017 (every row marked demo; runs once)."""
    from webapp.registrations.demo import load_demo

    try:
        report = load_demo()
        db.session.commit()
    except OperationalError as exc:
        raise _database_error(exc) from None
    if report.skipped:
        click.echo("Demo registrations already loaded (or no CWF 2017): nothing to do.")
    else:
        click.echo(f"Demo: {report.delegates} delegates and {report.guests} guests "
                   "registered for CWF 2017.")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Bring the schema up to date and seed the history into an empty database."""
    seeded = prepare_database()
    click.echo("Schema up to date." + (
        " Network history loaded. Demo registrations for CWF 2017 loaded (marked demo)."
        if seeded else ""))


@click.command("start")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def start_command(host: str, port: int) -> None:
    """Prepare the database, print the URL and serve the app (development server)."""
    seeded = prepare_database()
    if seeded:
        click.echo("Loaded the network's history into a new database.")
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    listening = f"http://{shown_host}:{port}"
    if not os.environ.get("BASE_URL"):
        # Links in mail and calendars must reach this server, not a default port.
        current_app.config["BASE_URL"] = listening
    elif current_app.config["BASE_URL"].rstrip("/") != listening:
        click.echo(f"Note: BASE_URL is {current_app.config['BASE_URL']}; links in mail and "
                   f"calendars point there, not at {listening}.", err=True)
    click.echo(f"Districts of Creativity is running at {listening}/  (Ctrl+C stops)")
    # Flask refuses app.run() inside a CLI command; werkzeug's server is what it would use.
    serving.run_simple(host, port, current_app._get_current_object(), threaded=True)


# The app's own commands, beside each package's group (auth.cli, mail.cli).
COMMANDS = (seed_command, seed_demo_command, setup_command, start_command)
