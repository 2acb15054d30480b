"""A person's export holds every kind of data; erasure leaves no trace of who they were
anywhere in the database, keeps the participation counts, and waits for active roles."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from tests.privacy.conftest import AFTER_EVERYTHING, DELEGATE_NAME, EMAIL, NAME
from webapp.clock import today
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    CheckInEntry,
    Consent,
    ErasureStatus,
    OutboxMessage,
    Registration,
    Representative,
    Role,
)
from webapp.participation.services import review
from webapp.privacy.anonymise import ErasureRefused, anonymise
from webapp.privacy.registry import SECTIONS, collect_export, export_section
from webapp.privacy.requests import confirm_erasure, refuse_erasure, request_erasure
from webapp.privacy_pages.export import export_data


def _export(person) -> dict:
    """The export as the JSON file has it."""
    return json.loads(json.dumps(export_data(person), default=str))["sections"]


def test_the_export_lists_every_kind_of_data(rich_person, clock):
    """Record, registrations of both forums, her delegation, the mission stay and note,
    both check-ins, the consent, the representative seat, the mail to her, the audit log."""
    clock.move_to(AFTER_EVERYTHING)
    sections = _export(rich_person.person)
    data = {key: section["data"] for key, section in sections.items()}
    assert data["person"]["email"] == EMAIL and data["person"]["name"] == NAME
    assert data["person"]["organisation"] == "Quill & Inkwell Ltd"
    assert {r["event"] for r in data["registrations"]} == {
        "Creativity World Forum 2030", "Creativity World Forum 2031"}
    assert any(r["name_given_by_region"] == DELEGATE_NAME for r in data["registrations"])
    assert data["delegations"] == [{"event": "Creativity World Forum 2031", "region": "Flanders",
                                    "head_of_delegation": True, "status": "Confirmed"}]
    [stay] = data["mission_invitations"]
    assert stay["mission"] == "Mission to Aarhus" and "feathers" in stay["note"]
    assert stay["arrives_at"].startswith("2030-09-01")
    assert len(data["check_ins"]) == 2
    assert [c["consent"] for c in data["consents"]] == [
        "Show my name and organisation on the event's participants list"]
    assert data["representative_seats"][0]["region"] == "Flanders"
    subjects = [m["subject"] for m in data["emails"]]
    assert f"A note for {NAME}" in subjects and len(subjects) >= 3  # + two registration mails
    assert all(m["to"] == EMAIL for m in data["emails"])
    assert any(NAME in (m["text"] or "") for m in data["emails"])
    actions = {a["action"] for a in data["audit"]}
    assert {"Registered through the public form", "Checked in"} <= actions
    assert data["account"] == [] and data["erasure_requests"] == []
    assert data["answers"] == [{"forum": "Creativity World Forum 2030",
                                "question": "Accessibility needs", "answer": f"A ramp for {NAME}"}]
    assert [m["subject"] for m in data["messages"]] == ["Programme"]
    assert data["passport_details"][0]["passport_number"] == "ZQ1234567"
    assert data["visa_letters"][0]["content"] == {"holder": NAME}


def test_a_feature_adds_a_section_in_one_line(rich_person):
    """`export_section` is the registry other features use."""
    try:
        export_section("tea", "Tea preferences")(lambda person: {"tea": f"green for #{person.id}"})
        assert _export(rich_person.person)["tea"] == {
            "title": "Tea preferences", "data": {"tea": f"green for #{rich_person.person.id}"}}
    finally:
        SECTIONS.pop("tea")


def every_text_value() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text-like value of every table, found by reflecting
    the database itself (not the models), so a table no one thought of is searched too."""
    meta = sa.MetaData()
    meta.reflect(bind=db.engine)
    found = []
    with db.engine.connect() as conn:
        for table in meta.sorted_tables:
            texts = [c for c in table.columns
                     if isinstance(c.type, sa.String | sa.Text | sa.JSON)
                     or c.type.__class__.__name__ in ("VARCHAR", "TEXT", "JSON", "JSONB")]
            if not texts:
                continue
            for row in conn.execute(sa.select(*texts)):
                for column, value in zip(texts, row, strict=True):
                    if value is not None:
                        found.append((table.name, column.name, str(value)))
    return found


def traces(*needles: str) -> list[tuple[str, str, str]]:
    """Where any needle still appears (case-insensitive)."""
    lowered = [n.lower() for n in needles]
    return [(t, c, v[:120]) for t, c, v in every_text_value()
            if any(n in v.lower() for n in lowered)]


