"""Calendars: iCalendar feeds (ical.py, feeds.py), subscriptions and email invitations."""

from flask import Blueprint

bp = Blueprint("calendars", __name__)

from webapp.calendars import routes  # noqa: E402, F401 - its views join bp
