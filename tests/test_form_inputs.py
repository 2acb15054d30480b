"""Input the forms used to store or crash on: line breaks in one-line fields, addresses mail
cannot reach, dates no plan has, times the clocks skip. Each is refused with its message and
the typed text kept (webapp.forms)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AnnualFee,
    Event,
    EventKind,
    MissionGuest,
    Role,
    User,
)

EVIL_TITLE = "Evil Forum\r\nBcc: victim@example.org"
NON_ASCII = "søren@example.org"
ONE_LINE = "This field takes a single line"
NO_SMTPUTF8 = "non-ASCII characters before the @"


def forum_form(**overrides) -> dict:
    """A valid forum set-up form."""
    return {"title": "Forum 2031", "place": "Aarhus", "timezone": "Europe/Copenhagen",
            "starts_local": "2031-05-07T09:00", "ends_local": "2031-05-08T17:00", **overrides}


@pytest.fixture
def secretariat(make_user, auth):
    """Signed in as the secretariat."""
    user = make_user(Role.SECRETARIAT)
    auth.login(user)
    return user


@pytest.fixture
def mission(make_region, make_event, secretariat):
    """A reverse mission hosted by 'Host' in Copenhagen, in 2030."""
    host = make_region("Host")
    event = make_event("Mission", kind=EventKind.REVERSE_MISSION, hours=48,
                       host_region_id=host.id)
    db.session.commit()
    return event


def test_a_line_break_in_a_forum_title_is_refused_with_the_input_kept(client, secretariat):
    """The title that later made every registration's mail a 500: refused at the set-up."""
    response = client.post("/forums/new", data=forum_form(title=EVIL_TITLE))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ONE_LINE in page and "Evil Forum\r\nBcc: victim@example.org" in page
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_a_line_break_in_an_invited_name_is_refused(client, secretariat):
    """The invitation's To name would have been a 500; now the form says why."""
    response = client.post("/admin/users/invite", data={
        "full_name": "Ann\nBcc: victim@example.org", "email": "ann@example.org",
        "role": "secretariat"})
    assert response.status_code == 400 and ONE_LINE in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.id).filter_by(email="ann@example.org")) is None


def test_text_areas_keep_their_line_breaks(client, mission):
    """Descriptions are many lines: only one-line fields refuse line breaks."""
    response = client.post(f"/missions/{mission.id}/items/new", data={
        "kind": "visit", "title": "Harbour", "description": "Line one\r\nLine two",
        "starts_at": "2030-05-07T10:00", "ends_at": "2030-05-07T11:00", "attendance": "all"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(AgendaItem.description)) == "Line one\r\nLine two"


@pytest.mark.parametrize("address", [NON_ASCII, "SØREN@example.org", "zoë@example.org"])
def test_the_shared_email_check_refuses_a_non_ascii_local_part(address):
    """Before the @ only ASCII (SMTPUTF8 is not spoken); an accented domain is fine."""
    from webapp.forms import email_problem

    assert NO_SMTPUTF8 in email_problem(address)
    assert email_problem("soren@exämple.org") is None
    assert email_problem("not-an-email") == "This is not an email address."


def test_a_non_ascii_address_is_refused_for_a_mission_guest_and_a_user(client, mission):
    """Inviting a mission guest, and inviting a user account, by such an address."""
    guest = client.post(f"/missions/{mission.id}/guests", data={
        "email": NON_ASCII, "full_name": "Søren"})
    user = client.post("/admin/users/invite", data={
        "full_name": "Søren", "email": NON_ASCII, "role": "secretariat"})
    for response in (guest, user):
        assert response.status_code == 400 and NO_SMTPUTF8 in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MissionGuest.id))) == 0


