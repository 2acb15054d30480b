"""Absolute links to the public site, for mail, calendars and feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """A URL on the public site (BASE_URL), whatever host a request came in on, and outside
    requests too (mail queued from a command or a worker)."""
    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
