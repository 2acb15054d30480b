"""The app's one clock: every 'now' and 'today' the app uses is read here.

Tests move it with time-machine (tests/conftest.py `clock` fixture, or `--clock=DATE` for
the whole suite), which also moves what libraries read (itsdangerous' token timestamps)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC."""
    return now().date()
