"""The session's signing serializer is kept between requests, yet follows key rotation."""

from __future__ import annotations

from flask import session


def _session_cookie(app) -> str:
    """A session cookie, signed with the app's current key, holding one value."""
    with app.test_request_context("/"):
        session["probe"] = "kept"
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
        return response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]


def _read(app, cookie: str) -> str | None:
    """What a request carrying `cookie` finds in its session."""
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}):
        opened = app.session_interface.open_session(app, app.request_class(
            {"PATH_INFO": "/", "HTTP_COOKIE": f"{name}={cookie}"}))
        return opened.get("probe")


def test_rotated_key_is_honoured_by_the_kept_serializer(app):
    """Old cookies stay valid while the old key is a fallback, and not after it is dropped."""
    old = _session_cookie(app)
    assert _read(app, old) == "kept"
    old_key = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key-after-rotation"
    assert _read(app, old) is None  # the kept serializer was not reused for the new key
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert _read(app, old) == "kept"
    assert _read(app, _session_cookie(app)) == "kept"
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _read(app, old) is None