def test_a_mission_ending_in_9999_is_refused(client, mission):
    """The end that made the feeds overflow: a year outside 1900–2200 is a typing slip."""
    response = client.post(f"/missions/{mission.id}/edit", data={
        "title": "Mission", "host_region_id": str(mission.host_region_id), "place": "Aarhus",
        "timezone": "Europe/Copenhagen", "starts_at": "2030-05-07T09:00",
        "ends_at": "9999-12-31T23:59", "travel_buffer_minutes": "30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "give a year from 1900 to 2200" in page and 'value="9999-12-31T23:59"' in page
    assert db.session.get(Event, mission.id).ends_at.year == 2030


def test_an_agenda_item_ending_in_9999_is_refused(client, mission):
    """The item that broke the guest's feed and could not be cancelled is never saved."""
    response = client.post(f"/missions/{mission.id}/items/new", data={
        "kind": "visit", "title": "Harbour", "starts_at": "2030-05-07T10:00",
        "ends_at": "9999-12-31T23:59", "attendance": "all"})
    assert response.status_code == 400
    assert "give a year from 1900 to 2200" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


@pytest.mark.parametrize(("as_of", "says"), [
    ("9999-12-31", "give a year from 1900 to 2200"),
    ("2017-02-30", "not a real date: February 2017 has 28 days"),
])
def test_the_review_date_far_out_or_unreal_falls_back_and_says_so(client, secretariat, as_of,
                                                                  says):
    """/participation/?as_of=9999-12-31 was a 500; now the page shows today and says why."""
    response = client.get(f"/participation/?as_of={as_of}")
    assert response.status_code == 200 and says in response.get_data(as_text=True)


def test_a_date_that_does_not_exist_says_so(client, secretariat):
    """30 February: "not a real date", not "This field is required"; the text is kept."""
    response = client.post("/forums/new", data=forum_form(starts_local="2017-02-30T09:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not a real date: February 2017 has 28 days" in page
    assert "This field is required" not in page and 'value="2017-02-30T09:00"' in page


def test_a_time_the_clocks_skip_is_refused_on_the_forum_set_up(client, secretariat):
    """02:30 on 14 March 2010 never happened in Chicago: it was saved as 03:30 silently."""
    response = client.post("/forums/new", data=forum_form(
        timezone="America/Chicago", starts_local="2010-03-14T02:30",
        ends_local="2010-03-15T17:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "02:30 on 14 March 2010 does not exist in America/Chicago" in page
    assert "such as 03:30" in page
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_a_time_the_clocks_skip_is_refused_for_an_agenda_item(client, mission):
    """An item's times are in the mission's zone (given by the route, not the form)."""
    mission.timezone = "America/Chicago"
    db.session.commit()
    response = client.post(f"/missions/{mission.id}/items/new", data={
        "kind": "visit", "title": "Harbour", "starts_at": "2030-03-10T02:15",
        "ends_at": "2030-03-10T05:00", "attendance": "all"})
    assert response.status_code == 400
    assert "does not exist in America/Chicago" in response.get_data(as_text=True)


def test_a_time_that_exists_twice_is_taken(client, secretariat):
    """01:30 on the night summer time ends happens twice: taken (the first), no error."""
    response = client.post("/forums/new", data=forum_form(
        timezone="America/Chicago", starts_local="2031-11-02T01:30",
        ends_local="2031-11-03T17:00"))
    assert response.status_code == 302


@pytest.mark.parametrize(("paid_on", "says"), [
    ("1900-01-01", "before the network began (2004)"),
    ("9999-12-31", "give a year from 1900 to 2200"),
])
def test_a_fee_paid_before_the_network_began_is_refused(client, secretariat, make_region,
                                                        paid_on, says):
    """A fee paid on 1900-01-01 was accepted; the first fees date from 2004."""
    fee = AnnualFee(region=make_region(), year=2013)
    db.session.add(fee)
    db.session.commit()
    page = client.post(f"/participation/fees/{fee.id}/paid", data={"paid_on": paid_on},
                       follow_redirects=True).get_data(as_text=True)
    assert says in page
    assert db.session.get(AnnualFee, fee.id).paid_on is None
    client.post(f"/participation/fees/{fee.id}/paid", data={"paid_on": "2004-01-01"})
    assert db.session.get(AnnualFee, fee.id).paid_on == date(2004, 1, 1)
