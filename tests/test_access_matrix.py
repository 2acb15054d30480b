"""Every route × every kind of visitor, generated from app.url_map.

A route added without an entry in ACCESS fails `test_every_route_has_a_rule`, so nobody can
add a page and forget to decide who may open it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.models import (
    AgendaItem,
    AgendaKind,
    AnnualFee,
    AttendeeMessage,
    AuditEntry,
    DelegateImport,
    Delegation,
    DoorStaff,
    ErasureRequest,
    Event,
    EventCapacity,
    EventKind,
    MessageScope,
    MissionGuest,
    Person,
    Question,
    QuestionKind,
    Registration,
    Role,
    VisaLetter,
    utcnow,
)

# door_staff: an account with check-in rights at the matrix's event only (its own forum).
VISITORS = ["anonymous", "participant", "coordinator", "other_coordinator", "secretariat",
            "door_staff"]

# Expected status per visitor. "login" means a redirect to the sign-in page.
PUBLIC = dict.fromkeys(VISITORS, 200)
SIGNED_IN = {"anonymous": "login", **dict.fromkeys(VISITORS[1:], 200)}
SECRETARIAT = {"anonymous": "login", "participant": 403, "coordinator": 403,
               "other_coordinator": 403, "secretariat": 200, "door_staff": 403}
GUESTS_ONLY = {"anonymous": 200, **dict.fromkeys(VISITORS[1:], 302)}  # signed in: go home
AFTER_POST = dict.fromkeys(VISITORS, 302)
INVALID_LINK = dict.fromkeys(VISITORS, 400)  # the matrix uses a forged token
SECRETARIAT_POST = {**SECRETARIAT, "secretariat": 302}
# A forum's check-in: the secretariat and that forum's door staff (another forum's door
# staff get 403: tests/registrations/test_door_staff.py).
CHECKIN = {**SECRETARIAT, "door_staff": 200}
CHECKIN_POST = {**CHECKIN, "secretariat": 302, "door_staff": 302}
UNKNOWN_SECRET = dict.fromkeys(VISITORS, 404)  # a feed token that does not exist
# Reverse missions: any planner may start one; only the host region's coordinator and the
# secretariat may plan it.
ANY_PLANNER = {"anonymous": "login", "participant": 403, "coordinator": 200,
               "other_coordinator": 200, "secretariat": 200, "door_staff": 403}
HOST_PLANNER = {**ANY_PLANNER, "other_coordinator": 403}
HOST_PLANNER_POST = {**HOST_PLANNER, "coordinator": 302, "secretariat": 302}
# A region's own pages: its coordinator and the secretariat.
REGION = {"anonymous": "login", "participant": 403, "coordinator": 200,
          "other_coordinator": 403, "secretariat": 200, "door_staff": 403}
REGION_POST = {**REGION, "coordinator": 302, "secretariat": 302}

# endpoint -> (HTTP method, expected outcome per visitor)
ACCESS: dict[str, tuple[str, dict]] = {
    "static": ("GET", PUBLIC),
    "core.healthz": ("GET", PUBLIC),
    "core.home": ("GET", {**PUBLIC, "door_staff": 302}),  # door staff: to their check-in
    "regions.index": ("GET", PUBLIC),
    "regions.detail": ("GET", PUBLIC),
    "events.index": ("GET", PUBLIC),
    "events.detail": ("GET", PUBLIC),
    "events.status": ("GET", HOST_PLANNER),
    "calendars.event_ics": ("GET", PUBLIC),
    "calendars.network_feed": ("GET", PUBLIC),
    "calendars.region_feed": ("GET", PUBLIC),
    "calendars.personal_feed": ("GET", UNKNOWN_SECRET),
    "calendars.personal_page": ("GET", UNKNOWN_SECRET),
    "calendars.my_calendar": ("GET", SIGNED_IN),
    "calendars.reset_personal_feed": ("POST", UNKNOWN_SECRET),
    "auth.login": ("GET", GUESTS_ONLY),
    "auth.logout": ("POST", AFTER_POST),
    "auth.forgot_password": ("GET", PUBLIC),
    "auth.accept_invitation": ("GET", INVALID_LINK),
    "auth.reset_password": ("GET", INVALID_LINK),
    "auth.account": ("GET", SIGNED_IN),
    "users_admin.users": ("GET", SECRETARIAT),
    "users_admin.invite": ("GET", SECRETARIAT),
    "users_admin.edit_user": ("GET", SECRETARIAT),
    "users_admin.resend_invitation": ("POST", SECRETARIAT_POST),
    "users_admin.audit": ("GET", SECRETARIAT),
    "participation.index": ("GET", SECRETARIAT),
    "participation.matrix_csv": ("GET", SECRETARIAT),
    "participation.chart_svg": ("GET", SECRETARIAT),
    "participation.policy": ("GET", SECRETARIAT),
    "participation.region": ("GET", SECRETARIAT),
    "participation.fees": ("GET", SECRETARIAT),
    "participation.create_fees": ("POST", SECRETARIAT_POST),
    "participation.fee_paid": ("POST", SECRETARIAT_POST),  # no date given: refused, redirected
    "participation.fee_unpaid": ("POST", SECRETARIAT_POST),  # not paid: nothing to undo
    "missions.new_mission": ("GET", ANY_PLANNER),
    "missions.edit_mission": ("GET", HOST_PLANNER),
    "missions.plan": ("GET", HOST_PLANNER),
    "missions.guests": ("GET", HOST_PLANNER),
    "missions.edit_guest": ("GET", HOST_PLANNER),
    "missions.itinerary": ("GET", HOST_PLANNER),
    "missions.hosts": ("GET", HOST_PLANNER),
    "missions.new_item": ("GET", HOST_PLANNER),
    "missions.edit_item": ("GET", HOST_PLANNER),
    "missions.check_item": ("POST", HOST_PLANNER),
    "missions.cancel": ("POST", HOST_PLANNER_POST),
    "missions.timetable": ("GET", PUBLIC),
    "missions.guest_itinerary": ("GET", INVALID_LINK),
    "public_registration.register": ("GET", PUBLIC),
    "public_registration.manage": ("GET", INVALID_LINK),
    "public_registration.cancel_own": ("POST", INVALID_LINK),
    "public_registration.registered": ("GET", UNKNOWN_SECRET),  # a forged receipt
    "public_registration.edit_answers": ("GET", INVALID_LINK),
    "public_registration.ticket": ("GET", INVALID_LINK),
    "public_registration.set_language": ("POST", INVALID_LINK),
    "delegations.delegation": ("GET", REGION),
    "delegations.edit_delegate": ("GET", REGION),
    "delegations.substitute_delegate": ("GET", REGION),
    "delegations.withdraw_delegate": ("POST", REGION_POST),
    "delegations.import_upload": ("GET", REGION),
    "delegations.import_preview": ("GET", REGION),
    "delegations.import_confirm": ("POST", REGION_POST),
    "checkin.checkin_page": ("GET", CHECKIN),
    "checkin.checkin_counts": ("GET", CHECKIN),
    "checkin.toggle": ("POST", CHECKIN_POST),
    "checkin.scan": ("POST", CHECKIN_POST),  # a plain post: flash and back to the page
    "forum_admin.new_forum": ("GET", SECRETARIAT),
    "forum_admin.edit_forum": ("GET", SECRETARIAT),
    "forum_admin.quotas": ("GET", SECRETARIAT),
    "forum_admin.attendees": ("GET", SECRETARIAT),
    "forum_admin.export_attendees": ("GET", SECRETARIAT),
    "forum_admin.cancel": ("POST", SECRETARIAT_POST),
    "questions.index": ("GET", SECRETARIAT),
    "questions.new": ("GET", SECRETARIAT),
    "questions.edit": ("GET", SECRETARIAT),
    "questions.move": ("POST", SECRETARIAT_POST),
    "questions.retire": ("POST", SECRETARIAT_POST),
    "questions.restore": ("POST", SECRETARIAT_POST),
    "questions.delete": ("GET", SECRETARIAT),  # asks first; the POST deletes
    "questions.summary": ("GET", SECRETARIAT),
    "forum_admin.door_staff": ("GET", SECRETARIAT),
    "forum_admin.remove_door_staff_view": ("POST", SECRETARIAT_POST),
    "mail_admin.index": ("GET", SECRETARIAT),
    "mail_admin.detail": ("GET", SECRETARIAT),
    "mail_admin.download_eml": ("GET", SECRETARIAT),
    "mail_admin.download_attachment": ("GET", SECRETARIAT),
    "mail_admin.retry": ("POST", SECRETARIAT_POST),
    "mail_admin.retry_failed": ("POST", SECRETARIAT_POST),
    "mail_admin.send_waiting": ("GET", SECRETARIAT),  # asks first; the POST sends
    "messages.forum_messages": ("GET", SECRETARIAT),
    "messages.compose_forum": ("GET", SECRETARIAT),
    "messages.mission_messages": ("GET", HOST_PLANNER),
    "messages.compose_mission": ("GET", HOST_PLANNER),
    "messages.detail": ("GET", HOST_PLANNER),  # a mission's message; a forum's: tests/messages
    "privacy.notice": ("GET", PUBLIC),
    "privacy.link_data": ("GET", INVALID_LINK),
    "privacy.link_data_json": ("GET", INVALID_LINK),
    "privacy.link_consents": ("POST", INVALID_LINK),
    "privacy.link_erase": ("GET", INVALID_LINK),
    "privacy.account_data": ("GET", SIGNED_IN),
    "privacy.account_data_json": ("GET", SIGNED_IN),
    "privacy.account_erase": ("GET", SIGNED_IN),  # asks first
    "privacy_admin.edit_notice": ("GET", SECRETARIAT),
    "privacy_admin.requests": ("GET", SECRETARIAT),
    "privacy_admin.request_detail": ("GET", SECRETARIAT),
    "privacy_admin.erase": ("POST", SECRETARIAT_POST),
    "privacy_admin.refuse": ("POST", {**SECRETARIAT, "secretariat": 400}),  # no reason given
    "badges.forum_badges_pdf": ("GET", SECRETARIAT),
    "badges.delegation_badges_pdf": ("GET", REGION),
    "badges.person_badge_pdf": ("GET", REGION),
    "visas.letters": ("GET", HOST_PLANNER),  # on the concerned region's event (SAMPLES)
    "visas.issue": ("POST", SECRETARIAT_POST),  # no passport details: refused, redirected
    "visas.download": ("GET", SECRETARIAT),
    "visas.passport": ("POST", INVALID_LINK),
    "visas.own_letter": ("GET", INVALID_LINK),
    "visas.verify": ("GET", PUBLIC),
}


@pytest.fixture
def world(seeded, make_region, make_user, make_person):
    """A region concerned, another region, and one account per role; returns URL arguments."""
    concerned, other = make_region("Concerned"), make_region("Other")
    users = {
        "participant": make_user(Role.PARTICIPANT),
        "coordinator": make_user(Role.COORDINATOR, region=concerned),
        "other_coordinator": make_user(Role.COORDINATOR, region=other),
        "secretariat": make_user(Role.SECRETARIAT),
        "door_staff": make_user(Role.DOOR_STAFF),
    }
    event_id = db.session.scalar(sa.select(Event.id).filter_by(slug="reverse-mission-2012"))
    fee = AnnualFee(region_id=concerned.id, year=2013)
    db.session.add(fee)
    db.session.commit()
    mission, guest, item = _mission_hosted_by(concerned, other)
    delegation = Delegation(event_id=event_id, region_id=concerned.id)
    delegate = Registration(event_id=event_id, person=make_person(), delegation=delegation,
                            audience="international")
    draft = DelegateImport(event_id=event_id, region_id=concerned.id, filename="d.csv",
                           rows_json="[]")
    question = Question(event_id=event_id, position=1, kind=QuestionKind.YES_NO,
                        label="I need a visa invitation letter")
    # Someone of their own: the matrix erases them (before the delegate's letter is fetched).
    erasure = ErasureRequest(person=Person(full_name="Erin Erase", email="erin@example.org"),
                             asked_via="link")
    door = DoorStaff(event_id=event_id, user_id=users["door_staff"].id)
    db.session.add_all([delegation, delegate, draft, question, erasure, door])
    written = AttendeeMessage(event_id=mission.id, scope=MessageScope.GUESTS, subject="Hi",
                              body="Hi", selection="guests", selection_words="Every guest",
                              send_key="matrix-key-0123456789abcdef")
    db.session.add(written)
    letter = VisaLetter(registration=delegate, reference="VL-2012-TEST", content_json=json.dumps(
        {"holder": "D", "nationality": "X", "passport_number": "X1234", "birth_date": "1980-01-01",
         "expiry_date": "2040-01-01", "forum": "F", "dates": "D", "place": "P", "host": "H",
         "letterhead": "H"}))
    db.session.add(letter)
    message = queue_email("delegate@example.org", "Hello", "test_message", {"name": "D"},
                          attachments=[Attachment("a.txt", "text/plain", b"a")])
    db.session.commit()
    arguments = {
        "mission_id": mission.id,
        "guest_id": guest.id,
        "item_id": item.id,
        "registration_id": delegate.id,
        "import_id": draft.id,
        "slug": concerned.slug,
        "event_id": event_id,
        "user_id": users["participant"].id,
        "token": "forged-token",
        "receipt": "1.forged.receipt",
        "filename": "css/app.css",
        "year": 2013,
        "fee_id": fee.id,
        "message_id": message.id,
        "attachment_id": message.attachments[0].id,
        "question_id": question.id,
        "attendee_message_id": written.id,
        "request_id": erasure.id,
        "letter_id": letter.id,
    }
    return users, arguments


def _mission_hosted_by(host, guest_region):
    """A reverse mission of the region concerned, with one guest and one item."""
    mission = Event(slug="mission-concerned", kind=EventKind.REVERSE_MISSION, title="Mission",
                    place="Somewhere", host_region_id=host.id, timezone="Europe/Copenhagen",
                    starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                    ends_at=datetime(2030, 5, 9, 15, tzinfo=UTC))
    person = Person(full_name="Guest", email="guest@example.org", region_id=guest_region.id)
    db.session.add_all([mission, person])
    db.session.flush()
    guest = MissionGuest(event_id=mission.id, person_id=person.id)
    item = AgendaItem(event_id=mission.id, kind=AgendaKind.VISIT, title="Visit",
                      starts_at=mission.starts_at, ends_at=mission.starts_at + timedelta(hours=1))
    db.session.add_all([guest, item])
    db.session.commit()
    return mission, guest, item


# Routes opened with another sample than their argument's name gives: {argument: sample}.
# An event's status is opened on the concerned region's reverse mission, which its
# coordinator may confirm or cancel (HOST_PLANNER); posts: tests/test_event_status.py.
SAMPLES = {
    "events.status": {"event_id": "mission_id"},
    "visas.letters": {"event_id": "mission_id"},
}


def rules(app):
    """Every URL rule of the app."""
    return list(app.url_map.iter_rules())


def test_every_route_has_a_rule(app):
    """A new route must be added to ACCESS with its expected outcomes."""
    missing = sorted({rule.endpoint for rule in rules(app)} - set(ACCESS))
    assert not missing, f"routes without an access rule: {missing}"


def build_url(app, endpoint: str, arguments: dict) -> str:
    """The route's URL with sample arguments."""
    rule = next(r for r in rules(app) if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        samples = SAMPLES.get(endpoint, {})
        return url_for(endpoint, **{name: arguments[samples.get(name, name)]
                                    for name in rule.arguments})


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(app, world, visitor, auth, client):
    """Each visitor gets exactly the expected answer from every route."""
    users, arguments = world
    if visitor != "anonymous":
        assert auth.login(users[visitor]).status_code == 302
    failures = []
    for endpoint, (method, expected_by_visitor) in sorted(ACCESS.items()):
        url = build_url(app, endpoint, arguments)
        response = client.open(url, method=method)
        expected = expected_by_visitor[visitor]
        if expected == "login":
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{method} {url}: got {response.status_code}, expected {expected}")
        if endpoint == "auth.logout" and visitor != "anonymous":
            auth.login(users[visitor])  # sign back in for the remaining routes
    assert not failures, "\n".join(failures)


def _forum(make_event, title: str):
    """A forum open for delegations (three places per region)."""
    forum = make_event(title, hours=48, registration_opens_at=utcnow() - timedelta(days=1),
                       default_delegation_quota=3)
    forum.capacities.append(EventCapacity(audience="international", label="International",
                                          capacity=10))
    db.session.commit()
    return forum


def test_a_coordinator_cannot_rewrite_another_regions_delegate(make_event, make_region,
                                                               make_user, client, auth):
    """Midtjylland adds Flanders' delegate (one person record per email) and renames her: only
    Midtjylland's entry changes; Flanders' delegation, the person's record and Flanders' audit
    trail stay as they were, and Midtjylland never sees what Flanders entered."""
    flanders_forum, aarhus_forum = _forum(make_event, "Forum A"), _forum(make_event, "Forum B")
    flanders, midtjylland = make_region("Flanders"), make_region("Midtjylland")
    flanders_url = f"/events/{flanders_forum.id}/delegations/{flanders.slug}"
    midtjylland_url = f"/events/{aarhus_forum.id}/delegations/{midtjylland.slug}"
    berta = {"email": "berta@flanders.example.org"}
    assert auth.login(make_user(Role.COORDINATOR, region=flanders)).status_code == 302
    client.post(flanders_url, data={**berta, "full_name": "Berta Peeters",
                                    "organisation": "Flanders DC", "job_title": "Director"},
                follow_redirects=True)
    auth.logout()

    assert auth.login(make_user(Role.COORDINATOR, region=midtjylland)).status_code == 302
    page = client.post(midtjylland_url, data={**berta, "full_name": "B. Peeters"},
                       follow_redirects=True).get_data(as_text=True)
    assert "B. Peeters" in page
    assert "Berta Peeters" not in page and "Flanders DC" not in page and "Director" not in page
    theirs = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == aarhus_forum.id)).one()
    assert client.post(f"/delegates/{theirs.id}/edit", data={
        "full_name": "Bertha Rewritten", "job_title": "Spy"}).status_code == 302
    assert "Bertha Rewritten" in client.get(midtjylland_url).get_data(as_text=True)
    auth.logout()

    assert auth.login(make_user(Role.COORDINATOR, region=flanders)).status_code == 302
    page = client.get(flanders_url).get_data(as_text=True)
    assert "Berta Peeters" in page and "Flanders DC · Director" in page
    assert "Rewritten" not in page and "Spy" not in page
    person = db.session.scalars(sa.select(Person).filter_by(email=berta["email"])).one()
    assert (person.full_name, person.organisation, person.job_title) == (
        "Berta Peeters", "Flanders DC", "Director")
    edits = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="delegation.delegate_edited")).all()
    assert [(e.target_type, e.target_id) for e in edits] == [("delegation", theirs.delegation_id)]
