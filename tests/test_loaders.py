"""Load or 404 (webapp/loaders.py): a page about a record that does not exist says so."""

from datetime import UTC, datetime

import pytest

from webapp.models import EventKind, Role

MISSING = 999_999


@pytest.mark.parametrize(("path", "message"), [
    ("/events/{missing}", "There is no event number 999999."),
    ("/events/{missing}/status", "There is no event number 999999."),
    ("/regions/nowhere", "There is no region &#39;nowhere&#39;."),
    ("/participation/regions/nowhere", "There is no region &#39;nowhere&#39;."),
    ("/missions/{missing}/plan", "There is no reverse mission number 999999."),
    ("/missions/{event}/guests/{missing}", "This guest is not on the mission&#39;s list."),
    ("/missions/{event}/items/{missing}", "This item is not on the mission&#39;s agenda."),
    ("/admin/mail/{missing}", "There is no message 999999 in the outbox."),
    ("/admin/mail/{missing}/attachments/1", "There is no such attachment."),
    ("/admin/users/{missing}", "There is no user number 999999."),
    ("/events/{missing}/register", "There is no event number 999999."),
    ("/events/{missing}/setup", "There is no event number 999999."),
    ("/events/{missing}/checkin", "There is no event number 999999."),
    ("/events/{event}/delegations/nowhere", "There is no region “nowhere”."),
    ("/delegates/{missing}/edit", "There is no registration number 999999."),
    ("/delegate-imports/{missing}", "There is no import number 999999."),
    ("/calendar/p/" + "x" * 24, "This calendar address does not exist or has been reset."),
    ("/calendar/p/not%00a%00token", "This calendar address does not exist or has been reset."),
])
def test_a_missing_record_answers_404_with_what_was_not_found(
        path, message, make_event, make_user, auth, client):
    """Each loader's 404 names what it looked for, for the secretariat (who may see all)."""
    event = make_event("Mission", kind=EventKind.REVERSE_MISSION,
                       starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC), hours=30)
    auth.login(make_user(Role.SECRETARIAT))
    response = client.get(path.format(missing=MISSING, event=event.id))
    assert response.status_code == 404
    assert message in response.get_data(as_text=True)


def test_fee_pages_404_for_a_fee_that_does_not_exist(make_user, auth, client):
    """Marking a fee that is not recorded as paid is a 404, not a 500."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post(f"/participation/fees/{MISSING}/paid", data={"paid_on": "2030-01-01"})
    assert response.status_code == 404
    assert f"There is no fee number {MISSING}." in response.get_data(as_text=True)


def test_a_delegate_page_404s_for_a_registration_outside_any_delegation(
        make_event, make_person, make_user, auth, client, app):
    """A registration made on the public form is no delegate: its delegate pages say so."""
    from webapp.extensions import db
    from webapp.models import Registration, RegistrationStatus

    event = make_event("Forum")
    person = make_person("Ada Guest", email="ada@example.org")
    registration = Registration(event=event, person=person, audience="international",
                                status=RegistrationStatus.CONFIRMED)
    db.session.add(registration)
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    response = client.get(f"/delegates/{registration.id}/edit")
    assert response.status_code == 404
    assert "This registration does not belong to a delegation." in response.get_data(as_text=True)