def matrix_counts(as_of: date) -> list[tuple[str, list[str]]]:
    """The participation matrix as the review shows it: each region's cells in words."""
    matrix = review(as_of).matrix
    return [(row.region.name, [cell.text for cell in row.cells]) for row in matrix.rows]


def test_erasure_leaves_no_name_or_email_in_any_table_and_keeps_the_counts(
        rich_person, make_user, clock):
    """After her request is confirmed, no text column of any table (outbox included) holds
    her name, her region's name for her or her email; her rows stay and the review counts
    the same; the audit log says what happened without saying who."""
    clock.move_to(AFTER_EVERYTHING)
    assert traces(NAME, EMAIL, DELEGATE_NAME)  # the search does find her before
    before = matrix_counts(date(2032, 1, 1))
    rows_before = {table: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                   for table, model in (("registration", Registration),
                                        ("check_in_entry", CheckInEntry))}
    person_id = rich_person.person.id
    request = request_erasure(rich_person.person, "link")
    db.session.commit()
    secretariat = make_user(Role.SECRETARIAT)
    confirm_erasure(secretariat, request)
    db.session.commit()

    assert traces(NAME, EMAIL, DELEGATE_NAME, "Quillfeather", "zuzanna") == []
    assert matrix_counts(date(2032, 1, 1)) == before
    assert {table: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for table, model in (("registration", Registration),
                                 ("check_in_entry", CheckInEntry))} == rows_before
    person = rich_person.person
    assert person.full_name == f"Erased person #{person_id}"
    assert person.email == f"erased-{person_id}@erased.invalid" and person.erased_at is not None
    assert request.status is ErasureStatus.ERASED
    assert db.session.scalar(sa.select(sa.func.count(Consent.id)).where(
        Consent.withdrawn_at.is_(None))) == 0
    assert not db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.status == "queued")).all()
    erased = db.session.scalars(sa.select(AuditEntry).filter_by(action="privacy.erased")).one()
    assert erased.summary == (f"Person #{person_id}: personal data erased at their request "
                              f"(request #{request.id})")


def test_erasure_waits_while_an_account_is_active(rich_person, make_user, clock):
    """An active account under her email refuses the erasure, saying why; the request
    keeps waiting; once the account is deactivated the erasure goes through, account too."""
    clock.move_to(AFTER_EVERYTHING)
    account = make_user(Role.PARTICIPANT, email=EMAIL, full_name=NAME)
    request = request_erasure(rich_person.person, "account")
    db.session.commit()
    with pytest.raises(ErasureRefused, match="holds an active participant account"):
        confirm_erasure(make_user(Role.SECRETARIAT), request)
    db.session.rollback()
    assert request.status is ErasureStatus.PENDING and rich_person.person.email == EMAIL
    account.is_enabled = False
    db.session.commit()
    confirm_erasure(make_user(Role.SECRETARIAT), request)
    db.session.commit()
    assert account.email.endswith("@erased.invalid") and not account.is_active
    assert traces(NAME, EMAIL) == []


def test_erasure_waits_while_a_representative_seat_lasts(rich_person, clock):
    """Her seat runs to the end of 2031: anonymising her before that is refused."""
    clock.move_to(AFTER_EVERYTHING.replace(year=2031, month=6))
    assert today() <= date(2031, 12, 31)
    with pytest.raises(ErasureRefused, match="is a representative of Flanders"):
        anonymise(rich_person.person, today())
    db.session.rollback()
    seat = db.session.scalars(sa.select(Representative)).one()
    seat.until = date(2029, 1, 1)  # the seat ended early
    db.session.commit()
    anonymise(rich_person.person, today())
    assert rich_person.person.erased_at is not None


def test_a_refusal_keeps_the_data_and_gives_the_reason(rich_person, make_user, clock):
    """The secretariat refuses with a reason: nothing is erased, the person's export says why."""
    clock.move_to(AFTER_EVERYTHING)
    request = request_erasure(rich_person.person, "link")
    refuse_erasure(make_user(Role.SECRETARIAT), request, "An open invoice of 2032 names you")
    db.session.commit()
    assert rich_person.person.full_name == NAME
    [answer] = _export(rich_person.person)["erasure_requests"]["data"]
    assert answer["status"] == "Refused" and answer["reason"] == "An open invoice of 2032 names you"
    assert collect_export(rich_person.person)  # still all there
