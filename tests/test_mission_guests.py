"""Mission guests: answering through the signed link, inviting many at once, the planner's
first steps and warning links, the zone default, print controls."""

from datetime import date, timedelta

import sqlalchemy as sa

from tests.test_missions import START, add_item, item_form, mission, outbox, planner  # noqa: F401
from webapp.extensions import db
from webapp.missions.tokens import itinerary_token
from webapp.models import (
    AuditEntry,
    EventKind,
    GuestStatus,
    MembershipEntry,
    MembershipKind,
    MissionGuest,
    Representative,
    Role,
)


def link_of(guest: MissionGuest, app) -> str:
    """The guest's signed itinerary path."""
    with app.test_request_context():
        return f"/missions/itinerary/{itinerary_token(guest)}"


def audit(action: str) -> list[AuditEntry]:
    """Audit entries of one action, oldest first."""
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEntry).filter_by(action=action)
                              .order_by(AuditEntry.id)).all()


ANSWER = {"status": "accepted", "starts_at": "2030-05-07T12:00",
          "ends_at": "2030-05-09T15:00", "note": "<b>Vegan</b>, wheelchair access"}


def test_guest_accepts_through_the_link_and_the_planner_uses_their_stay(
        mission, app, client, make_user, auth):  # noqa: F811
    """Invited Cy opens their link (no account), accepts with a stay and a note: the answer
    is stored, audited as the guest's, and the planner flags the item before their arrival,
    saying the stay; the hostile note stays text."""
    event, host, guests = mission
    cy = guests["Cy"]
    cy.status = GuestStatus.INVITED
    db.session.commit()
    breakfast = add_item(event, "Breakfast", 2)  # 11:00–12:00 local, before Cy arrives
    page = client.get(link_of(cy, app))
    assert page.status_code == 200 and "Will you come?" in page.text
    response = client.post(link_of(cy, app), data=ANSWER)
    assert response.status_code == 302 and response.headers["Location"].endswith("#answer")
    assert "your answer is saved" in client.get(response.headers["Location"]).text
    db.session.expire_all()
    cy = db.session.get(MissionGuest, cy.id)
    assert cy.status is GuestStatus.ACCEPTED and cy.answered_by_guest
    assert cy.arrives_at == START + timedelta(hours=3)  # 12:00 Copenhagen is 10:00 UTC
    assert cy.note == "<b>Vegan</b>, wheelchair access"
    [entry] = audit("mission.guest_answered")
    assert entry.actor_id is None and entry.target_id == cy.id
    assert "given by the guest through their itinerary link" in entry.summary
    assert "answer invited → accepted" in entry.summary and "Vegan" not in entry.summary

    auth.login(make_user(Role.COORDINATOR, region=host))
    plan = client.get(f"/missions/{event.id}/plan").text
    assert f'<a href="/missions/{event.id}/guests">3 accepted, 1 declined</a>' in plan
    assert ("“Breakfast” (Tue 7 May 11:00–12:00) is outside the stay of Cy "
            "(stay Tue 7 May 12:00 – Thu 9 May 15:00).") in plan
    assert f'href="/missions/{event.id}/plan#item-{breakfast.id}">Breakfast</a>' in plan
    guest_list = client.get(f"/missions/{event.id}/guests").text
    assert "&lt;b&gt;Vegan&lt;/b&gt;" in guest_list and "<b>Vegan" not in guest_list
    assert "by the guest" in guest_list


def test_a_stay_outside_the_missions_days_is_refused_with_the_days(
        mission, app, client):  # noqa: F811
    """Arriving the day before, or leaving after the last day: 400, a message naming the
    mission's days, the typed input kept, nothing stored."""
    event, _host, guests = mission
    url = link_of(guests["Ann"], app)
    response = client.post(url, data={**ANSWER, "starts_at": "2030-05-06T18:00"})
    assert response.status_code == 400
    assert ("Give an arrival on one of the mission days: Tue 7 May 2030 to Thu 9 May 2030."
            in response.text)
    assert "&lt;b&gt;Vegan&lt;/b&gt;, wheelchair access</textarea>" in response.text
    response = client.post(url, data={**ANSWER, "ends_at": "2030-05-10T09:00"})
    assert response.status_code == 400 and "Give a departure on one of the mission days" in \
        response.text
    db.session.expire_all()
    assert db.session.get(MissionGuest, guests["Ann"].id).arrives_at is None
    assert audit("mission.guest_answered") == []


