"""`flask --app webapp privacy sweep`: the retention sweep, from cron or the mail worker."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from webapp.clock import now
from webapp.extensions import db
from webapp.privacy.notice import retention_months
from webapp.privacy.retention import due_for_retention, per_event, sweep, sweep_summary

privacy_cli = AppGroup("privacy", help="Personal data: the retention sweep.")


def _listing(due) -> None:
    """Per event: how many, and who."""
    for title, group in per_event(due).items():
        ended = group[0].ended.strftime("%Y-%m-%d")
        click.echo(f"{title} (ended {ended}): {len(group)}")
        for one in group:
            kind = "public registrant" if one.kind == "public" else "delegate or guest"
            click.echo(f"  #{one.person_id} {one.name} ({kind})")


@privacy_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="List who would be anonymised; change nothing.")
def sweep_command(dry_run: bool) -> None:
    """Anonymise the people whose retention period has ended."""
    public, network = retention_months()
    click.echo(f"Retention: public registrants {public} months, delegates, guests and "
               f"representatives {network} months after their last event.")
    if dry_run:
        due = due_for_retention(now())
        db.session.rollback()
        _listing(due)
        click.echo(f"Dry run: {len(due)} {'person' if len(due) == 1 else 'people'} would be "
                   "anonymised; nothing changed.")
        return
    done, kept = run_sweep()
    _listing(done)
    for one, reason in kept:
        click.echo(f"Kept #{one.person_id}: {reason}")
    click.echo(sweep_summary(done, kept) + ".")


def run_sweep():
    """One committed sweep (the mail worker's daily job calls this too)."""
    done, kept = sweep(now())
    db.session.commit()
    return done, kept
