"""`flask --app webapp users ...`: accounts made from the command line (the first one)."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from webapp.auth.services import MIN_PASSWORD_LENGTH
from webapp.extensions import db
from webapp.models import Region, Role, User

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--region", "region_slug", help="Region slug (required for coordinators).")
@click.option("--name", "full_name", help="Full name (defaults to the email).")
def create_user(email: str, role: str, region_slug: str | None, full_name: str | None):
    """Create an account with a password read from a prompt or from stdin."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(f"an account with {email} already exists")
    region = None
    if region_slug:
        region = db.session.scalars(sa.select(Region).filter_by(slug=region_slug)).first()
        if region is None:
            raise click.ClickException(f"no region with slug {region_slug!r}")
    if role == Role.COORDINATOR and region is None:
        raise click.ClickException("a coordinator needs --region SLUG")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password needs {MIN_PASSWORD_LENGTH}+ characters")
    user = User(email=email, full_name=full_name or email, role=Role(role),
                region_id=region.id if region and role == Role.COORDINATOR else None)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} account {email}.")