def test_the_answer_form_explains_a_missing_or_forged_answer(mission, app, client):  # noqa: F811
    """No choice, or a status the guest may not give (invited): a message, never a 500."""
    _event, _host, guests = mission
    url = link_of(guests["Bo"], app)
    response = client.post(url, data={**ANSWER, "status": ""})
    assert response.status_code == 400 and "Say whether you accept or decline." in response.text
    response = client.post(url, data={**ANSWER, "status": "invited"})
    assert response.status_code == 400 and "Choose accept or decline." in response.text


def test_a_guest_who_declines_leaves_the_plan_and_can_change_their_mind(
        mission, app, client):  # noqa: F811
    """Declining takes Ann out of every item; her page says so and offers to accept again."""
    event, _host, guests = mission
    add_item(event, "Welcome", 0)
    url = link_of(guests["Ann"], app)
    assert client.post(url, data={"status": "declined"}).status_code == 302
    page = client.get(url).text
    assert "You declined this invitation" in page and "Welcome" not in page
    assert client.post(url, data={"status": "declined"}).status_code == 302
    assert len(audit("mission.guest_answered")) == 1  # the same answer again changes nothing


def test_an_organiser_still_records_an_answer_and_it_is_audited(
        mission, planner, client):  # noqa: F811
    """The guest form takes a note too; the entry names the organiser; outside days refused."""
    event, _host, guests = mission
    url = f"/missions/{event.id}/guests/{guests['Bo'].id}"
    bad = client.post(url, data={"status": "accepted", "starts_at": "2030-05-11T10:00"})
    assert bad.status_code == 400 and "Give an arrival on one of the mission days" in bad.text
    response = client.post(url, data={"status": "accepted", "starts_at": "2030-05-07T10:00",
                                      "ends_at": "", "note": "No nuts"})
    assert response.status_code == 302
    [entry] = audit("mission.guest_recorded")
    assert entry.actor_id == planner.id and "recorded by an organiser" in entry.summary
    assert "note given" in entry.summary and "No nuts" not in entry.summary
    db.session.expire_all()
    bo = db.session.get(MissionGuest, guests["Bo"].id)
    assert bo.note == "No nuts" and not bo.answered_by_guest


def test_invite_several_people_in_one_submit(mission, planner, client, make_person):  # noqa: F811
    """Two people ticked at once: both invited and mailed, one message naming both."""
    event, _host, guests = mission
    region_id = guests["Ann"].person.region_id
    eva, finn = (make_person(n, region_id=region_id, email=f"{n.lower()}@example.org")
                 for n in ("Eva", "Finn"))
    db.session.commit()
    response = client.post(f"/missions/{event.id}/guests",
                           data={"person_ids": [str(eva.id), str(finn.id)]})
    assert response.status_code == 302
    assert sorted(m.to_address for m in outbox()) == ["eva@example.org", "finn@example.org"]
    page = client.get(response.headers["Location"]).text
    assert "Eva and Finn are invited; an email with their itinerary link is on its way" in page
    nobody = client.post(f"/missions/{event.id}/guests", data={})
    assert nobody.status_code == 400 and "Tick the people to invite" in nobody.text


def test_inviting_someone_without_an_email_says_so_plainly(
        mission, planner, client, make_person):  # noqa: F811
    """No address recorded: invited, nothing queued, and the page says so and shows the link
    to pass on instead of 'an email is on its way'."""
    event, _host, guests = mission
    gus = make_person("Gus", region_id=guests["Ann"].person.region_id, email=None)
    db.session.commit()
    response = client.post(f"/missions/{event.id}/guests", data={"person_ids": [str(gus.id)]},
                           follow_redirects=True)
    assert outbox() == []
    assert "is on its way" not in response.text
    assert "Gus is invited, but no email address is recorded for this guest: nothing was sent." \
        in response.text
    assert "No email recorded: pass on" in response.text and "/missions/itinerary/" in \
        response.text


def test_invite_all_representatives_of_the_member_regions(
        mission, planner, client, make_region, make_person):  # noqa: F811
    """The representatives in office on the first day of member regions other than the host:
    a former member's, an ended term's and the host's own are left out; those on the list
    already are skipped and named."""
    event, host, guests = mission
    abroad = guests["Ann"].person.region
    excluded = make_region("Gone")
    excluded.membership_entries.append(MembershipEntry(kind=MembershipKind.EXCLUDED,
                                                       on=date(2012, 6, 1)))
    appointed = date(2020, 1, 1)
    people = {}
    for name, region, until in (("Rita", abroad, None), ("Olaf", abroad, date(2025, 1, 1)),
                                ("Hans", host, None), ("Xena", excluded, None),
                                ("Nina", abroad, None)):
        people[name] = make_person(name, region_id=region.id,
                                   email=None if name == "Nina" else f"{name}@example.org")
        db.session.add(Representative(region_id=region.id, person_id=people[name].id,
                                      appointed_on=appointed, until=until))
    db.session.add(Representative(region_id=abroad.id, person_id=guests["Ann"].person_id,
                                  appointed_on=appointed))
    db.session.commit()
    response = client.post(f"/missions/{event.id}/guests", data={"all_representatives": "y"},
                           follow_redirects=True)
    assert response.status_code == 200
    invited = set(db.session.scalars(
        sa.select(MissionGuest.person_id).filter_by(event_id=event.id)))
    assert {people["Rita"].id, people["Nina"].id} <= invited
    assert not invited & {people[n].id for n in ("Olaf", "Hans", "Xena")}
    assert [m.to_address for m in outbox()] == ["rita@example.org"]
    assert "Nina is invited, but no email address is recorded" in response.text
    assert "Already on the guest list: Ann." in response.text


