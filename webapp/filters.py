"""Jinja filters: dates in an event's local time with the zone named, in the language being
written (webapp.i18n.dates; English keeps the wording below)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask

from webapp.i18n import dates
from webapp.models.types import format_date


def _in_zone(value: datetime, zone_name: str | None) -> datetime:
    """`value` (aware) in the named zone, or as it is when no zone is named."""
    return value.astimezone(ZoneInfo(zone_name)) if zone_name else value


def local_datetime(value: datetime, zone_name: str | None = None) -> str:
    """'Mon 7 May 2012, 09:00 CEST' in the given zone (value must be aware)."""
    value = _in_zone(value, zone_name)
    if locale := dates.current_locale():
        return dates.date_time_with_zone(value, locale)
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b %Y, %H:%M')} {value.tzname()}"


def local_day_time(value: datetime, zone_name: str | None = None) -> str:
    """'Mon 7 May, 09:00' in the given zone: for pages that name the zone and the year."""
    value = _in_zone(value, zone_name)
    if locale := dates.current_locale():
        return dates.day_and_time(value, locale)
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b, %H:%M')}"


def local_time(value: datetime, zone_name: str | None = None) -> str:
    """'09:00' in the given zone ('09.00' in Danish)."""
    if locale := dates.current_locale():
        return dates.clock_time(_in_zone(value, zone_name), locale)
    return _in_zone(value, zone_name).strftime("%H:%M")


def event_dates(event) -> str:
    """An event's dates as precisely as they are known, in its local time."""
    start, end = event.local_start, event.local_end
    if event.dates_approximate:
        return format_date(start.date(), event.date_precision)
    if locale := dates.current_locale():
        if start.date() == end.date():
            return dates.day_with_times(start, end, locale)
        return dates.date_range(start.date(), end.date(), locale)
    if start.date() == end.date():
        return f"{format_date(start.date())}, {start:%H:%M}–{end:%H:%M}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {start.strftime('%B %Y')}"
    return f"{format_date(start.date())} – {format_date(end.date())}"


def long_date(day) -> str:
    """'7 May 2012' ('7. maj 2012'): a day in full, for `strftime('%-d %B %Y')` in templates."""
    return format_date(day)


def weekday_date(day) -> str:
    """'Monday 7 May 2012' ('mandag den 7. maj 2012'), for `strftime('%A %-d %B %Y')`."""
    if locale := dates.current_locale():
        return dates.weekday_date(day, locale)
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def number(value: int) -> str:
    """'13,000' ('13.000' in Danish): a count as the page's language writes it."""
    if locale := dates.current_locale():
        return format_decimal(value, locale=locale)
    return f"{value:,}"


def register(app: Flask) -> None:
    """Make the filters available to every template."""
    app.add_template_filter(number)
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_day_time)
    app.add_template_filter(local_time)
    app.add_template_filter(event_dates)
    app.add_template_filter(long_date)
    app.add_template_filter(weekday_date)
