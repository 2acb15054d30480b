"""Dates and times written for the page's (or the email's) language by Babel's CLDR data.

English keeps the app's own wording ('Mon 7 May 2012, 09:00 CEST', '7–9 May 2012'), which
pages, emails and tests have always shown; CLDR's English ('Oct 4, 2017') differs. Every other
language gets its own order, names and separators: 'ons. 4. okt. 2017 kl. 09.00 CEST'. The
zone is named as in English, by its abbreviation at that moment.
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, format_time
from flask_babel import get_locale

# How a date and a time of day join ("4. okt. 2017 kl. 09.00"): CLDR's "at time" wording,
# which Babel's own datetime formats leave out.
AT_TIME = {
    "da": "{date} kl. {time}", "de": "{date} um {time}", "fr": "{date} à {time}",
    "es": "{date}, {time}", "ca": "{date}, a les {time}", "nl": "{date} om {time}",
    "it": "{date} alle ore {time}", "pt": "{date} às {time}", "zh": "{date} {time}",
    "fi": "{date} klo {time}",
}


def current_locale() -> Locale | None:
    """The language being written in, or None for English (also outside any app context)."""
    locale = get_locale()
    return None if locale is None or locale.language == "en" else locale


def _at(locale: Locale, day: str, clock: str) -> str:
    """A date and a time joined as the language does."""
    return AT_TIME.get(locale.language, "{date} {time}").format(date=day, time=clock)


def clock_time(value: datetime | time, locale: Locale) -> str:
    """'09.00' (da), '09:00' (fr), '9:00' (es): the language's short 24-hour time."""
    return format_time(value, "short", locale=locale) if locale.language != "zh" else (
        format_time(value, "HH:mm", locale=locale))


def date_time_with_zone(value: datetime, locale: Locale) -> str:
    """'ons. 4. okt. 2017 kl. 09.00 CEST' (value already in the zone shown)."""
    day = format_skeleton("yMMMEd", value, locale=locale)
    return f"{_at(locale, day, clock_time(value, locale))} {value.tzname()}".rstrip()


def day_and_time(value: datetime, locale: Locale) -> str:
    """'ons. 4. okt. kl. 09.00': for pages that name the zone and the year."""
    return _at(locale, format_skeleton("MMMEd", value, locale=locale), clock_time(value, locale))


def long_date(day: date, locale: Locale) -> str:
    """'4. oktober 2017'."""
    return format_date(day, "long", locale=locale)


def month_and_year(day: date, locale: Locale) -> str:
    """'oktober 2017'."""
    return format_skeleton("yMMMM", day, locale=locale)


def weekday_date(day: date, locale: Locale) -> str:
    """'onsdag den 4. oktober 2017'."""
    return format_date(day, "full", locale=locale)


def date_range(start: date, end: date, locale: Locale) -> str:
    """'4.–6. oktober 2017', '4. okt.–2. nov. 2017': as much said once as the language allows."""
    return format_interval(start, end, "yMMMMd", locale=locale)


def day_with_times(start: datetime, end: datetime, locale: Locale) -> str:
    """'4. oktober 2017, 09.00–17.00': one day and its hours."""
    hours = format_interval(start.time(), end.time(), "Hm", locale=locale)
    return f"{long_date(start.date(), locale)}, {hours}"
