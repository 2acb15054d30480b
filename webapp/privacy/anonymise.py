"""Anonymising one person: the one function erasure requests and the retention sweep share.

The rows stay (a region's delegation still counts N delegates, check-ins still count) and
lose what identifies the person: names, email, organisation, titles, notes, secrets, the
mail sent to them and the audit log's mentions of them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AuditEntry,
    Consent,
    DelegateImport,
    ErasureRequest,
    LoginThrottle,
    MissionGuest,
    OutboxAttachment,
    OutboxMessage,
    OutboxStatus,
    Person,
    Registration,
    Representative,
    utcnow,
)
from webapp.models.people import new_calendar_token
from webapp.privacy.registry import ERASURE_STEPS, erasure_step
from webapp.privacy.sections import account_of, audit_entries_about
from webapp.tickets import new_ticket_ref

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: .invalid never resolves, so nothing is delivered
ERASED_TEXT = "(erased)"
SHORTEST_NAME = 4  # shorter names are not searched for in free text: they match too much


class ErasureRefused(Exception):
    """The person still holds an active role; the message says which."""


@dataclass(frozen=True)
class Erased:
    """What an erased person becomes, and the texts of theirs to wipe wherever they appear."""

    person_id: int
    name: str
    email: str
    needles: tuple[str, ...]

    def scrub(self, text: str | None) -> str | None:
        """`text` with every needle (case-insensitive) replaced by the erased name."""
        if not text:
            return text
        for needle in self.needles:
            text = re.sub(re.escape(needle), self.name, text, flags=re.IGNORECASE)
        return text

    def mentions(self, text: str | None) -> bool:
        """Whether `text` holds one of the needles."""
        lowered = (text or "").lower()
        return any(needle.lower() in lowered for needle in self.needles)


def erased_name(person_id: int) -> str:
    """'Erased person #17'."""
    return f"Erased person #{person_id}"


def erased_email(person_id: int) -> str:
    """A unique address that can never be delivered."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def active_roles(person: Person, today: date) -> list[str]:
    """The roles that keep the person's data, in words ([] when none)."""
    roles = []
    user = account_of(person)
    if user is not None and user.is_active:
        roles.append(f"holds an active {user.role.value} account")
    seats = db.session.scalars(sa.select(Representative).where(
        Representative.person_id == person.id,
        sa.or_(Representative.until.is_(None), Representative.until >= today)))
    roles += [f"is a representative of {seat.region.name}" for seat in seats]
    return roles


def _needles(person: Person) -> tuple[str, ...]:
    """The person's email and every name they went by (their record, their regions' entries)."""
    names = {person.full_name, *db.session.scalars(sa.select(Registration.delegate_name).where(
        Registration.person_id == person.id, Registration.delegate_name.is_not(None)))}
    found = [n.strip() for n in names if n and len(n.strip()) >= SHORTEST_NAME]
    # The email first: a name inside the address would otherwise leave half of it.
    return tuple(filter(None, [person.email, *sorted(found, key=len, reverse=True)]))


def anonymise(person: Person, today: date) -> Erased:
    """Anonymise the person everywhere (every registered erasure step), or ErasureRefused
    while they hold an active role. Flushes; the caller audits and commits."""
    roles = active_roles(person, today)
    if roles:
        raise ErasureRefused("The person " + " and ".join(roles)
                             + ": their data stays until that ends.")
    erased = Erased(person.id, erased_name(person.id), erased_email(person.id), _needles(person))
    for step in ERASURE_STEPS:
        step(person, erased)
    # The record last: the steps above still find the person by their real email.
    person.full_name, person.email = erased.name, erased.email
    person.organisation = person.job_title = None
    person.calendar_token = new_calendar_token()  # the old feed address answers 404
    person.erased_at = utcnow()
    db.session.flush()
    return erased


@erasure_step
def _registrations(person: Person, erased: Erased) -> None:
    """Each registration keeps its row (the counts), not the region's entry about them; the
    ticket gets a new reference, so an old QR code names no one."""
    for registration in db.session.scalars(sa.select(Registration).where(
            Registration.person_id == person.id)):
        if registration.delegate_name is not None:
            registration.delegate_name = erased.name
        registration.delegate_organisation = registration.delegate_job_title = None
        if registration.cancel_reason:
            registration.cancel_reason = erased.scrub(registration.cancel_reason)
        registration.ticket_ref = new_ticket_ref()


