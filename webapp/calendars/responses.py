"""HTTP for calendar feeds: one path for every feed.

state query → 404, or ETag / Last-Modified → 304 without building, or build → bytes.
A subscribed calendar polls the same URL every few minutes, almost always for nothing new:
that poll costs the feed's one aggregate query (feeds.py). A changed feed is written from
pieces that are built once per version of their rows and shared by every feed (pieces.py).
No whole body is kept anywhere, so no worker can answer with an older one.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, current_app, request
from flask_babel import force_locale
from werkzeug.http import is_resource_modified

from webapp.calendars.feeds import FeedState
from webapp.i18n import language_tag, request_language

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 900  # seconds: calendar clients poll; fifteen minutes keeps them close to the truth


def calendar_response(
    state: FeedState | None,
    build: Callable[[FeedState, str], bytes],
    *,
    filename: str,
    private: bool = False,
) -> Response:
    """Answer a feed request: 404, 304 from the state alone, or the calendar's bytes, in the
    feed's language (the person's saved one, else the request's choice, else the forum's)."""
    if state is None:
        abort(404)
    if not state.publishable:
        abort(404, description="Not in calendars: the exact dates of this event are not "
                               "recorded.")
    base_url = current_app.config["BASE_URL"]
    language = request_language(state.own_language, state.forum_language)
    etag = state.etag(base_url, language)
    headers = {"Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}"}
    headers["Content-Language"] = language_tag(language)
    headers["Vary"] = "Accept-Language, Cookie"
    if private:
        # The URL is the secret: keep it out of Referer headers and search engines.
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    # RFC 9110 §13.2.2: If-None-Match (weak comparison) decides when sent, else
    # If-Modified-Since.
    if not is_resource_modified(request.environ, etag=etag, last_modified=state.last_modified):
        response = Response(status=304, headers=headers)
    else:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        with force_locale(language):
            body = build(state, base_url)
        response = Response(body, headers=headers, content_type=CONTENT_TYPE)
    response.set_etag(etag)
    if state.last_modified is not None:
        response.last_modified = state.last_modified
    return response
