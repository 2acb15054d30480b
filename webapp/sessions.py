"""The app's signed-cookie session: one serializer kept per key, and left alone by calendar
files.

Calendar clients poll `*.ics` URLs every few minutes and send no cookies; the feeds are
public or behind a secret URL, never behind a login. Opening the signed-cookie session
(building a signer, reading the cookie) and saving it (which also adds `Vary: Cookie`, a
bad header on a response marked `Cache-Control: public`) are work those requests never need.
So for a path ending in `.ics` the session starts empty and is not saved: a browser that
downloads an event's .ics keeps its login cookie untouched, and nothing a feed request does
can change a session. Every other path gets Flask's usual signed-cookie session.

The session is opened before the URL is matched, hence the test on the path, not on the
endpoint; tests check that every `.ics` route is a calendar route.

Flask builds a new signing serializer for every open and every save (and itsdangerous
serializes an empty dict to check each new one): a quarter of opening a session. The
serializer depends only on the keys, so one is kept per set of keys.
"""

from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CALENDAR_SUFFIX = ".ics"


def is_calendar_path(path: str) -> bool:
    """Whether a request path is a calendar file (served without the session)."""
    return path.endswith(CALENDAR_SUFFIX)


class AppSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session with a kept serializer; not read nor written for
    calendar files."""

    def __init__(self) -> None:
        """No serializer yet: made on first use, for the app's keys then."""
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made again only when the secret key or its fallbacks change."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session for a calendar file; the cookie's session otherwise."""
        if is_calendar_path(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Nothing for a calendar file (its cookie stays as the browser has it)."""
        if is_calendar_path(request.path):
            return
        super().save_session(app, session, response)
