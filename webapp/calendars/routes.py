"""Calendar routes: the feeds (thin wrappers around feeds.py), a person's feed page, and
"My calendar" for a signed-in user (the feed of the person with the account's email)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from webapp.auth.access import require_login
from webapp.auth.services import record_audit
from webapp.calendars import bp, feeds
from webapp.calendars.ical import in_calendars
from webapp.calendars.responses import calendar_response
from webapp.calendars.services import (
    FeedUrls,
    feed_urls,
    person_with_email,
    personal_feed_urls,
    reset_calendar_token,
)
from webapp.extensions import db
from webapp.loaders import get_person_by_token
from webapp.models import Event, Registration, RegistrationStatus


@bp.app_template_global()
def calendar_feed_urls(endpoint: str, **values):
    """Templates: https:// and webcal:// addresses of a calendar route."""
    return feed_urls(endpoint, **values)


@bp.app_template_global()
def event_in_calendars(event: Event) -> bool:
    """Templates: whether an event is published in calendars (exact dates recorded)."""
    return in_calendars(event)


@bp.app_template_global()
def own_feed_urls() -> FeedUrls | None:
    """Templates: the signed-in user's own feed (the person with the account's email), or
    None when they have registered for nothing under that email."""
    if not current_user.is_authenticated:
        return None
    person = person_with_email(current_user.email)
    return personal_feed_urls(person) if person is not None else None


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    """One event and its agenda items as iCalendar ("Add to calendar")."""
    return calendar_response(feeds.event_state(event_id), feeds.event_body,
                             filename=f"event-{event_id}.ics")


@bp.get("/calendar/network.ics")
def network_feed():
    """Every public event of the network, for subscription."""
    return calendar_response(feeds.network_state(), feeds.network_body,
                             filename="districts-of-creativity.ics")


@bp.get("/regions/<slug>/calendar.ics")
def region_feed(slug: str):
    """Events a region hosts or sends a delegation to, for subscription."""
    return calendar_response(feeds.region_state(slug), feeds.region_body,
                             filename="region-calendar.ics")


@bp.get("/calendar/p/<token>.ics")
def personal_feed(token: str):
    """A person's own events and their agenda, at a secret address (404 once reset)."""
    return calendar_response(feeds.personal_state(token), feeds.personal_body,
                             filename="my-events.ics", private=True)


@bp.get("/calendar/p/<token>")
def personal_page(token: str):
    """The page behind a personal feed: its addresses, its events, and a reset button."""
    person = get_person_by_token(token)
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.event)
        .where(
            Registration.person_id == person.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .options(contains_eager(Registration.event))
        .order_by(Event.starts_at, Event.id)
    ).all()
    response = render_template(
        "calendars/personal.html",
        person=person,
        urls=personal_feed_urls(person),
        registrations=registrations,
    )
    return response, 200, {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


@bp.get("/calendar/mine")
@require_login
def my_calendar():
    """A signed-in user's own calendar page, or what to do to have one."""
    person = person_with_email(current_user.email)
    if person is None:
        return render_template("calendars/no_personal_feed.html")
    return redirect(url_for("calendars.personal_page", token=person.calendar_token))


@bp.post("/calendar/p/<token>/reset")
def reset_personal_feed(token: str):
    """Replace the secret address, once confirmed; calendars subscribed to the old one stop
    receiving."""
    person = get_person_by_token(token)
    if not request.form.get("confirmed"):
        return render_template("calendars/confirm_reset.html", person=person), 200, {
            "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}
    new_token = reset_calendar_token(person)
    record_audit(None, "calendar.feed_reset", person,
                 f"{person.email}: personal calendar address reset; the old one stopped working")
    db.session.commit()
    flash(
        _("Your calendar has a new address. The old one no longer works: subscribe again "
          "with the address below."),
        "success",
    )
    return redirect(url_for("calendars.personal_page", token=new_token), code=303)
