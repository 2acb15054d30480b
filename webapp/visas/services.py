"""Visa invitation letters: passport details saved, letters issued, references signed and
verified. Functions add and flush, never commit (the route does)."""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy.orm import selectinload

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.filters import event_dates
from webapp.models import (
    Event,
    PassportDetails,
    Registration,
    RegistrationStatus,
    User,
    VisaLetter,
    utcnow,
)
from webapp.pdf import pdf_lines

PURPOSE = "doc-visa-letter"


class LetterError(Exception):
    """Why a letter cannot be issued; the message is safe to show."""


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str | bytes) -> Signer:
    """One signer per key, with the letters' own salt (no other signed value passes)."""
    return Signer(secret_key, salt=PURPOSE)


def verification_code(reference: str) -> str:
    """What the letter prints for the verify page: its reference and a signature of it."""
    return _signer(current_app.config["SECRET_KEY"]).sign(reference).decode()


def read_verification_code(code: str) -> str | None:
    """The reference a genuine code names, else None (checked before any query)."""
    try:
        return _signer(current_app.config["SECRET_KEY"]).unsign(code.strip()).decode()
    except (BadSignature, UnicodeError):
        return None


def save_passport_details(registration: Registration, data: dict) -> list[str]:
    """Create or update the registration's passport details; returns the fields changed
    (named, never their values: a passport number is not for the audit log)."""
    details = db.session.scalar(sa.select(PassportDetails)
                                .where(PassportDetails.registration_id == registration.id))
    if details is None:
        details = PassportDetails(registration_id=registration.id)
        db.session.add(details)
    changed = [name.replace("_", " ") for name, value in data.items()
               if getattr(details, name) != value]
    for name, value in data.items():
        setattr(details, name, value)
    if changed:
        details.updated_at = utcnow()
    db.session.flush()
    return changed


def letter_problem(registration: Registration, details: PassportDetails | None) -> str | None:
    """Why this registration cannot get a letter now, or None."""
    event = registration.event
    if registration.status is not RegistrationStatus.CONFIRMED:
        return f"{registration.name}'s registration is {registration.status_label.lower()}: " \
               "letters are for confirmed registrations."
    if details is None:
        return f"{registration.name} has not given passport details."
    if not (event.letterhead_text or "").strip():
        return f"{event.title} has no letterhead yet: add it in the forum's set-up."
    if event.dates_approximate:
        return f"{event.title}'s exact days are not set: a letter must give them."
    return None


def letter_content(registration: Registration, details: PassportDetails) -> dict:
    """What the letter says, kept with it as issued."""
    event = registration.event
    return {
        "holder": details.full_name, "nationality": details.nationality,
        "passport_number": details.passport_number,
        "birth_date": details.birth_date.isoformat(),
        "expiry_date": details.expiry_date.isoformat(),
        "organisation": registration.organisation or "", "job_title": registration.job_title or "",
        "forum": event.title, "dates": event_dates(event), "place": event.place,
        "venue": event.venue or "", "host": event.host_label,
        "letterhead": event.letterhead_text or "",
    }


def issue_letter(registration: Registration, actor: User | None) -> VisaLetter:
    """A new letter for the registration from its current passport details, audited."""
    details = db.session.scalar(sa.select(PassportDetails)
                                .where(PassportDetails.registration_id == registration.id))
    problem = letter_problem(registration, details)
    if problem:
        raise LetterError(problem)
    letter = VisaLetter(
        registration_id=registration.id, issued_by_id=actor.id if actor else None,
        reference=f"VL-{registration.event.year}-{secrets.token_hex(4).upper()}",
        content_json=json.dumps(letter_content(registration, details), ensure_ascii=False))
    db.session.add(letter)
    db.session.flush()
    record_audit(actor, "visa.letter_issued", letter,
                 f"Visa invitation letter {letter.reference} for {details.full_name} "
                 f"<{registration.person.email}> to attend {registration.event.title}")
    return letter


@dataclass(frozen=True)
class Request:
    """A registrant's passport details and the letters they were issued, newest first."""

    registration: Registration
    details: PassportDetails
    letters: list[VisaLetter]

    @property
    def needs_letter(self) -> bool:
        """No letter yet, or the details changed since the last one."""
        return not self.letters or self.details.updated_at > self.letters[0].issued_at


def forum_requests(event: Event) -> list[Request]:
    """Every registration of the forum with passport details, and its letters (three
    queries whatever their number)."""
    rows = db.session.execute(
        sa.select(Registration, PassportDetails)
        .join(PassportDetails, PassportDetails.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.person))
        .order_by(PassportDetails.full_name, Registration.id)
    ).all()
    letters: dict[int, list[VisaLetter]] = {}
    for letter in db.session.scalars(
        sa.select(VisaLetter).join(Registration, VisaLetter.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .options(selectinload(VisaLetter.issued_by))
        .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc())
    ):
        letters.setdefault(letter.registration_id, []).append(letter)
    return [Request(registration, details, letters.get(registration.id, []))
            for registration, details in rows]


def latest_letter(registration_id: int) -> VisaLetter | None:
    """The newest letter issued to a registration."""
    return db.session.scalars(
        sa.select(VisaLetter).where(VisaLetter.registration_id == registration_id)
        .order_by(VisaLetter.issued_at.desc(), VisaLetter.id.desc()).limit(1)).first()


def issuer_name(content: dict) -> str:
    """Who issues the letter: the letterhead's first line, else the host."""
    lines = pdf_lines(content.get("letterhead"))
    return lines[0] if lines else content.get("host", "")
