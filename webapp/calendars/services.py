"""Calendar workflows: feed addresses and revoking a personal feed (invitations: invites.py).

Services add and flush, never commit, never read the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Person
from webapp.models.people import new_calendar_token
from webapp.urls import absolute_url


@dataclass(frozen=True)
class FeedUrls:
    """The ways to reach a feed: `https` and `webcal` (subscribe) on the public site, and
    `path` for links on our own pages (they work whatever host the page was served from)."""

    https: str
    webcal: str
    path: str


def feed_urls(endpoint: str, **values) -> FeedUrls:
    """https:// and webcal:// addresses of a calendar route."""
    https = absolute_url(endpoint, **values)
    parts = urlsplit(https)
    path = urlunsplit(("", "", parts.path, parts.query, ""))
    return FeedUrls(https=https, webcal=urlunsplit(("webcal", *parts[1:])), path=path)


def personal_feed_urls(person: Person) -> FeedUrls:
    """The secret feed of a person's own events (for registration and account pages)."""
    if not person.calendar_token:  # a person not flushed yet has no default value applied
        person.calendar_token = new_calendar_token()
    return feed_urls("calendars.personal_feed", token=person.calendar_token)


def person_with_email(email: str | None) -> Person | None:
    """The person an email identifies (an account's, to find its holder's own feed)."""
    if not email:
        return None
    return db.session.scalars(
        sa.select(Person).where(Person.email == email.strip().lower())).one_or_none()


def reset_calendar_token(person: Person) -> str:
    """Give the person a new secret feed address; the old one answers 404 from now on."""
    person.calendar_token = new_calendar_token()
    db.session.flush()
    return person.calendar_token

