"""HTTP for calendar feeds: validators, 304s without building, and a small cache of bodies.

A subscribed calendar polls the same URL every few minutes, almost always for nothing new.
So a request first runs the feed's one aggregate query (see feeds.py): if the client's ETag
(or, without one, its If-Modified-Since) still matches, the answer is a bodiless 304. A client
without validators gets the bytes built for the same ETag earlier, when this worker still has
them; only a changed feed is built again.

On SQLite the fingerprint is kept until anything is committed (versions.py: one `PRAGMA
data_version` per request instead of the aggregate). Elsewhere a deployment may let public
feeds skip that query for a few seconds (CALENDAR_STATE_TTL, off by default; see StateCache).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import partial

from flask import Flask, Response, abort, current_app, request

from webapp.calendars.state import FeedState, Prepared
from webapp.calendars.versions import versioned_states

CONTENT_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 900  # seconds: calendar clients poll; fifteen minutes keeps them close to the truth
DEFAULT_CACHE_BYTES = 32 * 1024 * 1024


class FeedCache:
    """Built bodies by content key (the ETag, or for personal feeds a hash of what they
    show); least recently used out beyond a byte budget. Shared by a worker's threads."""

    def __init__(self, max_bytes: int) -> None:
        """An empty cache holding at most `max_bytes` of bodies."""
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The body built for this content, if this worker still has it."""
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        """Keep a freshly built body; the least recently used go beyond the budget."""
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        """Forget everything (tests, benchmarks)."""
        with self._lock:
            self._entries.clear()
            self._size = 0


def feed_cache(app: Flask) -> FeedCache:
    """The app's cache, created on first use; CALENDAR_CACHE_BYTES=0 turns it off."""
    cache = app.extensions.get("calendar_feed_cache")
    if cache is None:
        cache = FeedCache(int(app.config.get("CALENDAR_CACHE_BYTES", DEFAULT_CACHE_BYTES)))
        app.extensions["calendar_feed_cache"] = cache
    return cache


MAX_STATE_TTL = 10.0  # seconds: the most CALENDAR_STATE_TTL may be (config refuses more)
STATE_CACHE_ENTRIES = 10_000  # beyond this the state cache starts afresh (ids come from URLs)


class StateCache:
    """Public feeds' fingerprints for a few seconds, per worker: CALENDAR_STATE_TTL, 0 (the
    default) turns it off and every request asks the database.

    Why it is safe when on: feed responses already say `max-age=900`, so a client or a
    shared cache may reuse one for 15 minutes without asking. Answering from a fingerprint
    at most TTL seconds old adds at most TTL seconds to that, in every worker, whatever made
    the change (ORM, a Core bulk UPDATE, another process): nothing here decides "unchanged"
    for longer than the TTL. ETag and body still come from the same fingerprint. Personal
    feeds never use it: a reset token must stop working at once."""

    def __init__(self, ttl: float) -> None:
        """An empty cache keeping fingerprints `ttl` seconds."""
        self.ttl = ttl
        self._entries: dict[tuple, tuple[float, FeedState | None]] = {}

    def load(self, key: tuple, load_state: Callable[[], FeedState | None]) -> FeedState | None:
        """The fingerprint remembered for `key` if younger than the TTL, else a fresh one."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        state = load_state()
        if len(self._entries) >= STATE_CACHE_ENTRIES:
            self._entries = {}
        self._entries[key] = (now + self.ttl, state)
        return state


def state_cache(app: Flask) -> StateCache | None:
    """The app's fingerprint cache, or None when CALENDAR_STATE_TTL is 0 (the default).
    Consulted only where the exact data_version cache is not used (PostgreSQL)."""
    ttl = min(float(app.config.get("CALENDAR_STATE_TTL", 0)), MAX_STATE_TTL)
    if ttl <= 0:
        return None
    cache = app.extensions.get("calendar_state_cache")
    if cache is None or cache.ttl != ttl:
        cache = app.extensions["calendar_state_cache"] = StateCache(ttl)
    return cache


def not_modified(etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    # A subscribed calendar sends back exactly the tag it was given: compare the raw header
    # first, before parsing it into a set of tags (weak forms, lists and * go the long way).
    if request.environ.get("HTTP_IF_NONE_MATCH") == f'"{etag}"':
        return True
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    if since is not None and last_modified is not None:
        return last_modified.replace(microsecond=0) <= since
    return False


def calendar_response(
    load_state: Callable[[], FeedState | None],
    build: Callable[[FeedState, str], bytes] | None = None,
    *,
    prepare: Callable[[FeedState, str], Prepared] | None = None,
    filename: str,
    state_key: tuple,
    private: bool = False,
) -> Response:
    """Answer a feed request: 404, 304 from the aggregate alone, or the calendar's bytes.

    `build(state, base_url)` makes the bytes of a feed whose ETag identifies its content;
    `prepare` instead names the content itself (personal feeds) and builds it on demand.
    `state_key` names the feed in the fingerprint caches (the TTL one: public feeds only)."""
    exact = versioned_states(current_app)
    if exact is not None:
        # Also what the check after a build asks: the same PRAGMA when nothing changed.
        load_state = partial(exact.load, state_key, load_state)
        state = load_state()
    else:
        states = state_cache(current_app) if not private else None
        state = states.load(state_key, load_state) if states is not None else load_state()
    if state is None:
        abort(404)
    if not state.publishable:
        abort(404, description="Not in calendars: the exact dates of this event are not "
                               "recorded.")
    base_url = current_app.config["BASE_URL"]
    etag = state.etag(base_url)
    headers = {"Cache-Control": f"{'private' if private else 'public'}, max-age={MAX_AGE}"}
    if private:
        # The URL is the secret: keep it out of Referer headers and search engines.
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if not_modified(etag, state.last_modified):
        response = Response(status=304, headers=headers)
    else:
        if prepare is not None:
            prepared = prepare(state, base_url)
        else:
            prepared = Prepared(etag, lambda: build(state, base_url))
        cache = feed_cache(current_app)
        body = cache.get(prepared.cache_key)
        if body is None:
            body = prepared.build()
            # Cache only if nothing changed while building (misses only: a second aggregate,
            # or on SQLite a second PRAGMA when no commit came meanwhile).
            if load_state() == state:
                cache.put(prepared.cache_key, body)
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response = Response(body, headers=headers, content_type=CONTENT_TYPE)
    response.set_etag(etag)
    if state.last_modified is not None:
        response.last_modified = state.last_modified
    return response
