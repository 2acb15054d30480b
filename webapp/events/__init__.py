"""Events: the list, an event's page and its status (confirm, cancel)."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from webapp.events import routes  # noqa: E402, F401 - its views join bp
