"""Reverse missions: planning pages, itinerary-change notifications, links, query counts."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.ical_check import parse_calendar
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    GuestStatus,
    MissionGuest,
    OutboxMessage,
    Person,
    Region,
    Role,
    agenda_attendance,
)

START = datetime(2030, 5, 7, 7, 0, tzinfo=UTC)  # 09:00 in Copenhagen (CEST)


@pytest.fixture
def mission(make_region, make_event, make_person):
    """A 3-day mission hosted by 'Host' with guests Ann, Bo, Cy (accepted) and Di (declined)."""
    host, guests_region = make_region("Host"), make_region("Abroad")
    event = make_event("Mission to Host", kind=EventKind.REVERSE_MISSION, starts_at=START,
                       hours=58, host_region_id=host.id)
    guests = {}
    for name, status in (("Ann", GuestStatus.ACCEPTED), ("Bo", GuestStatus.ACCEPTED),
                         ("Cy", GuestStatus.ACCEPTED), ("Di", GuestStatus.DECLINED)):
        person = make_person(name, region_id=guests_region.id, email=f"{name.lower()}@example.org")
        guests[name] = MissionGuest(event_id=event.id, person_id=person.id, status=status)
        db.session.add(guests[name])
    db.session.commit()
    return event, host, guests


def add_item(event, title, start_hours, hours=1, guests=None, **fields) -> AgendaItem:
    """An item `start_hours` after the mission starts, for everyone or for `guests`."""
    item = AgendaItem(event_id=event.id, kind=fields.pop("kind", AgendaKind.VISIT), title=title,
                      starts_at=START + timedelta(hours=start_hours),
                      ends_at=START + timedelta(hours=start_hours + hours),
                      all_guests=guests is None, selected_guests=list(guests or []), **fields)
    db.session.add(item)
    db.session.commit()
    return item


def item_form(**overrides) -> dict:
    """A valid item form (local times: the mission's first day, 10:00-11:00)."""
    data = {"kind": "visit", "title": "Visit the harbour", "starts_at": "2030-05-07T10:00",
            "ends_at": "2030-05-07T11:00", "attendance": "all", "address": "Harbour 1"}
    data.update(overrides)
    return data


def outbox() -> list[OutboxMessage]:
    """Every queued message."""
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def planner(mission, make_user, auth):
    """Signed in as the host region's coordinator."""
    _event, host, _guests = mission
    user = make_user(Role.COORDINATOR, region=host)
    auth.login(user)
    return user


def test_moving_an_item_updates_itineraries_and_notifies_exactly_the_guests_concerned(
        mission, planner, client):
    """Ann and Bo's split visit moves: they two get an update, Cy and declined Di get nothing,
    and both itineraries show the new time."""
    event, _host, guests = mission
    visit = add_item(event, "Design school", 3, guests=[guests["Ann"], guests["Bo"],
                                                        guests["Di"]])
    add_item(event, "Welcome", 0)
    form = item_form(title="Design school", attendance="some",
                     guest_ids=[guests["Ann"].id, guests["Bo"].id],
                     starts_at="2030-05-07T14:00", ends_at="2030-05-07T15:30")
    response = client.post(f"/missions/{event.id}/items/{visit.id}", data=form)
    assert response.status_code == 302
    messages = outbox()
    assert sorted(m.to_address for m in messages) == ["ann@example.org", "bo@example.org"]
    assert all(m.subject == "Itinerary update: Design school" for m in messages)
    # Each label on a line of its own: the indent holds in any language's label length.
    assert ("  Now:\n    Design school\n    Tue 7 May 2030, 14:00 CEST – 15:30\n"
            "    Harbour 1\n  Before:\n    Design school\n") in messages[0].body_text
    db.session.expire_all()
    assert db.session.get(AgendaItem, visit.id).sequence == 1
    for message in messages:  # each update carries the item's calendar update (iTIP REQUEST)
        [part] = message.attachments
        assert part.content_type == "text/calendar; method=REQUEST; charset=UTF-8"
        parsed = parse_calendar(part.data)
        assert str(parsed.calendar["METHOD"]) == "REQUEST"
        vevent = parsed.events[f"agenda-{visit.id}@localhost"]
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent.decoded("DTSTART").strftime("%H:%M %Z") == "14:00 CEST"
        assert str(vevent["ATTENDEE"]) == f"mailto:{message.to_address}"
    for name, expected in (("Ann", True), ("Bo", True), ("Cy", False)):
        html = client.get(f"/missions/{event.id}/guests/{guests[name].id}/itinerary").text
        assert ("14:00–15:30" in html) is expected
        assert "Welcome" in html  # the all-guests item is on everyone's itinerary


def test_hostile_text_stays_text_in_pages_and_mail_headers(mission, planner, client):
    """A title with markup: escaped on pages. With a line break the form refuses it; one
    stored with a line break anyway (older data) is one line in the mail subject."""
    event, _host, guests = mission
    refused = client.post(f"/missions/{event.id}/items/new", data=item_form(
        title="<script>x</script>\r\nBcc: all@example.org"))
    assert refused.status_code == 400 and "single line" in refused.text
    item = add_item(event, "<script>x</script>\r\nBcc: all@example.org", 1,
                    guests=[guests["Ann"]])
    html = client.get(f"/missions/{event.id}/plan").text
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    moved = item_form(title="<script>x</script>", attendance="some",
                      guest_ids=[guests["Ann"].id],
                      starts_at="2030-05-07T15:00", ends_at="2030-05-07T16:00")
    assert client.post(f"/missions/{event.id}/items/{item.id}", data=moved).status_code == 302
    [message] = outbox()
    assert message.subject == "Itinerary update: <script>x</script> Bcc: all@example.org"
    assert "<script>" not in (message.body_html or "")


def test_attendance_change_tells_only_the_guests_added_and_removed(mission, planner, client):
    """Moving Bo out and Cy in, same time and place: Bo hears 'no longer', Cy hears 'added'."""
    event, _host, guests = mission
    visit = add_item(event, "Lab", 3, guests=[guests["Ann"], guests["Bo"]])
    form = item_form(title="Lab", attendance="some", guest_ids=[guests["Ann"].id,
                                                                guests["Cy"].id],
                     starts_at="2030-05-07T12:00", ends_at="2030-05-07T13:00", address="")
    assert client.post(f"/missions/{event.id}/items/{visit.id}", data=form).status_code == 302
    bodies = {m.to_address: m.body_text for m in outbox()}
    assert set(bodies) == {"bo@example.org", "cy@example.org"}
    assert "no longer expected" in bodies["bo@example.org"]
    assert "has been added to your itinerary" in bodies["cy@example.org"]


def test_an_edit_that_moves_nothing_notifies_nobody(mission, planner, client):
    """Changing only the description or capacity sends no mail and keeps the sequence."""
    event, _host, _guests = mission
    visit = add_item(event, "Lab", 3)
    form = item_form(title="Lab", starts_at="2030-05-07T12:00", ends_at="2030-05-07T13:00",
                     address="", description="Bring a laptop.", capacity="40")
    assert client.post(f"/missions/{event.id}/items/{visit.id}", data=form).status_code == 302
    assert outbox() == []
    db.session.expire_all()
    saved = db.session.get(AgendaItem, visit.id)
    assert saved.description == "Bring a laptop." and saved.sequence == 0


def test_cancelling_an_item_tells_its_guests_and_keeps_it(mission, planner, client):
    """A cancelled all-guests item: the three attending guests are told; the item stays."""
    event, _host, _guests = mission
    dinner = add_item(event, "Dinner", 10, kind=AgendaKind.MEAL)
    response = client.post(f"/missions/{event.id}/items/{dinner.id}/cancel")
    assert response.status_code == 302
    messages = outbox()
    assert sorted(m.to_address for m in messages) == ["ann@example.org", "bo@example.org",
                                                       "cy@example.org"]
    assert "has been CANCELLED" in messages[0].body_text
    db.session.expire_all()
    assert db.session.get(AgendaItem, dinner.id).is_cancelled
    html = client.get(f"/missions/{event.id}/plan").text
    assert "Cancelled items" in html and "<s>" in html
    client.post(f"/missions/{event.id}/items/{dinner.id}/cancel")
    assert len(outbox()) == 3  # cancelling twice tells nobody twice


def test_conflict_warnings_on_the_planner_and_before_saving(mission, planner, client):
    """Check shows the clash without saving; saving is allowed and the planner names it."""
    event, _host, _guests = mission
    add_item(event, "Harbour visit", 1, hours=2, address="Harbour 1")  # 10:00-12:00 local
    clash = item_form(title="School visit", address="School 2")
    response = client.post(f"/missions/{event.id}/items/new", data={**clash, "action": "check"})
    assert response.status_code == 200
    assert "Guest in two places" in response.text and "Ann, Bo and Cy are in both" in \
        response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) == 1
    response = client.post(f"/missions/{event.id}/items/new", data={**clash, "action": "save"})
    assert response.status_code == 302
    planner_page = client.get(response.headers["Location"]).text
    assert "Warnings (1)" in planner_page and "1 warning concerns it" in planner_page
    assert "are in both “School visit” (Tue 7 May 10:00–11:00) and “Harbour visit”" in \
        planner_page


