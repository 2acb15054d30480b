"""Door staff's start page: straight to the check-in of their forum (the one running or next,
else the latest), or a page saying none is theirs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import redirect, render_template, url_for

from webapp.extensions import db
from webapp.models import DoorStaff, Event, User


def door_forum(user: User, now: datetime) -> Event | None:
    """The forum whose door this account keeps: the running or next one first, else the one
    that ended last (one query)."""
    over = Event.ends_at < now
    return db.session.scalars(
        sa.select(Event).join(DoorStaff, DoorStaff.event_id == Event.id)
        .where(DoorStaff.user_id == user.id)
        .order_by(over, sa.case((over, None), else_=Event.starts_at),
                  Event.ends_at.desc(), Event.id)
        .limit(1)
    ).first()


def door_staff_home(user: User, now: datetime):
    """Redirect to the check-in page of the account's forum, or say there is none."""
    forum = door_forum(user, now)
    if forum is None:
        return render_template("home/door_staff.html")
    return redirect(url_for("checkin.checkin_page", event_id=forum.id))
