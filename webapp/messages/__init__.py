"""Messages to attendees: the secretariat writes to a selection of an event's registrations,
a mission's host to its guests; sent through the outbox, each person once per message."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from webapp.messages import (  # noqa: E402, F401 - views join bp; recipe and data register
    personal_data,
    routes,
    writer,
)
