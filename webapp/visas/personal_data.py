"""Passport details and visa letters in a person's data export; both go when the person is
erased (the audit log keeps that a letter was issued, without what it said)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Event, PassportDetails, Person, Registration, VisaLetter
from webapp.privacy.registry import erasure_step, export_section, plain

if TYPE_CHECKING:
    from webapp.privacy.anonymise import Erased


def _of(person: Person):
    """The person's registrations, for the queries below."""
    return sa.select(Registration.id).where(Registration.person_id == person.id)


@export_section("passport_details", "Passport details for visa letters")
def passport_section(person: Person) -> list[dict[str, object]]:
    """The passport details given on each registration page."""
    rows = db.session.execute(
        sa.select(Event.title, PassportDetails)
        .join(Registration, Registration.id == PassportDetails.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(PassportDetails.registration_id.in_(_of(person))).order_by(PassportDetails.id))
    return [{"forum": forum, "full_name": details.full_name,
             "nationality": details.nationality, "passport_number": details.passport_number,
             "birth_date": plain(details.birth_date), "expiry_date": plain(details.expiry_date),
             "updated_at": plain(details.updated_at)} for forum, details in rows]


@export_section("visa_letters", "Visa invitation letters issued")
def letters_section(person: Person) -> list[dict[str, object]]:
    """Each letter issued, with what it said."""
    letters = db.session.scalars(sa.select(VisaLetter).where(
        VisaLetter.registration_id.in_(_of(person))).order_by(VisaLetter.issued_at))
    return [{"reference": letter.reference, "issued_at": plain(letter.issued_at),
             "content": json.loads(letter.content_json)} for letter in letters]


@erasure_step
def erase_passports_and_letters(person: Person, erased: Erased) -> None:
    """Passport details and the letters that carried them go: a letter is nothing but them."""
    for model in (PassportDetails, VisaLetter):
        db.session.execute(sa.delete(model).where(model.registration_id.in_(_of(person))))
