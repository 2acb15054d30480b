"""Door staff (registrations/door_staff.py, door_access.py): the secretariat gives an account
the check-in of one forum; it opens that forum's check-in and nothing else."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import AuditEntry, DoorStaff, OutboxMessage, Role, User
from webapp.registrations.services import register_person
from webapp.tickets import ticket_code


def test_the_secretariat_invites_door_staff_and_removes_them(make_forum, make_user, auth,
                                                             client):
    """A new address is invited as door staff; the list shows them; removing takes the
    rights back; both are in the audit log in words."""
    forum = make_forum(title="CWF 2030")
    assert auth.login(make_user(Role.SECRETARIAT)).status_code == 302
    url = f"/events/{forum.id}/door-staff"
    assert "No door staff yet" in client.get(url).get_data(as_text=True)
    missing_name = client.post(url, data={"email": "dora@example.org"})
    assert missing_name.status_code == 400
    assert "give their name" in missing_name.get_data(as_text=True)
    page = client.post(url, data={"email": "Dora@Example.org", "full_name": "Dora <Door>"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Dora &lt;Door&gt; may now check people in at CWF 2030" in page
    assert "invited, no password yet" in page
    dora = db.session.scalars(sa.select(User).filter_by(email="dora@example.org")).one()
    assert dora.role is Role.DOOR_STAFF and dora.password_hash is None
    invitation = db.session.scalars(sa.select(OutboxMessage)).one()
    assert invitation.to_address == "dora@example.org" and "door staff" in invitation.body_text
    again = client.post(url, data={"email": "dora@example.org"})
    assert "already door staff of CWF 2030" in again.get_data(as_text=True)
    page = client.post(f"{url}/{dora.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "may no longer check people in at CWF 2030" in page
    assert db.session.scalar(sa.select(sa.func.count(DoorStaff.id))) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["user.invited", "door_staff.added", "door_staff.removed"]
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Door staff added to a forum" in log and "Door staff removed from a forum" in log


def test_an_existing_account_keeps_its_role_and_the_secretariat_needs_none(
        make_forum, make_user, make_region, auth, client):
    """A coordinator given the door stays a coordinator; a secretariat account is refused
    (it has every check-in already)."""
    forum = make_forum()
    coordinator = make_user(Role.COORDINATOR, region=make_region())
    secretariat = make_user(Role.SECRETARIAT)
    auth.login(secretariat)
    url = f"/events/{forum.id}/door-staff"
    assert client.post(url, data={"email": coordinator.email}).status_code == 302
    assert db.session.get(User, coordinator.id).role is Role.COORDINATOR
    refused = client.post(url, data={"email": secretariat.email})
    assert "may already check people in at every forum" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(coordinator)
    assert client.get(f"/events/{forum.id}/checkin").status_code == 200


def test_door_staff_open_their_forums_check_in_only(make_forum, make_user, auth, client):
    """Home sends them to their forum's check-in; another forum's check-in, its names, its
    scan and its counts answer 403; so do the forum's other pages."""
    mine, other = make_forum(title="Mine"), make_forum(title="Other")
    dora = make_user(Role.DOOR_STAFF)
    db.session.add(DoorStaff(event_id=mine.id, user_id=dora.id))
    theirs = register_person(other, person(1), "guest")
    db.session.commit()
    auth.login(dora)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith(
        f"/events/{mine.id}/checkin")
    assert "Scan tickets" in client.get(f"/events/{mine.id}/checkin").get_data(as_text=True)
    for url in (f"/events/{other.id}/checkin", f"/events/{other.id}/checkin/counts",
                f"/events/{mine.id}/attendees", f"/events/{mine.id}/door-staff", "/admin/users"):
        assert client.get(url).status_code == 403, url
    for url in (f"/events/{other.id}/checkin/scan", f"/checkin/{theirs.id}"):
        assert client.post(url, data={"code": ticket_code(theirs.ticket_ref)}).status_code \
            == 403, url
    forbidden = client.get(f"/events/{other.id}/checkin").get_data(as_text=True)
    assert "door staff it names for this forum" in forbidden
    assert db.session.get(type(theirs), theirs.id).checked_in_at is None


def test_door_staff_without_a_forum_are_told_so(make_user, auth, client):
    """No forum is theirs (removed, or not yet added): a page that says so."""
    auth.login(make_user(Role.DOOR_STAFF))
    page = client.get("/")
    assert page.status_code == 200 and "no forum is yours" in page.get_data(as_text=True)


def test_the_scan_endpoint_admits_by_code_for_door_staff(make_forum, make_user, auth, client):
    """JSON for the scanner: who, audience, and the counts; a plain post flashes the same."""
    forum = make_forum()
    dora = make_user(Role.DOOR_STAFF, full_name="Dora Door")
    db.session.add(DoorStaff(event_id=forum.id, user_id=dora.id))
    ann = register_person(forum, person(1, full_name="Ann <b>Lee</b>"), "guest")
    db.session.commit()
    auth.login(dora)
    url = f"/events/{forum.id}/checkin/scan"
    answer = client.post(url, data={"code": ticket_code(ann.ticket_ref)},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["ok"] and data["person"]["name"] == "Ann <b>Lee</b>"
    assert data["person"]["audience"] == "Guests"
    assert {"audience": "guest", "label": "Guests", "present": 1, "confirmed": 1} in \
        data["counts"]["audiences"]
    again = client.post(url, data={"code": ticket_code(ann.ticket_ref)},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409 and "by Dora Door" in again.get_json()["message"]
    page = client.post(url, data={"code": "nonsense"}, follow_redirects=True)
    assert "Unknown code" in page.get_data(as_text=True)


def test_the_migration_admits_the_door_staff_role(app):
    """After `flask db upgrade` the role's CHECK takes 'door_staff' (and still refuses
    words that are no role)."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from tests.test_migrations import drop_everything

    drop_everything()
    upgrade(directory=app.extensions["migrate"].directory)
    insert = sa.text("INSERT INTO user_account (email, full_name, role, is_enabled, "
                     "session_version, created_at) VALUES (:e, 'D', :r, true, 1, "
                     "CURRENT_TIMESTAMP)")
    with db.engine.begin() as connection:
        connection.execute(insert, {"e": "d@example.org", "r": "door_staff"})
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(insert, {"e": "x@example.org", "r": "doorman"})
