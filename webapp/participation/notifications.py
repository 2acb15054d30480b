"""Emails about the network's decisions on a region: a recorded warning, exclusion or
readmission is mailed to the region's coordinators and representatives, with the reason.

Queued in the decision's transaction (webapp.mail outbox): a decision rolled back was never
mailed, and a decision committed is mailed after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.mail import queue_email
from webapp.mail.services import checked_address
from webapp.models import (
    MembershipEntry,
    MembershipKind,
    Person,
    Region,
    Representative,
    Role,
    User,
)
from webapp.models.types import format_date
from webapp.text import one_line
from webapp.urls import absolute_url

SUBJECT_LENGTH = 300  # outbox_message.subject
# The decisions in the words of the subject line.
DECISION_NAMES = {
    MembershipKind.WARNED: _l("Warning"),
    MembershipKind.EXCLUDED: _l("Exclusion"),
    MembershipKind.READMITTED: _l("Readmission"),
}


@dataclass(frozen=True)
class Recipient:
    """Someone told about a decision: a coordinator or a representative of the region."""

    email: str
    name: str
    role: str


def decision_recipients(region_id: int, on: date) -> tuple[list[Recipient], list[Recipient]]:
    """The region's active coordinators and its representatives in office on `on` (with an
    email), one per address (coordinators first); and those whose address is refused."""
    coordinators = db.session.execute(
        sa.select(User.email, User.full_name)
        .where(User.role == Role.COORDINATOR, User.region_id == region_id,
               User.is_enabled.is_(True), User.password_hash.is_not(None))
        .order_by(User.id)
    ).all()
    representatives = db.session.execute(
        sa.select(Person.email, Person.full_name)
        .join(Representative, Representative.person_id == Person.id)
        .where(Representative.region_id == region_id, Person.email.is_not(None),
               Representative.appointed_on <= on,
               sa.or_(Representative.until.is_(None), Representative.until >= on))
        .order_by(Representative.appointed_on, Representative.id)
    ).all()
    seen: set[str] = set()
    valid, refused = [], []
    for role, rows in (("coordinator", coordinators), ("representative", representatives)):
        for email, name in rows:
            key = (email or "").strip().casefold()
            if not key or key in seen:
                continue
            seen.add(key)
            recipient = Recipient(email.strip(), one_line(name), role)
            try:
                checked_address(recipient.email)
            except ValueError:
                refused.append(recipient)
            else:
                valid.append(recipient)
    return valid, refused


def decision_subject(region: Region, entry: MembershipEntry) -> str:
    """One line, whatever the region's name holds: 'Warning of Scotland recorded (1 July 2013)'."""
    def subject(name: str) -> str:
        return _("%(decision)s of %(region)s recorded (%(date)s)",
                 decision=DECISION_NAMES[entry.kind], region=name,
                 date=format_date(entry.on))

    return subject(one_line(region.name)[: SUBJECT_LENGTH - len(subject(""))])


def queue_decision_mail(region: Region, entry: MembershipEntry,
                        ) -> tuple[list[Recipient], list[Recipient]]:
    """Queue one message per address about the decision; returns who was mailed and whose
    address was refused (nobody is mailed twice, being both coordinator and representative)."""
    recipients, refused = decision_recipients(region.id, entry.on)
    if not recipients:
        return recipients, refused
    subject = decision_subject(region, entry)
    link = absolute_url("regions.detail", slug=region.slug)
    for recipient in recipients:
        queue_email(recipient.email, subject, "region_decision",
                    {"recipient": recipient, "region": region, "entry": entry, "subject": subject,
                     "decision": str(DECISION_NAMES[entry.kind]), "link": link},
                    to_name=recipient.name or None)
    return recipients, refused
