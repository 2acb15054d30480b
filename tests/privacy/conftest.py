"""Fixtures for the personal data tests: a person with one of every kind of data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.mail import queue_email
from webapp.mail.delivery import deliver_due
from webapp.models import (
    AgendaItem,
    AgendaKind,
    AttendeeMessage,
    CheckInEntry,
    DelegateImport,
    Delegation,
    Event,
    EventCapacity,
    EventKind,
    MessageRecipient,
    MessageScope,
    MissionGuest,
    PassportDetails,
    Person,
    Question,
    QuestionKind,
    Registration,
    Representative,
    VisaLetter,
)
from webapp.privacy.consents import set_consents
from webapp.questions.answers import save_answers
from webapp.registrations.audit import record_check_in, record_public_registration
from webapp.registrations.services import PersonData, check_in, register_person

NAME, EMAIL = "Zuzanna Quillfeather", "zuzanna.quill@example.org"
DELEGATE_NAME = "Zuzanna Q. Quillfeather-Nowak"
FORUM_START = datetime(2030, 5, 7, 7, 0, tzinfo=UTC)
AFTER_EVERYTHING = datetime(2033, 1, 15, 9, 0, tzinfo=UTC)  # no role of hers is active then


@dataclass
class Rich:
    """The person and what was built around her."""

    person: Person
    public: Registration
    delegate: Registration
    guest: MissionGuest
    region_id: int
    forum: Event
    second_forum: Event


def open_forum(make_event, title: str, starts_at: datetime = FORUM_START) -> Event:
    """A forum with guest and international seats, open for registration before it starts."""
    forum = make_event(title, starts_at=starts_at, hours=56, default_delegation_quota=3,
                       registration_opens_at=starts_at - timedelta(days=90))
    forum.capacities += [EventCapacity(audience="guest", label="Guests", capacity=50),
                         EventCapacity(audience="international", label="International",
                                       capacity=50)]
    db.session.flush()
    return forum


@pytest.fixture
def rich_person(app, make_region, make_event, make_user) -> Rich:
    """Zuzanna, with one of every kind of data (build_rich_person)."""
    return build_rich_person(make_region, make_event, make_user)


def build_rich_person(make_region, make_event, make_user) -> Rich:
    """Zuzanna: a public guest of one forum (checked in, a consent, her mail delivered), a
    delegate of Flanders at another (her region's own entry), a mission guest with a note,
    a past representative, in a delegate import, in the audit log and the outbox."""
    flanders = make_region("Flanders")
    secretariat = make_user("secretariat")
    forum = open_forum(make_event, "Creativity World Forum 2030")
    second = open_forum(make_event, "Creativity World Forum 2031",
                        starts_at=FORUM_START.replace(year=2031))
    data = PersonData(NAME, EMAIL, "Quill & Inkwell Ltd", "Chief Inkwell")
    public = register_person(forum, data, "guest")
    record_public_registration(public, forum, EMAIL)
    person = public.person
    person.region_id = flanders.id
    check_in(public, secretariat)
    record_check_in(public, secretariat, undo=False)
    set_consents(public, {"participants_list"})

    delegation = Delegation(event_id=second.id, region_id=flanders.id)
    db.session.add(delegation)
    db.session.flush()
    delegate = register_person(second, data, "international", delegation=delegation,
                               is_head_of_delegation=True)
    delegate.delegate_name, delegate.delegate_organisation = DELEGATE_NAME, "Flanders DC"
    delegate.delegate_job_title = "Head of delegation"
    db.session.add(CheckInEntry(registration_id=delegate.id, action="checked_in",
                                at=second.starts_at))
    delegate.checked_in_at = second.starts_at

    mission = Event(slug="mission-z", kind=EventKind.REVERSE_MISSION, title="Mission to Aarhus",
                    place="Aarhus", timezone="Europe/Copenhagen", host_region_id=flanders.id,
                    starts_at=datetime(2030, 9, 1, 7, tzinfo=UTC),
                    ends_at=datetime(2030, 9, 3, 15, tzinfo=UTC))
    db.session.add(mission)
    db.session.flush()
    guest = MissionGuest(event_id=mission.id, person_id=person.id, status="accepted",
                         arrives_at=mission.starts_at, departs_at=mission.ends_at,
                         note=f"Vegan, allergic to feathers — {NAME}")
    item = AgendaItem(event_id=mission.id, kind=AgendaKind.VISIT, title="Visit",
                      starts_at=mission.starts_at, ends_at=mission.starts_at + timedelta(hours=1),
                      contact_name=NAME, contact_email=EMAIL)
    seat = Representative(region_id=flanders.id, person_id=person.id,
                          appointed_on=date(2028, 1, 1), until=date(2031, 12, 31),
                          note=f"{NAME} appointed by the board")
    draft = DelegateImport(event_id=second.id, region_id=flanders.id, filename="flanders.csv",
                           rows_json=json.dumps([{"line": 2, "name": NAME, "email": EMAIL}]))
    db.session.add_all([guest, item, seat, draft])
    access = Question(event_id=forum.id, position=1, kind=QuestionKind.SHORT_TEXT,
                      label="Accessibility needs")
    db.session.add(access)
    db.session.flush()
    save_answers(public.id, {access.id: f"A ramp for {NAME}"})
    note = AttendeeMessage(event_id=forum.id, scope=MessageScope.REGISTRATIONS,
                           subject="Programme", body="Hi {name}", selection="confirmed",
                           selection_words="Everyone confirmed", send_key="privacy-test-key",
                           sent_at=FORUM_START)
    db.session.add(note)
    db.session.flush()
    db.session.add(MessageRecipient(message_id=note.id, person_id=person.id,
                                    registration_id=public.id, name=NAME))
    db.session.add(PassportDetails(registration_id=delegate.id, full_name=NAME,
                                   nationality="Polish", passport_number="ZQ1234567",
                                   birth_date=date(1980, 2, 3), expiry_date=date(2040, 1, 1)))
    db.session.add(VisaLetter(registration_id=delegate.id, reference="VL-2031-ZQ",
                              content_json=json.dumps({"holder": NAME})))
    queue_email(EMAIL, f"A note for {NAME}", "test_message", {"name": NAME}, to_name=NAME)
    queue_email("coordinator@example.org", "Your delegates", "test_message",
                {"name": f"Coordinator (about {NAME} <{EMAIL}>)"})
    db.session.commit()
    deliver_due()  # the registration mails are written now, with her name in them
    return Rich(person, public, delegate, guest, flanders.id, forum, second)
