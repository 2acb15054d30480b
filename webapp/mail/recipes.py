"""Messages written when they are sent: the outbox row holds a recipe, not the text.

A message queued with a recipe (mail.services.Email) keeps the recipe's name and arguments
(ids and short texts, as JSON); delivery writes it from the current state of the database
(an invitation then carries the event's latest SEQUENCE) and stores the result on the row, so
a retry sends the same bytes and the outbox shows what was sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from webapp.i18n import mail_language
from webapp.mail.services import (
    RENDERERS,
    RecipeError,
    Rendered,
    attachment_rows,
    recipe,
)
from webapp.models.mail import OutboxMessage

__all__ = ["RecipeError", "Rendered", "needs_rendering", "preview", "recipe", "render_pending"]


def _render(rows: Sequence[OutboxMessage]) -> list[Rendered | RecipeError]:
    """Render rows that hold a recipe, batch by recipe name and language (each batch in
    its recipients' language, whatever the worker's or the page's), in the rows' order."""
    results: list[Rendered | RecipeError] = [RecipeError("not rendered")] * len(rows)
    batches: dict[tuple[str, str | None], list[int]] = {}
    for position, row in enumerate(rows):
        batches.setdefault((row.recipe or "", row.language), []).append(position)
    for (name, language), positions in batches.items():
        renderer = RENDERERS.get(name)
        if renderer is None:
            for position in positions:
                results[position] = RecipeError(f"unknown mail recipe {name!r}")
            continue
        with mail_language(language):
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
        recipe_args=row.recipe_args, language=row.language,
    )
    copy.attachments = attachment_rows(result.attachments)
    return copy