@erasure_step
def _missions_and_seats(person: Person, erased: Erased) -> None:
    """Mission notes go; the stay's dates stay (they say nothing about who); representative
    notes lose the name; an agenda item naming them as its contact loses the contact."""
    for guest in db.session.scalars(sa.select(MissionGuest).where(
            MissionGuest.person_id == person.id)):
        guest.note = None
    for seat in db.session.scalars(sa.select(Representative).where(
            Representative.person_id == person.id)):
        seat.note = erased.scrub(seat.note)
    if person.email:
        for item in db.session.scalars(sa.select(AgendaItem).where(
                sa.func.lower(AgendaItem.contact_email) == person.email)):
            item.contact_name = item.contact_email = None


@erasure_step
def _consents_and_requests(person: Person, erased: Erased) -> None:
    """Standing consents are withdrawn; refusal reasons lose the name."""
    now = utcnow()
    for consent in db.session.scalars(sa.select(Consent).where(
            Consent.person_id == person.id, Consent.withdrawn_at.is_(None))):
        consent.withdrawn_at = max(now, consent.given_at)  # a clock set back stays valid
    for request in db.session.scalars(sa.select(ErasureRequest).where(
            ErasureRequest.person_id == person.id, ErasureRequest.reason.is_not(None))):
        request.reason = erased.scrub(request.reason)


def _mentioning(column, erased: Erased) -> sa.ColumnElement[bool]:
    """SQL: the text column holds one of the needles."""
    return sa.or_(*(sa.func.lower(column).contains(n.lower(), autoescape=True)
                    for n in erased.needles))


@erasure_step
def _mail(person: Person, erased: Erased) -> None:
    """Mail to them loses its address and text (a waiting one is never sent); mail to others
    that names them loses the name; attachments of theirs (invitations) go."""
    if not erased.needles:
        return
    to_them = sa.func.lower(OutboxMessage.to_address) == (person.email or "").lower()
    messages = db.session.scalars(sa.select(OutboxMessage).where(sa.or_(
        to_them, _mentioning(OutboxMessage.subject, erased),
        _mentioning(OutboxMessage.body_text, erased), _mentioning(OutboxMessage.body_html, erased),
        _mentioning(OutboxMessage.last_error, erased))))
    for message in messages:
        if person.email and message.to_address.lower() == person.email.lower():
            message.to_address, message.to_name = erased.email, None
            message.subject, message.body_text, message.body_html = ERASED_TEXT, ERASED_TEXT, None
            message.recipe = message.recipe_args = None
            db.session.execute(sa.delete(OutboxAttachment).where(
                OutboxAttachment.message_id == message.id))
            if message.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
                message.status = OutboxStatus.FAILED
                message.last_error = "Not sent: the recipient's personal data was erased."
        else:
            message.subject = erased.scrub(message.subject)
            message.body_text = erased.scrub(message.body_text)
            message.body_html = erased.scrub(message.body_html)
        message.last_error = erased.scrub(message.last_error)


@erasure_step
def _audit_and_account(person: Person, erased: Erased) -> None:
    """Audit entries keep what happened, not who: their name and email become the erased
    name, and the address they acted from goes. An account of theirs (inactive, or the
    erasure was refused) is anonymised the same way; its sign-in counter goes."""
    for entry in audit_entries_about(person):
        entry.summary = erased.scrub(entry.summary)
        if entry.actor_id is None:
            entry.ip_address = None
    if erased.needles:
        for entry in db.session.scalars(sa.select(AuditEntry).where(
                _mentioning(AuditEntry.summary, erased))):
            entry.summary = erased.scrub(entry.summary)
    user = account_of(person)
    if user is not None:
        user.email, user.full_name = erased.email, erased.name
        user.password_hash, user.is_enabled = None, False
        user.session_version = (user.session_version or 0) + 1
    if person.email:
        db.session.execute(sa.delete(LoginThrottle).where(
            LoginThrottle.key == f"email:{person.email}"))


@erasure_step
def _delegate_imports(person: Person, erased: Erased) -> None:
    """A delegate list uploaded with them in it keeps its rows, without their details."""
    if not erased.needles:
        return
    for draft in db.session.scalars(sa.select(DelegateImport).where(
            _mentioning(DelegateImport.rows_json, erased))):
        draft.rows_json = json.dumps(_scrub_json(json.loads(draft.rows_json), erased))


def _scrub_json(value, erased: Erased):
    """Every string inside a JSON value, scrubbed."""
    if isinstance(value, str):
        return erased.scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item, erased) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, erased) for key, item in value.items()}
    return value

