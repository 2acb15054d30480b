"""Pieces the start pages share: a link to the page that acts on an item, and day counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext


@dataclass(frozen=True)
class Link:
    """Where an item is acted on: an endpoint and its values (templates call url_for)."""

    endpoint: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NextStep:
    """One thing to do next, in words, with the link that does it."""

    text: str
    action: str
    link: Link
    urgent: bool = False


def days_until(moment: datetime, zone: str, now: datetime) -> int:
    """Calendar days from `now` to `moment` in the zone `moment` is kept in (0: today)."""
    tz = ZoneInfo(zone)
    return (moment.astimezone(tz).date() - now.astimezone(tz).date()).days


def in_days(days: int) -> str:
    """'today', 'tomorrow', 'in 5 days'."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(num)d day", "in %(num)d days", days)
