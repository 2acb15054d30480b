"""A delegate's details as their region entered them.

People are one record per email, and the same person may be sent by several regions (or
register themselves as well). A region's coordinator changes only what the region owns: its
own entry of the delegate (name, organisation, title on the registration row). The shared
person record follows only while no one else knows the person — every registration of theirs
is one of this region's delegates, and they are no guest, representative or member of another
region — so that the mails and calendars addressed to them use the corrected name.

Every function adds and flushes, never commits."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from webapp.auth.audit import quoted
from webapp.extensions import db
from webapp.models import (
    Delegation,
    Event,
    MissionGuest,
    Person,
    Registration,
    Representative,
    User,
)
from webapp.questions.answers import AnswerValues
from webapp.registrations.services import PersonData, register_person, substitute

# (column on the registration, field of PersonData, word in the audit log)
DETAILS = (("delegate_name", "full_name", "full name"),
           ("delegate_organisation", "organisation", "organisation"),
           ("delegate_job_title", "job_title", "job title"))


def known_only_to(person: Person, region_id: int) -> bool:
    """Whether nobody but this region knows the person: all their registrations are in its
    delegations, and no mission, representation or other region refers to them."""
    if person.id is None:
        return True
    if person.region_id not in (None, region_id):
        return False
    elsewhere = sa.union_all(
        sa.select(Registration.id)
        .outerjoin(Delegation, Registration.delegation_id == Delegation.id)
        .where(Registration.person_id == person.id,
               sa.or_(Delegation.region_id.is_(None), Delegation.region_id != region_id)),
        sa.select(MissionGuest.id).where(MissionGuest.person_id == person.id),
        sa.select(Representative.id).where(Representative.person_id == person.id),
    ).subquery()
    return db.session.scalar(sa.select(sa.exists().select_from(elsewhere))) is False


def record_details(registration: Registration, data: PersonData) -> list[str]:
    """Keep `data` as the region's entry of this delegate; the person's record follows only
    when known to no one else. Returns what changed, in words ('job title “—” →
    “Director”')."""
    shown = (registration.name, registration.organisation, registration.job_title)
    changes = []
    for (column, field, label), before in zip(DETAILS, shown, strict=True):
        value = (getattr(data, field) or "").strip() or None
        if column == "delegate_name" and value is None:
            value = before  # a name is required; an empty one changes nothing
        if value != before:
            changes.append(f"{label} {quoted(before)} → {quoted(value)}")
        setattr(registration, column, value)
    region_id = registration.delegation.region_id
    person = registration.person
    if known_only_to(person, region_id):
        person.full_name = registration.delegate_name
        person.organisation = registration.delegate_organisation
        person.job_title = registration.delegate_job_title
    db.session.flush()
    return changes


def _for_shared_record(data: PersonData) -> PersonData:
    """What a delegation form may pass on to the person lookup: for someone already known,
    only the email and name (which never overwrite theirs), so that another region's entry
    does not fill in their record either."""
    known = db.session.scalar(sa.select(Person.id).where(Person.email == data.normalised_email))
    return data if known is None else replace(data, organisation=None, job_title=None)


def add_delegate(event: Event, delegation: Delegation, data: PersonData, audience: str | None,
                 *, is_head: bool = False, answers: AnswerValues | None = None) -> Registration:
    """Register a delegate in the delegation, keeping the details as the region entered them
    (register_person's refusals: already registered, over quota, unknown audience), with
    their answers to the forum's questions."""
    registration = register_person(event, _for_shared_record(data), audience,
                                   delegation=delegation, is_head_of_delegation=is_head,
                                   answers=answers)
    record_details(registration, data)
    return registration


def replace_delegate(registration: Registration, data: PersonData, by: User) -> Registration:
    """Replace a delegate; the newcomer's details are kept as the region entered them."""
    replacement = substitute(registration, _for_shared_record(data), by)
    record_details(replacement, data)
    registration.cancel_reason = f"Replaced by {replacement.name}"
    db.session.flush()
    return replacement
