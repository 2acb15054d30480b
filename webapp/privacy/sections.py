"""The sections every export has: what the core of the app holds about a person.

Each reads the tables directly (models only), one or two queries per section, so an export
costs the same however much else the database holds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.auth.audit import action_words
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    CheckInEntry,
    Consent,
    Delegation,
    ErasureRequest,
    MissionGuest,
    OutboxMessage,
    Person,
    Registration,
    Representative,
    User,
)
from webapp.privacy.consents import consent_label
from webapp.privacy.registry import export_section, plain


def account_of(person: Person) -> User | None:
    """The account that signs in with the person's email, if any."""
    if not person.email:
        return None
    return db.session.scalars(sa.select(User).where(User.email == person.email)).one_or_none()


def registrations_of(person: Person) -> list[Registration]:
    """All the person's registrations, every forum and mission, with event and delegation."""
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.person_id == person.id)
        .options(joinedload(Registration.event),
                 joinedload(Registration.delegation).joinedload(Delegation.region))
        .order_by(Registration.registered_at, Registration.id)))


def audit_entries_about(person: Person) -> list[AuditEntry]:
    """Audit entries about the person: on their record, registrations or mission invitations,
    or naming their email."""
    registrations = sa.select(Registration.id).where(Registration.person_id == person.id)
    guests = sa.select(MissionGuest.id).where(MissionGuest.person_id == person.id)
    about = [
        sa.and_(AuditEntry.target_type == "person", AuditEntry.target_id == person.id),
        sa.and_(AuditEntry.target_type == "registration", AuditEntry.target_id.in_(registrations)),
        sa.and_(AuditEntry.target_type == "mission_guest", AuditEntry.target_id.in_(guests)),
    ]
    if person.email:
        about.append(sa.func.lower(AuditEntry.summary).contains(person.email.lower(),
                                                                autoescape=True))
    return list(db.session.scalars(
        sa.select(AuditEntry).where(sa.or_(*about)).order_by(AuditEntry.at, AuditEntry.id)))


def mail_to(person: Person) -> list[OutboxMessage]:
    """Outbox messages addressed to the person's email."""
    if not person.email:
        return []
    return list(db.session.scalars(
        sa.select(OutboxMessage)
        .where(sa.func.lower(OutboxMessage.to_address) == person.email.lower())
        .order_by(OutboxMessage.created_at, OutboxMessage.id)))


@export_section("person", "Your record")
def person_section(person: Person) -> dict:
    """The person's own record."""
    return {"id": person.id, "name": person.full_name, "email": person.email,
            "organisation": person.organisation, "job_title": person.job_title,
            "region": person.region.name if person.region else None,
            "created_at": plain(person.created_at), "erased_at": plain(person.erased_at)}


@export_section("account", "Your account")
def account_section(person: Person) -> list[dict]:
    """The account signing in with the person's email (no password, not even its hash)."""
    user = account_of(person)
    if user is None:
        return []
    return [{"email": user.email, "name": user.full_name, "role": user.role.value,
             "region": user.region.name if user.region else None,
             "active": user.is_active, "created_at": plain(user.created_at),
             "last_login_at": plain(user.last_login_at),
             "password_changed_at": plain(user.password_changed_at)}]


@export_section("registrations", "Registrations")
def registrations_section(person: Person) -> list[dict]:
    """Every registration, for every forum and mission."""
    return [{"id": r.id, "event": r.event.title, "event_starts_at": plain(r.event.starts_at),
             "audience": r.audience, "status": r.status_label,
             "registered_at": plain(r.registered_at), "promoted_at": plain(r.promoted_at),
             "cancelled_at": plain(r.cancelled_at), "cancel_reason": r.cancel_reason,
             "checked_in_at": plain(r.checked_in_at),
             "name_given_by_region": r.delegate_name,
             "organisation_given_by_region": r.delegate_organisation,
             "job_title_given_by_region": r.delegate_job_title,
             "ticket_reference": r.ticket_ref}
            for r in registrations_of(person)]


@export_section("delegations", "Delegations you belong to")
def delegations_section(person: Person) -> list[dict]:
    """The regions' delegations the person was registered in."""
    return [{"event": r.event.title, "region": r.delegation.region.name,
             "head_of_delegation": r.is_head_of_delegation, "status": r.status_label}
            for r in registrations_of(person) if r.delegation is not None]


@export_section("mission_invitations", "Reverse mission invitations and stays")
def missions_section(person: Person) -> list[dict]:
    """Invitations to reverse missions, with the answer, the stay and the note."""
    guests = db.session.scalars(
        sa.select(MissionGuest).where(MissionGuest.person_id == person.id)
        .options(joinedload(MissionGuest.event)).order_by(MissionGuest.invited_at))
    return [{"mission": g.event.title, "status": g.status.value,
             "invited_at": plain(g.invited_at), "arrives_at": plain(g.arrives_at),
             "departs_at": plain(g.departs_at), "note": g.note,
             "answered_at": plain(g.answered_at)} for g in guests]


@export_section("check_ins", "Check-ins at the door")
def checkins_section(person: Person) -> list[dict]:
    """Every click at the door on the person's registrations (undos included)."""
    entries = db.session.execute(
        sa.select(CheckInEntry, Registration).join(Registration,
                                                   CheckInEntry.registration_id == Registration.id)
        .where(Registration.person_id == person.id)
        .options(joinedload(Registration.event)).order_by(CheckInEntry.at))
    return [{"event": registration.event.title, "action": entry.action.value,
             "at": plain(entry.at)} for entry, registration in entries]


@export_section("consents", "Consents")
def consents_section(person: Person) -> list[dict]:
    """Optional consents given, per registration, and when withdrawn."""
    consents = db.session.scalars(
        sa.select(Consent).where(Consent.person_id == person.id)
        .options(joinedload(Consent.registration).joinedload(Registration.event))
        .order_by(Consent.given_at, Consent.id))
    return [{"consent": consent_label(c.kind),
             "event": c.registration.event.title if c.registration else None,
             "given_at": plain(c.given_at), "withdrawn_at": plain(c.withdrawn_at)}
            for c in consents]


@export_section("representative_seats", "Representative of a region")
def representatives_section(person: Person) -> list[dict]:
    """Appointments as a region's representative."""
    seats = db.session.scalars(sa.select(Representative).where(
        Representative.person_id == person.id).options(joinedload(Representative.region)))
    return [{"region": s.region.name, "appointed_on": plain(s.appointed_on),
             "until": plain(s.until), "note": s.note} for s in seats]


@export_section("emails", "Emails sent to you")
def emails_section(person: Person) -> list[dict]:
    """Messages of the outbox addressed to the person's email, with what they said."""
    return [{"to": m.to_address, "subject": m.subject, "status": m.status.value,
             "queued_at": plain(m.created_at), "sent_at": plain(m.sent_at),
             "text": m.body_text} for m in mail_to(person)]


@export_section("audit", "Audit log entries about you")
def audit_section(person: Person) -> list[dict]:
    """What the audit log recorded about the person."""
    return [{"at": plain(e.at), "action": action_words(e.action), "summary": e.summary}
            for e in audit_entries_about(person)]


@export_section("erasure_requests", "Requests to erase your data")
def erasure_requests_section(person: Person) -> list[dict]:
    """The person's erasure requests and the answers."""
    requests = db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.person_id == person.id).order_by(ErasureRequest.requested_at))
    return [{"requested_at": plain(r.requested_at), "status": r.status.label,
             "decided_at": plain(r.decided_at), "reason": r.reason} for r in requests]
