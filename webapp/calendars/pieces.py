"""Built VEVENTs kept by the version of the rows they were built from, shared by all feeds.

A feed is its calendar properties, the VTIMEZONEs it needs and its pieces (ical.Piece: one
or more VEVENTs as bytes). The 13,000 delegates of a forum each have their own feed, but
the forum and its 500 agenda items are the same pieces in every one of them: written once,
then reused by every feed that holds them.

A piece is kept under the version row it was written from (read by the feed, see
`event_versions` and `item_versions`): an event's id, updated_at, sequence and the person's
variant (a waiting-list place); an agenda item's id, updated_at and sequence with the
fields of its event it shows; an event's whole agenda under the count, sum of sequences
and newest updated_at of its items. Each key also holds the language the piece is written
in (a cancelled event's "Cancelled:", an item's kind), the request's. Any change to such
a row gives it a new updated_at (the models' `onupdate`), hence a new key: a piece of an
older version is never looked up again, it only ages out, and a piece built from rows newer
than its key is served but not kept. So this cache can make a feed faster, never different;
with CALENDAR_CACHE_BYTES=0 every piece is written afresh, and the tests compare the two.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import get_locale

from webapp.calendars import ical
from webapp.calendars.ical import Piece
from webapp.extensions import db
from webapp.models import AgendaItem, Event

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


# --- version rows, and the pieces of a feed ------------------------------------------------


def _agenda_version(column, label: str) -> sa.Label:
    """One aggregate over the agenda of each event row (a range of
    ix_agenda_item_calendar_state)."""
    return (sa.select(column).where(AgendaItem.event_id == Event.id)
            .scalar_subquery().label(label))


# The version of each event's whole agenda, beside the event's own.
AGENDA_VERSION = (
    _agenda_version(sa.func.count(AgendaItem.id), "items"),
    _agenda_version(sa.func.coalesce(sa.func.sum(AgendaItem.sequence), 0), "item_sequences"),
    _agenda_version(sa.func.max(AgendaItem.updated_at), "items_newest"),
)


def event_versions(where, *columns) -> sa.Select:
    """The versions of the feed's events, in feed order, with what their items show."""
    return (
        sa.select(Event.id, Event.updated_at, Event.sequence, Event.title, Event.status,
                  Event.timezone, *columns)
        .where(where)
        .order_by(Event.starts_at, Event.id)
    )


def item_versions(where) -> sa.Select:
    """The versions of agenda items, in feed order."""
    return (
        sa.select(AgendaItem.id, AgendaItem.event_id, AgendaItem.updated_at,
                  AgendaItem.sequence)
        .where(where)
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    )


def _shown_event(event, base_url: str) -> tuple:
    """The event's fields an agenda item's VEVENT shows (from a version row or an Event),
    and the language it is written in."""
    return (base_url, str(get_locale()), event.id, event.title, event.status, event.timezone)


def row_pieces(base_url: str, events: Sequence[sa.Row], items: Sequence[sa.Row] = (),
               shown: dict[int, tuple] | None = None) -> list[ical.Piece]:
    """The pieces of these event version rows, then of these agenda item version rows (of
    those events, or of the events `shown` describes)."""
    shown = shown or {event.id: _shown_event(event, base_url) for event in events}
    language = str(get_locale())
    keys = [("event", base_url, language, tuple(event)) for event in events]
    keys += [("agenda", shown[item.event_id], tuple(item)) for item in items]
    return cached_pieces(
        keys, lambda missing: _build(base_url, events, items, missing, shown))


def _agendas(base_url: str, events: Sequence[sa.Row]) -> list[ical.Piece]:
    """Each event's whole agenda as one piece, kept under the event's fields its items show
    and the agenda's version (count, sum of sequences, newest update: any insert or update
    gives a newer time, a deletion a smaller count)."""
    keys = [("whole agenda", _shown_event(event, base_url),
             (event.items, event.item_sequences, event.items_newest)) for event in events]

    def build(missing: list[int]) -> list[tuple[ical.Piece, bool]]:
        """The items' pieces of each missing agenda, joined; kept if the rows read are
        the version asked for."""
        shown = {events[n].id: keys[n][1] for n in missing}
        rows = db.session.execute(item_versions(AgendaItem.event_id.in_(shown))).all()
        by_event: dict[int, list[tuple[sa.Row, ical.Piece]]] = {event_id: [] for event_id in shown}
        for row, piece in zip(rows, row_pieces(base_url, [], rows, shown), strict=True):
            by_event[row.event_id].append((row, piece))
        built = []
        for n in missing:
            mine = by_event[events[n].id]
            read = (len(mine), sum(row.sequence for row, _ in mine),
                    max((row.updated_at for row, _ in mine), default=None))
            built.append((ical.joined([piece for _, piece in mine]), read == keys[n][2]))
        return built

    return cached_pieces(keys, build)


def with_agendas(base_url: str, events: Sequence[sa.Row],
                  selections: dict[int, list[sa.Row]] | None = None) -> list[ical.Piece]:
    """Each event's piece followed by its agenda: the whole of it, or for the events in
    `selections` (a mission guest's) only the items selected there."""
    selections = selections or {}
    whole = [event for event in events if event.id not in selections and event.items]
    agendas = dict(zip((event.id for event in whole), _agendas(base_url, whole), strict=True))
    shown = {event.id: _shown_event(event, base_url) for event in events}
    pieces = []
    for event, piece in zip(events, row_pieces(base_url, events), strict=True):
        pieces.append(piece)
        if event.id in agendas:
            pieces.append(agendas[event.id])
        elif event.id in selections:
            pieces += row_pieces(base_url, [], selections[event.id], shown=shown)
    return pieces


def _build(base_url: str, events: Sequence[sa.Row], items: Sequence[sa.Row],
           missing: list[int], shown: dict[int, tuple]) -> list[tuple[ical.Piece, bool]]:
    """Load the rows of the missing pieces (positions in events + items; two queries) and
    write them; each is kept only if the row loaded is still the version asked for (else a
    newer one is served, and not kept under the older key)."""
    wanted = [events[n] if n < len(events) else items[n - len(events)] for n in missing]
    is_item = [n >= len(events) for n in missing]
    item_ids = [row.id for row, item in zip(wanted, is_item, strict=True) if item]
    event_ids = {row.event_id if item else row.id
                 for row, item in zip(wanted, is_item, strict=True)}
    fresh = {"populate_existing": True}  # never the session's older copy of a row
    loaded_events = {event.id: event for event in db.session.scalars(
        sa.select(Event).where(Event.id.in_(event_ids)).execution_options(**fresh))}
    loaded_items = {}
    if item_ids:
        loaded_items = {item.id: item for item in db.session.scalars(
            sa.select(AgendaItem).where(AgendaItem.id.in_(item_ids)).execution_options(**fresh))}
    built = []
    for version, item in zip(wanted, is_item, strict=True):
        if item:
            loaded = loaded_items.get(version.id)
            event = loaded_events.get(version.event_id)
        else:
            loaded = event = loaded_events.get(version.id)
        if loaded is None or event is None:  # deleted meanwhile: nothing to show or keep
            built.append((ical.NOTHING, False))
            continue
        same = (loaded.updated_at, loaded.sequence) == (version.updated_at, version.sequence)
        if item:
            piece = ical.agenda_piece(loaded, event, base_url)
            same = same and _shown_event(event, base_url) == shown[event.id]
        else:
            piece = ical.event_piece(event, base_url,
                                     waitlisted=getattr(version, "waitlisted", False))
        built.append((piece, same))
    return built
