"""URL rules' integers, and absolute links to the public site, for mail, calendars and
feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter, Map

# The largest value of the database's INTEGER columns (PostgreSQL's; SQLite's is wider).
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route, at most LARGEST_ID: a longer number matches no page (404)
    instead of overflowing in the database (a 500)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = LARGEST_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def absolute_url(endpoint: str, **values) -> str:
    """A URL on the public site (BASE_URL), whatever host a request came in on, and outside
    requests too (mail queued from a command or a worker)."""
    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
