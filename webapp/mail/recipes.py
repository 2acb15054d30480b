"""Messages written when they are sent: the outbox row holds a recipe, not the text.

A registration answers faster when its request only records *that* a confirmation is due;
rendering two templates and an iCalendar invitation is the delivery worker's job. The same
holds for a forum change that must reach 13,000 registrants: one bulk insert in the request
instead of 13,000 rendered messages. The row keeps the recipe's name and arguments (ids and
short texts, as JSON); delivery renders it from the current state of the database (the
invitation then carries the event's latest SEQUENCE) and stores the result on the row, so a
retry sends the same bytes and the outbox shows what was sent.

Renderers take a batch of argument dicts, so that they can load what they need in a few
queries; each returns a `Rendered` or a `RecipeError` per item, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from webapp.extensions import db
from webapp.mail.background import remember_all_due, remember_for_delivery
from webapp.mail.services import Attachment, attachment_rows, outbox_headers
from webapp.models.mail import OutboxMessage

outbox = OutboxMessage.__table__
INSERT_ONE = sa.insert(outbox).returning(outbox.c.id)
INSERT_MANY = sa.insert(outbox)


class RecipeError(Exception):
    """A recipe that cannot be rendered (e.g. its registration was deleted): the message is
    kept and marked failed with this reason."""


@dataclass(frozen=True)
class Rendered:
    """A recipe's result: the bodies and attachments of the message."""

    body_text: str
    body_html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


Renderer = Callable[[Sequence[dict[str, Any]]], list["Rendered | RecipeError"]]
RENDERERS: dict[str, Renderer] = {}


def recipe(name: str) -> Callable[[Renderer], Renderer]:
    """Register a batch renderer under a name stored in outbox rows (never rename one)."""

    def register(renderer: Renderer) -> Renderer:
        RENDERERS[name] = renderer
        return renderer

    return register


@dataclass(frozen=True)
class Recipe:
    """One message to queue: who gets it, its subject, and how to write it later."""

    to: str
    subject: str
    name: str
    args: dict[str, Any]
    to_name: str | None = None


def _row(item: Recipe) -> dict[str, Any]:
    """The outbox row of a recipe; headers are checked now, as queue_email does."""
    if item.name not in RENDERERS:
        raise ValueError(f"unknown mail recipe {item.name!r}")
    return {**outbox_headers(item.to, item.subject, item.to_name),
            "recipe": item.name, "recipe_args": item.args}


def queue_recipes(items: Iterable[Recipe], *, skip_invalid: bool = False) -> int:
    """Add messages to the outbox in the current transaction, rendered at delivery; one
    statement whatever their number. Never commits. Returns how many were queued.

    A recipient address or header the mail layer refuses raises ValueError, or with
    `skip_invalid` is logged and left out (a bulk send reaches everyone else)."""
    rows = []
    for item in items:
        try:
            rows.append(_row(item))
        except ValueError as exc:
            if not skip_invalid:
                raise
            current_app.logger.warning("mail to %r not queued: %s", item.to, exc)
    if not rows:
        return 0
    if len(rows) == 1:
        message_id = db.session.execute(INSERT_ONE, rows[0]).scalar_one()
        remember_for_delivery(message_id)
        return 1
    # One executemany; the after-commit sender then delivers whatever is due.
    db.session.execute(INSERT_MANY, rows)
    remember_all_due()
    return len(rows)


def queue_recipe(to: str, subject: str, name: str, args: dict[str, Any], *,
                 to_name: str | None = None) -> None:
    """One message rendered at delivery (see queue_recipes)."""
    queue_recipes([Recipe(to, subject, name, args, to_name)])


def _render(rows: Sequence[OutboxMessage]) -> list[Rendered | RecipeError]:
    """Render rows that hold a recipe, batch by recipe name, in the rows' order."""
    results: list[Rendered | RecipeError] = [RecipeError("not rendered")] * len(rows)
    by_name: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        by_name.setdefault(row.recipe or "", []).append(position)
    for name, positions in by_name.items():
        renderer = RENDERERS.get(name)
        if renderer is None:
            for position in positions:
                results[position] = RecipeError(f"unknown mail recipe {name!r}")
            continue
        rendered = renderer([rows[p].recipe_args or {} for p in positions])
        for position, result in zip(positions, rendered, strict=True):
            results[position] = result
    return results


def needs_rendering(row: OutboxMessage) -> bool:
    """A recipe row whose text is not written yet."""
    return row.recipe is not None and row.body_text is None


def render_pending(rows: Iterable[OutboxMessage]) -> dict[int, str]:
    """Write the text of recipe rows in place (flushed with the caller's transaction).
    Returns {row id: reason} for the rows that cannot be rendered."""
    pending = [row for row in rows if needs_rendering(row)]
    problems: dict[int, str] = {}
    for row, result in zip(pending, _render(pending), strict=True):
        if isinstance(result, RecipeError):
            problems[row.id] = str(result)
            continue
        row.body_text, row.body_html = result.body_text, result.body_html
        row.attachments.extend(attachment_rows(result.attachments))
    return problems


def preview(row: OutboxMessage) -> OutboxMessage:
    """The row as it would be sent now, without changing it: a recipe row not yet rendered
    comes back as a detached copy with its text (for the outbox page and its .eml)."""
    if not needs_rendering(row):
        return row
    [result] = _render([row])
    if isinstance(result, RecipeError):
        raise result
    copy = OutboxMessage(
        id=row.id, message_id=row.message_id, to_address=row.to_address, to_name=row.to_name,
        subject=row.subject, body_text=result.body_text, body_html=result.body_html,
        status=row.status, created_at=row.created_at, recipe=row.recipe,
        recipe_args=row.recipe_args,
    )
    copy.attachments = attachment_rows(result.attachments)
    return copy
