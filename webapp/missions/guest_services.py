"""Guests of a reverse mission: invite several at once, and record answers and stays.

An answer is recorded the same way whether the guest gives it through their signed link or
an organiser records it, and each goes to the audit log saying which. Functions add and
flush, never commit; invitation emails are queued in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, selectinload

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.i18n import mail_language
from webapp.mail import queue_email
from webapp.mail.services import checked_address
from webapp.missions.services import MissionError, itinerary_link
from webapp.models import (
    Event,
    GuestStatus,
    MissionGuest,
    Person,
    Region,
    Representative,
    User,
    utcnow,
)
from webapp.text import one_line


@dataclass
class InviteOutcome:
    """Who was invited, who of them got no email (none usable recorded), who was on the list."""

    invited: list[MissionGuest] = field(default_factory=list)
    without_email: list[MissionGuest] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)


def mailable(person: Person) -> str | None:
    """The person's address if mail can be sent to it, else None."""
    if not person.email:
        return None
    try:
        return checked_address(person.email)
    except ValueError:
        return None


def person_by_email(email: str, full_name: str | None, region: Region | None) -> Person:
    """The person with this email, or a new one (then a name is needed)."""
    email = email.strip().lower()
    person = db.session.scalars(sa.select(Person).where(Person.email == email)).one_or_none()
    if person is None:
        if not (full_name and full_name.strip()):
            raise MissionError(_("Give the guest's name: nobody with this email is known yet."))
        person = Person(full_name=full_name.strip(), email=email,
                        region_id=region.id if region else None)
        db.session.add(person)
        db.session.flush()
    return person


def representatives_to_invite(event: Event) -> list[Person]:
    """Representatives in office on the mission's first day of the regions that are members
    that day, the host region left out; each person once, by region then name."""
    day = event.local_first_day
    appointments = db.session.scalars(
        sa.select(Representative)
        .where(Representative.region_id != event.host_region_id,
               Representative.appointed_on <= day,
               sa.or_(Representative.until.is_(None), Representative.until >= day))
        .options(joinedload(Representative.person),
                 joinedload(Representative.region).selectinload(Region.membership_entries))
    ).unique().all()
    people = {a.person.id: a.person for a in appointments if a.region.is_member_on(day)}
    return sorted(people.values(),
                  key=lambda p: ((p.region.name if p.region else ""), p.full_name, p.id))


def invite_people(event: Event, people: Iterable[Person]) -> InviteOutcome:
    """Invite each person not yet on the list; mail those with a usable address."""
    outcome = InviteOutcome()
    on_list = set(db.session.scalars(
        sa.select(MissionGuest.person_id).where(MissionGuest.event_id == event.id)))
    for person in dict.fromkeys(people):  # each once, in the order given
        if person.id in on_list:
            outcome.already.append(person)
            continue
        on_list.add(person.id)
        guest = MissionGuest(event_id=event.id, person_id=person.id, status=GuestStatus.INVITED)
        db.session.add(guest)
        db.session.flush()
        guest.person = person
        outcome.invited.append(guest)
        address = mailable(person)
        if address is None:
            outcome.without_email.append(guest)
            continue
        # Guests keep no language of their own: the mission's, subject included.
        with mail_language(event.default_language) as language:
            queue_email(address, one_line(_("Invitation: %(title)s", title=event.title))[:200],
                        "mission_invitation",
                        {"guest": guest, "event": event, "link": itinerary_link(guest)},
                        to_name=one_line(person.full_name), language=language)
    if not outcome.invited and outcome.already:
        names = ", ".join(p.full_name for p in outcome.already)
        raise MissionError(ngettext("%(names)s is already on the guest list.",
                                    "%(names)s are already on the guest list.",
                                    len(outcome.already), names=names))
    return outcome


def mission_days(event: Event) -> tuple[date, date]:
    """The mission's first and last local days (an end at midnight is the day before)."""
    zone = ZoneInfo(event.timezone)
    first = event.starts_at.astimezone(zone).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(first, last)


def _when(value: datetime | None, zone: str) -> str:
    """'Tue 7 May 2030, 10:00' in the mission's zone, or 'not given'."""
    if value is None:
        return "not given"
    local = value.astimezone(ZoneInfo(zone))
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y, %H:%M')}"


def update_guest(guest: MissionGuest, *, status: GuestStatus, arrives_at: datetime | None,
                 departs_at: datetime | None, note: str | None = None,
                 actor: User | None = None, by_guest: bool = False) -> list[str]:
    """Record a guest's answer, stay and note; audit what changed. Returns the changes.

    `by_guest`: the guest gave it through their signed link (no account, so no actor)."""
    zone = guest.event.timezone
    changes = []
    if guest.status is not status:
        changes.append(f"answer {guest.status.value} → {status.value}")
    if guest.arrives_at != arrives_at:
        changes.append(f"arrival {_when(arrives_at, zone)}")
    if guest.departs_at != departs_at:
        changes.append(f"departure {_when(departs_at, zone)}")
    note = (note or "").strip() or None
    if guest.note != note:
        # The note may hold health needs: the log says that it changed, not what it says.
        changes.append("note removed" if note is None else "note given")
    if not changes:
        return []
    guest.status, guest.arrives_at, guest.departs_at, guest.note = (
        status, arrives_at, departs_at, note)
    guest.answered_at, guest.answered_by_guest = utcnow(), by_guest
    who = ("given by the guest through their itinerary link" if by_guest
           else "recorded by an organiser")
    record_audit(None if by_guest else actor,
                 "mission.guest_answered" if by_guest else "mission.guest_recorded", guest,
                 f"{guest.person.full_name}, {guest.event.title}: {'; '.join(changes)} "
                 f"({who}; times in {zone})")
    db.session.flush()
    return changes


def load_for_invites(person_ids: Iterable[int]) -> list[Person]:
    """People picked on the invitation form, with their regions, in the order picked."""
    ids = list(dict.fromkeys(person_ids))
    found = {p.id: p for p in db.session.scalars(
        sa.select(Person).where(Person.id.in_(ids)).options(selectinload(Person.region)))}
    return [found[i] for i in ids if i in found]
