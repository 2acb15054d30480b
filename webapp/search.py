"""Small helpers for list pages: search patterns, page numbers and date parameters."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from webapp.forms import CONTROL_CHARACTER, DAY_FORMATS, read_when

# Far beyond any list here, and small enough that its offset fits every database's integer.
LAST_PAGE = 1_000_000


def query_text(args, name: str, limit: int = 200) -> str:
    """A text parameter of the query string (a search, a filter), trimmed and cut to `limit`.
    Control characters are dropped: no stored text holds one (see webapp.forms), and
    PostgreSQL refuses NUL outright."""
    return CONTROL_CHARACTER.sub("", args.get(name, "")).strip()[:limit]


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern (escape character \\), with % and _ taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with % and _ taken literally."""
    return f"%{escape_like(text)}%"


def matches_any(text: str, *columns) -> sa.ColumnElement[bool]:
    """A case-insensitive 'contains' filter over several columns, wildcards taken literally."""
    pattern = like_pattern(text)
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


def parse_day(raw: str | None, default: date) -> tuple[date, str | None]:
    """Parse a YYYY-MM-DD query parameter, read as the forms read dates (webapp.forms.
    read_when: a real date from 1900 to 2200); on bad input keep the default and say why."""
    if not raw:
        return default, None
    try:
        return read_when(CONTROL_CHARACTER.sub("", raw), DAY_FORMATS).date(), None
    except ValueError as exc:
        return default, _("%(problem)s Showing %(day)s.", problem=exc, day=default.isoformat())


def page_number(raw: str | None) -> int:
    """A page number from the query string: 1 for anything odd, at most LAST_PAGE."""
    try:
        return min(max(int(raw or 1), 1), LAST_PAGE)
    except ValueError:
        return 1
