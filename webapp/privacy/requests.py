"""Erasure requests: the person asks (after a confirmation step), the secretariat erases or
refuses with a reason; every step is in the audit log, without the erased data."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.auth.services import record_audit
from webapp.clock import today
from webapp.extensions import db
from webapp.models import ErasureRequest, ErasureStatus, Person, User, utcnow
from webapp.privacy.anonymise import anonymise

VIA_WORDS = {"link": "their registration link", "account": "their account page"}


class ErasureError(Exception):
    """A request that cannot be acted on; the message is safe to show."""


def pending_request(person: Person) -> ErasureRequest | None:
    """The person's request still waiting, if any."""
    return db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.person_id == person.id,
        ErasureRequest.status == ErasureStatus.PENDING)).one_or_none()


def latest_request(person: Person) -> ErasureRequest | None:
    """The person's most recent request, whatever its answer."""
    return db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.person_id == person.id)
        .order_by(ErasureRequest.requested_at.desc(), ErasureRequest.id.desc()).limit(1)).first()


def request_erasure(person: Person, via: str) -> ErasureRequest:
    """The person asks for erasure; asking again while one waits returns that one."""
    if person.erased_at is not None:
        raise ErasureError("This person's data is already erased.")
    waiting = pending_request(person)
    if waiting is not None:
        return waiting
    request = ErasureRequest(person_id=person.id, asked_via=via)
    db.session.add(request)
    db.session.flush()
    record_audit(None, "privacy.erasure_requested", request,
                 f"Person #{person.id} asked for their personal data to be erased "
                 f"(through {VIA_WORDS.get(via, via)})")
    return request


def pending_requests() -> list[ErasureRequest]:
    """Requests waiting for the secretariat, oldest first (one query)."""
    return list(db.session.scalars(
        sa.select(ErasureRequest).where(ErasureRequest.status == ErasureStatus.PENDING)
        .options(joinedload(ErasureRequest.person))
        .order_by(ErasureRequest.requested_at, ErasureRequest.id)))


def decided_requests(limit: int = 20) -> list[ErasureRequest]:
    """The latest answered requests, newest first."""
    return list(db.session.scalars(
        sa.select(ErasureRequest).where(ErasureRequest.status != ErasureStatus.PENDING)
        .options(joinedload(ErasureRequest.decided_by))
        .order_by(ErasureRequest.decided_at.desc(), ErasureRequest.id.desc()).limit(limit)))


def count_pending() -> int:
    """How many requests wait (the secretariat's start page)."""
    return db.session.scalar(sa.select(sa.func.count(ErasureRequest.id)).where(
        ErasureRequest.status == ErasureStatus.PENDING)) or 0


def _waiting(request: ErasureRequest) -> None:
    """Only a waiting request can be answered."""
    if request.status is not ErasureStatus.PENDING:
        raise ErasureError(f"This request is already answered: {request.status.label}.")


def confirm_erasure(actor: User, request: ErasureRequest) -> None:
    """Erase the person, or ErasureRefused (the request keeps waiting) while they hold an
    active role."""
    _waiting(request)
    anonymise(request.person, today())
    request.status, request.decided_at, request.decided_by_id = (
        ErasureStatus.ERASED, utcnow(), actor.id)
    record_audit(actor, "privacy.erased", request.person,
                 f"Person #{request.person_id}: personal data erased at their request "
                 f"(request #{request.id})")


def refuse_erasure(actor: User, request: ErasureRequest, reason: str) -> None:
    """Refuse the request, with the reason the person is shown."""
    _waiting(request)
    reason = reason.strip()
    if not reason:
        raise ErasureError("Give the reason for refusing: the person is shown it.")
    request.status, request.decided_at, request.decided_by_id, request.reason = (
        ErasureStatus.REFUSED, utcnow(), actor.id, reason)
    record_audit(actor, "privacy.erasure_refused", request,
                 f"Person #{request.person_id}: erasure request #{request.id} refused")
