"""Small helpers for list pages: search patterns and date parameters."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_any(text: str, *columns) -> sa.ColumnElement[bool]:
    """A case-insensitive 'contains' filter over several columns, wildcards taken literally."""
    pattern = like_pattern(text)
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


def parse_day(raw: str | None, default: date) -> tuple[date, str | None]:
    """Parse a YYYY-MM-DD query parameter; on bad input keep the default and say why."""
    if not raw:
        return default, None
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return default, f"“{raw}” is not a date (use YYYY-MM-DD); showing {default.isoformat()}."