def test_an_empty_planner_says_what_to_do_first(make_region, make_event, make_user, auth, client):
    """No guests, no items: first steps, not '0 guests planned for' or 'No conflicts'."""
    host = make_region("Host")
    event = make_event(kind=EventKind.REVERSE_MISSION, host_region_id=host.id)
    auth.login(make_user(Role.COORDINATOR, region=host))
    html = client.get(f"/missions/{event.id}/plan").text
    assert "Start here" in html and "Invite the guests" in html
    assert "Add the first agenda item" in html
    assert "0 guests" not in html and "No planning conflicts" not in html
    assert "every guest can be everywhere" not in html


def test_the_zone_starts_as_the_host_regions(make_region, make_user, auth, client):
    """A Catalonia coordinator's new mission is in Europe/Madrid, not Europe/Copenhagen; the
    picker is the forum set-up's (a select of IANA zones); options carry each host's zone."""
    catalonia = make_region("Catalonia", timezone="Europe/Madrid")
    auth.login(make_user(Role.COORDINATOR, region=catalonia))
    html = client.get("/missions/new").text
    assert '<option selected value="Europe/Madrid">Europe/Madrid</option>' in html
    assert 'data-zone="Europe/Madrid"' in html and "js/mission_form.js" in html
    assert '<select id="timezone" name="timezone">' in html


def test_a_mission_page_offers_no_delegation_link(
        mission, make_region, make_user, auth, client):  # noqa: F811
    """A coordinator of another region sees the mission without 'Delegation of …'."""
    event, _host, _guests = mission
    region = make_region("Visitor")
    auth.login(make_user(Role.COORDINATOR, region=region))
    html = client.get(f"/events/{event.id}").text
    assert event.title in html and "Delegation of" not in html


def test_print_views_have_print_and_back_buttons(mission, planner, app, client):  # noqa: F811
    """The timetable's and an itinerary's print views keep Print and Back on screen (outside
    .no-print) and load the script that wires them."""
    event, _host, guests = mission
    add_item(event, "Welcome", 0)
    for url, back in (
            (f"/missions/{event.id}/timetable?print=1", f"/missions/{event.id}/plan"),
            (link_of(guests["Ann"], app) + "?print=1", link_of(guests["Ann"], app))):
        html = client.get(url).text
        assert '<p class="print-controls">' in html
        assert f'class="button button-quiet js-back" href="{back}">Back</a>' in html
        assert '<button type="button" class="js-print" hidden>Print</button>' in html
        assert "js/agenda.js" in html


def test_live_check_warnings_link_to_the_items(mission, planner, client):  # noqa: F811
    """The JSON for agenda.js names the other item with its planner link."""
    event, _host, _guests = mission
    harbour = add_item(event, "Harbour visit", 1, hours=2)
    answer = client.post(f"/missions/{event.id}/items/check", data=item_form()).get_json()
    assert answer["warnings"][0]["items"] == [
        {"title": "Harbour visit", "url": f"/missions/{event.id}/plan#item-{harbour.id}"}]



def test_hostile_input_on_the_answer_and_invite_forms_is_answered(
        mission, planner, app, client):  # noqa: F811
    """Each field of the guest's answer form and of the invitation form, given hostile
    text, gets a page (200/302/400), never a server error."""
    from tests.test_hostile_input import ONE_AT_A_TIME

    event, _host, guests = mission
    forms = ((link_of(guests["Ann"], app), ANSWER),
             (f"/missions/{event.id}/guests", {"person_ids": "", "all_representatives": "",
                                              "email": "", "full_name": "", "region_id": ""}))
    for url, base in forms:
        for name in base:
            for value in ONE_AT_A_TIME:
                response = client.post(url, data={**base, name: value})
                assert response.status_code in (200, 302, 400), (url, name, value)
