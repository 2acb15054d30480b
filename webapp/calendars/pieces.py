"""Built VEVENTs kept by the version of the rows they were built from, shared by all feeds.

A feed is its calendar properties, the VTIMEZONEs it needs and one piece (ical.Piece) per
event or agenda item. The 13,000 delegates of a forum each have their own feed, but the
forum's 500 agenda items are the same 500 pieces in every one of them: written once, then
reused by every feed that holds them.

A piece is kept under what it was written from: the site address, the event's id,
updated_at and sequence (and, for an agenda item, the item's own), and the person's variant
(a waiting-list place). Any change to one of those rows gives it a new updated_at (the
models' `onupdate`), hence a new key: a piece of an older version is never looked up again,
it only ages out. So this cache can make a feed faster, never different; with
CALENDAR_CACHE_BYTES=0 every piece is written afresh, and the tests compare the two.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from flask import Flask, current_app

from webapp.calendars.ical import Piece

DEFAULT_CACHE_BYTES = 32 * 1024 * 1024


class PieceCache:
    """Pieces by key, least recently used out beyond a byte budget; shared by a worker's
    threads."""

    def __init__(self, max_bytes: int) -> None:
        """An empty cache holding at most `max_bytes` of pieces."""
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Piece] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[Hashable]) -> list[Piece | None]:
        """The piece kept for each key, or None."""
        with self._lock:
            found = []
            for key in keys:
                piece = self._entries.get(key)
                if piece is not None:
                    self._entries.move_to_end(key)
                found.append(piece)
            return found

    def put_many(self, entries: Sequence[tuple[Hashable, Piece]]) -> None:
        """Keep freshly built pieces; the least recently used go beyond the budget."""
        with self._lock:
            for key, piece in entries:
                if len(piece.data) > self.max_bytes:
                    continue
                old = self._entries.pop(key, None)
                if old is not None:
                    self._size -= len(old.data)
                self._entries[key] = piece
                self._size += len(piece.data)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.data)

    def clear(self) -> None:
        """Forget everything (benchmarks measure the first build this way)."""
        with self._lock:
            self._entries.clear()
            self._size = 0


def piece_cache(app: Flask) -> PieceCache:
    """The app's cache, made on first use; CALENDAR_CACHE_BYTES=0 keeps nothing."""
    cache = app.extensions.get("calendar_pieces")
    if cache is None:
        budget = int(app.config.get("CALENDAR_CACHE_BYTES", DEFAULT_CACHE_BYTES))
        cache = app.extensions["calendar_pieces"] = PieceCache(budget)
    return cache


# Builds the pieces of the keys at some positions: for each, the piece and whether it may be
# kept under its key (not when the rows loaded were already of a newer version).
Builder = Callable[[list[int]], list[tuple[Piece, bool]]]


def cached_pieces(keys: Sequence[Hashable], build: Builder) -> list[Piece]:
    """One piece per key, in order: kept ones as they are, the others built (and kept)."""
    cache = piece_cache(current_app)
    found = cache.get_many(keys)
    missing = [n for n, piece in enumerate(found) if piece is None]
    if not missing:
        return found
    built = build(missing)
    cache.put_many([(keys[n], piece) for n, (piece, keep) in zip(missing, built, strict=True)
                    if keep])
    for n, (piece, _keep) in zip(missing, built, strict=True):
        found[n] = piece
    return found