def test_check_endpoint_answers_json_for_the_live_form(mission, planner, client):
    """agenda.js posts the form: warnings come back as JSON; a half-filled form says so."""
    event, _host, _guests = mission
    add_item(event, "Harbour visit", 1, hours=2)
    answer = client.post(f"/missions/{event.id}/items/check", data=item_form()).get_json()
    assert answer["ok"] and [w["rule"] for w in answer["warnings"]] == ["guest_double_booked"]
    answer = client.post(f"/missions/{event.id}/items/check",
                         data=item_form(ends_at="")).get_json()
    assert not answer["ok"] and "ends_at" in answer["errors"]


def test_bad_item_input_is_explained_and_kept(mission, planner, client):
    """End before start and a split without guests: 400, messages, the typed title kept."""
    event, _host, _guests = mission
    response = client.post(f"/missions/{event.id}/items/new", data=item_form(
        title="<b>Late</b>", ends_at="2030-05-07T09:00", attendance="some"))
    assert response.status_code == 400
    assert "The end must come after the start." in response.text
    assert "Tick at least one guest" in response.text
    assert 'value="&lt;b&gt;Late&lt;/b&gt;"' in response.text
    response = client.post(f"/missions/{event.id}/items/new", data=item_form(
        starts_at="not a date", guest_ids=["x"]))
    assert response.status_code == 400


