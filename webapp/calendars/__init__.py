"""Calendars: iCalendar feeds (ical.py, feeds.py), subscriptions and email invitations."""
