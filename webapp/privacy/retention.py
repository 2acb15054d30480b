"""Retention: personal data anonymised a set time after the person's last event.

Public registrants (only ever registered through the public form) go
PRIVACY_PUBLIC_RETENTION_MONTHS after their last event ended (default 24); delegates,
mission guests, representatives and account holders go PRIVACY_NETWORK_RETENTION_MONTHS
after their last event or seat ended (default 60), and never while they hold an active role.
Someone whose events include one without known dates is kept: the end is unknown."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import (
    Event,
    MissionGuest,
    Person,
    Registration,
    Representative,
    User,
)
from webapp.privacy.anonymise import ErasureRefused, anonymise
from webapp.privacy.notice import retention_months


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the 31st falls to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Due:
    """A person whose data the sweep anonymises, and the event their period ran from."""

    person_id: int
    name: str
    kind: str  # "public" or "network"
    event_title: str | None
    ended: datetime


@dataclass
class _Involvement:
    """What one person took part in, as the sweep needs it."""

    latest: datetime | None = None
    latest_event: str | None = None
    undated: bool = False
    network: bool = False

    def saw(self, ends: datetime | None, title: str | None) -> None:
        """One more event (None: its dates are not known)."""
        if ends is None:
            self.undated = True
        elif self.latest is None or ends > self.latest:
            self.latest, self.latest_event = ends, title


def _involvements() -> dict[int, _Involvement]:
    """Every person not yet erased, with their latest event and whether they are the
    network's (four queries whatever the size)."""
    people: dict[int, _Involvement] = defaultdict(_Involvement)
    ends = sa.func.coalesce(Event.ends_at, Event.starts_at)
    not_erased = Person.erased_at.is_(None)
    for person_id, delegate, end, title in db.session.execute(
            sa.select(Registration.person_id, Registration.delegation_id.is_not(None), ends,
                      Event.title)
            .join(Event, Registration.event_id == Event.id)
            .join(Person, Registration.person_id == Person.id).where(not_erased)):
        people[person_id].saw(end, title)
        people[person_id].network |= bool(delegate)
    for person_id, end, title in db.session.execute(
            sa.select(MissionGuest.person_id, ends, Event.title)
            .join(Event, MissionGuest.event_id == Event.id)
            .join(Person, MissionGuest.person_id == Person.id).where(not_erased)):
        people[person_id].saw(end, title)
        people[person_id].network = True
    for person_id, until in db.session.execute(
            sa.select(Representative.person_id, Representative.until)
            .join(Person, Representative.person_id == Person.id).where(not_erased)):
        seat_end = (datetime.combine(until, datetime.max.time(), UTC)
                    if until else None)
        people[person_id].saw(seat_end, None)  # a seat without an end keeps them (undated)
        people[person_id].network = True
    accounts = db.session.execute(
        sa.select(Person.id).join(User, User.email == Person.email).where(not_erased))
    for (person_id,) in accounts:
        if person_id in people:
            people[person_id].network = True
    return people


def due_for_retention(now: datetime) -> list[Due]:
    """The people whose retention period ended by `now`, by event then name."""
    public_months, network_months = retention_months()
    cutoffs = {"public": months_before(now, public_months),
               "network": months_before(now, network_months)}
    chosen = {person_id: involvement for person_id, involvement in _involvements().items()
              if involvement.latest is not None and not involvement.undated
              and involvement.latest <= cutoffs["network" if involvement.network else "public"]}
    if not chosen:
        return []
    names = dict(db.session.execute(sa.select(Person.id, Person.full_name).where(
        Person.id.in_(chosen))).all())
    due = [Due(person_id, names[person_id], "network" if inv.network else "public",
               inv.latest_event, inv.latest) for person_id, inv in chosen.items()]
    return sorted(due, key=lambda d: (d.ended, d.event_title or "", d.name.casefold()))


class _Sweep:
    """The audit target of a sweep: no row of its own."""

    __tablename__ = "retention_sweep"
    id = None


def sweep(now: datetime) -> tuple[list[Due], list[tuple[Due, str]]]:
    """Anonymise everyone due (audited one by one and as a whole, without their data);
    returns (anonymised, kept with the reason: an active role). The caller commits."""
    done, kept = [], []
    for due in due_for_retention(now):
        person = db.session.get(Person, due.person_id)
        try:
            anonymise(person, now.date())
        except ErasureRefused as exc:
            kept.append((due, str(exc)))
            continue
        done.append(due)
        record_audit(None, "privacy.retention_erased", person,
                     f"Person #{due.person_id}: personal data anonymised, the retention period "
                     f"after {due.event_title or 'their last seat'} having ended")
    record_audit(None, "privacy.retention_sweep", _Sweep(), sweep_summary(done, kept))
    return done, kept


def per_event(due: list[Due]) -> dict[str, list[Due]]:
    """The people due, grouped by the event their period ran from."""
    groups: dict[str, list[Due]] = defaultdict(list)
    for one in due:
        groups[one.event_title or "(a representative seat)"].append(one)
    return dict(groups)


def sweep_summary(done: list[Due], kept: list[tuple[Due, str]]) -> str:
    """The sweep in words, counts only: 'Retention sweep: 3 people anonymised (Forum A: 2
    public registrants; …)'."""
    if not done and not kept:
        return "Retention sweep: nobody was due"
    parts = []
    for title, group in per_event(done).items():
        public = sum(d.kind == "public" for d in group)
        network = len(group) - public
        words = [f"{public} public registrant{'s' if public != 1 else ''}"] if public else []
        words += [f"{network} delegate{'s' if network != 1 else ''} or guest"
                  f"{'s' if network != 1 else ''}"] if network else []
        parts.append(f"{title}: {', '.join(words)}")
    summary = f"Retention sweep: {len(done)} {'person' if len(done) == 1 else 'people'} anonymised"
    if parts:
        summary += " (" + "; ".join(parts) + ")"
    if kept:
        summary += f"; {len(kept)} kept while they hold an active role"
    return summary