def test_invite_by_email_mails_a_link_to_the_personal_itinerary(mission, planner, client, app):
    """A new person is created, invited and mailed; the link opens their own itinerary."""
    event, _host, _guests = mission
    add_item(event, "Welcome", 0)
    response = client.post(f"/missions/{event.id}/guests", data={
        "email": "Eve@Example.org", "full_name": "Eve <Evil>", "person_id": "", "region_id": ""})
    assert response.status_code == 302
    guest = db.session.scalars(sa.select(MissionGuest).join(Person)
                               .where(Person.email == "eve@example.org")).one()
    assert guest.status is GuestStatus.INVITED
    [message] = outbox()
    link = next(line for line in message.body_text.splitlines() if "/itinerary/" in line)
    client.post("/logout")
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200
    assert "Itinerary of Eve &lt;Evil&gt;" in page.text and "Welcome" in page.text
    db.session.expire_all()
    token = guest.person.calendar_token
    assert f"webcal://localhost/calendar/p/{token}.ics" in page.text  # subscribe to own items
    feed = client.get(f"/calendar/p/{token}.ics")
    assert feed.status_code == 200 and b"SUMMARY:Welcome" in feed.data
    assert client.get(link.removeprefix("http://localhost") + "x").status_code == 400


def test_inviting_the_same_person_twice_is_refused(mission, planner, client):
    """The guest list is unique per person (and the database says so too)."""
    event, _host, guests = mission
    response = client.post(f"/missions/{event.id}/guests", data={"email": "ann@example.org"})
    assert response.status_code == 400 and "already on the guest list" in response.text
    db.session.add(MissionGuest(event_id=event.id, person_id=guests["Ann"].person_id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_guest_stay_is_recorded_in_local_time(mission, planner, client):
    """Arrival typed as 08:00 Copenhagen is stored as 06:00 UTC and flags an earlier item."""
    event, _host, guests = mission
    add_item(event, "Breakfast", 0)  # 09:00 local
    response = client.post(f"/missions/{event.id}/guests/{guests['Bo'].id}", data={
        "status": "accepted", "starts_at": "2030-05-07T10:00", "ends_at": "2030-05-09T18:00"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MissionGuest, guests["Bo"].id).arrives_at == START + timedelta(hours=1)
    html = client.get(f"/missions/{event.id}/plan").text
    assert "outside the stay of Bo" in html
    # The guest list names the zone once, so each stay is day and local time, unbroken.
    guests_page = client.get(f"/missions/{event.id}/guests").text
    assert "times in Europe/Copenhagen" in guests_page
    assert '<span class="nowrap">Tue 7 May, 10:00</span>' in guests_page
    assert '<span class="nowrap">Thu 9 May, 18:00</span>' in guests_page


def test_coordinator_creates_a_mission_for_their_own_region_only(mission, planner, client):
    """The host region is theirs; another region's id is refused with a message."""
    _event, host, _guests = mission
    other = db.session.scalar(sa.select(Region.id).filter_by(name="Abroad"))
    data = {"title": "Smart regions week", "place": "Aarhus", "timezone": "Europe/Copenhagen",
            "starts_at": "2031-05-05T09:00", "ends_at": "2031-05-07T17:00",
            "travel_buffer_minutes": "45"}
    response = client.post("/missions/new", data={**data, "host_region_id": str(other)})
    assert response.status_code == 400 and "Choose the host region." in response.text
    response = client.post("/missions/new", data={**data, "host_region_id": str(host.id)})
    assert response.status_code == 302
    created = db.session.scalars(sa.select(Event).filter_by(title="Smart regions week")).one()
    assert created.kind is EventKind.REVERSE_MISSION and created.travel_buffer_minutes == 45
    assert created.starts_at == datetime(2031, 5, 5, 7, 0, tzinfo=UTC)
    bad = client.post("/missions/new", data={**data, "host_region_id": str(host.id),
                                             "timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "IANA zone" in bad.text


def test_public_timetable_hides_guest_names_and_has_a_print_layout(mission, client):
    """Anyone sees the timetable with group sizes, never the guests' names."""
    event, _host, guests = mission
    add_item(event, "Visit A", 1, guests=[guests["Ann"]], address="A")
    add_item(event, "Visit B", 1, guests=[guests["Bo"], guests["Cy"]], address="B")
    html = client.get(f"/missions/{event.id}/timetable").text
    assert "In parallel (2 groups)" in html and "Group of 2" in html
    assert "Ann" not in html and "Bo" not in html
    assert 'class="print-layout"' in client.get(f"/missions/{event.id}/timetable?print=1").text


def test_host_view_lists_who_comes_when(mission, planner, client):
    """A host organisation sees its items and the guests coming, declined ones left out."""
    event, _host, guests = mission
    add_item(event, "Lab tour", 2, guests=[guests["Ann"], guests["Di"]],
             host_organisation="Lab", contact_name="Liv")
    html = client.get(f"/missions/{event.id}/hosts").text
    assert "Lab" in html and "Contact: Liv" in html and "1 guest: Ann" in html


def test_seeded_mission_has_an_example_agenda_without_conflicts(seeded, make_user, auth, client):
    """25 illustrative guests from other regions, a parallel split, every item an Example."""
    from webapp.loaders import get_mission
    from webapp.missions.services import mission_warnings

    event_id = db.session.scalar(sa.select(Event.id).filter_by(slug="reverse-mission-2012"))
    event = get_mission(event_id)
    assert len(event.guests) == 25 and all(g.is_illustrative for g in event.guests)
    assert all(g.person.email.endswith("@example.org") for g in event.guests)
    assert {g.person.region.slug for g in event.guests}.isdisjoint(
        {"region-midtjylland", "nord-pas-de-calais", "qingdao"})
    assert all(item.is_illustrative for item in event.agenda_items)
    split = [item for item in event.agenda_items if not item.all_guests]
    assert len(split) == 2 and sum(len(i.selected_guests) for i in split) == 25
    assert mission_warnings(event) == []
    auth.login(make_user(Role.SECRETARIAT))
    html = client.get(f"/missions/{event_id}/plan").text
    assert "No planning conflicts" in html and "In parallel (2 groups)" in html
    assert html.count(">Example</span>") == len(event.agenda_items)


def make_big_mission(event: Event, guests: int, items: int) -> None:
    """`guests` guests and `items` back-to-back items, every fifth one for half the guests."""
    region_id = event.host_region_id
    db.session.execute(sa.insert(Person), [
        {"full_name": f"Guest {n}", "email": f"g{n}.{event.id}@example.org",
         "region_id": region_id} for n in range(guests)])
    person_ids = db.session.scalars(sa.select(Person.id).where(
        Person.email.like(f"%.{event.id}@example.org"))).all()
    db.session.execute(sa.insert(MissionGuest), [
        {"event_id": event.id, "person_id": pid, "status": GuestStatus.ACCEPTED}
        for pid in person_ids])
    guest_ids = db.session.scalars(sa.select(MissionGuest.id).filter_by(event_id=event.id)).all()
    event.ends_at = START + timedelta(hours=items)
    db.session.execute(sa.insert(AgendaItem), [
        {"event_id": event.id, "kind": AgendaKind.VISIT, "title": f"Item {n}",
         "starts_at": START + timedelta(hours=n), "ends_at": START + timedelta(hours=n, minutes=45),
         "address": "Hall", "all_guests": n % 5 != 0} for n in range(items)])
    split_ids = db.session.scalars(sa.select(AgendaItem.id).filter_by(
        event_id=event.id, all_guests=False)).all()
    db.session.execute(agenda_attendance.insert(), [
        {"agenda_item_id": iid, "mission_guest_id": gid}
        for iid in split_ids for gid in guest_ids[::2]])
    db.session.commit()


def test_planner_and_itinerary_queries_do_not_grow_with_the_mission(
        make_region, make_event, make_user, auth, client, count_queries):
    """25 guests × 60 items and 250 × 600 cost the same number of SQL statements."""
    host = make_region("Host")
    small = make_event(kind=EventKind.REVERSE_MISSION, starts_at=START, host_region_id=host.id)
    big = make_event(kind=EventKind.REVERSE_MISSION, starts_at=START, host_region_id=host.id)
    make_big_mission(small, 25, 60)
    make_big_mission(big, 250, 600)
    auth.login(make_user(Role.SECRETARIAT))
    counts = {}
    for event, size in ((small, "small"), (big, "big")):
        guest_id = db.session.scalar(sa.select(MissionGuest.id).filter_by(event_id=event.id))
        for page in ("plan", f"guests/{guest_id}/itinerary", "timetable", "hosts"):
            with count_queries() as counter:
                response = client.get(f"/missions/{event.id}/{page}")
            assert response.status_code == 200
            counts[(page.split("/")[0], size)] = counter.count
    for page in ("plan", "guests", "timetable", "hosts"):
        assert counts[(page, "small")] == counts[(page, "big")] <= 10, counts
