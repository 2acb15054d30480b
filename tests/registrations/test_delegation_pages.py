"""Delegation pages as a coordinator reads them: one head of delegation, withdrawn delegates."""

from __future__ import annotations

import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import Registration, Role
from webapp.registrations.lists import attendees_csv
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import cancel_registration, register_person


def _delegation(make_forum, make_region):
    """A forum and Scotland's delegation to it."""
    forum = make_forum({"international": 10, "guest": 5}, quota=5)
    region = make_region("Scotland", slug="scotland")
    return forum, region, get_or_create_delegation(forum, region)


def test_a_second_head_of_delegation_is_warned_about(make_forum, make_region, make_user,
                                                     client, auth):
    """Adding a second head: a warning flash naming both, and the page keeps warning until one
    is unticked (before: nothing said)."""
    forum, region, delegation = _delegation(make_forum, make_region)
    register_person(forum, person(1, full_name="Isla Head"), "international",
                    delegation=delegation, is_head_of_delegation=True)
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=region))
    url = f"/events/{forum.id}/delegations/scotland"
    assert 'id="heads-warning"' not in client.get(url).get_data(as_text=True)
    page = client.post(url, data={"full_name": "Ewan Second", "email": "ewan@example.org",
                                  "is_head": "y"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "flash-warning" in html and "2 heads of delegation (Isla Head, Ewan Second)" in html
    assert 'id="heads-warning"' in html
    ewan = db.session.scalars(sa.select(Registration).filter_by(delegate_name="Ewan Second")).one()
    page = client.post(f"/delegates/{ewan.id}/edit", data={"full_name": "Ewan Second"},
                       follow_redirects=True)
    assert 'id="heads-warning"' not in page.get_data(as_text=True)
    assert "flash-warning" not in page.get_data(as_text=True)


def test_a_withdrawn_delegate_shows_as_withdrawn_with_the_reason(make_forum, make_region,
                                                                 make_user, client, auth):
    """Delegation history and attendee list say 'Withdrawn' and why (before: 'Cancelled'); a
    guest who cancelled stays 'Cancelled'; the CSV says withdrawn too."""
    forum, region, delegation = _delegation(make_forum, make_region)
    delegate = register_person(forum, person(1, full_name="Ian Gone"), "international",
                               delegation=delegation)
    guest = register_person(forum, person(2, full_name="Gail Guest"), "guest")
    secretariat = make_user(Role.SECRETARIAT)
    cancel_registration(delegate, secretariat, "Flight cancelled")
    cancel_registration(guest, None, "Cannot come")
    db.session.commit()
    auth.login(secretariat)
    history = client.get(f"/events/{forum.id}/delegations/scotland").get_data(as_text=True)
    history = history.split("<h2>History</h2>")[1]
    assert ">Withdrawn</span>" in history and "Flight cancelled" in history
    assert ">Cancelled</span>" not in history
    listing = client.get(f"/events/{forum.id}/attendees").get_data(as_text=True)
    ian = listing.split("Ian Gone")[1].split("</tr>")[0]
    assert ">Withdrawn</span>" in ian and "Flight cancelled" in ian
    gail = listing.split("Gail Guest")[1].split("</tr>")[0]
    assert ">Cancelled</span>" in gail and "Cannot come" in gail
    csv = attendees_csv([delegate, guest], {}).decode("utf-8-sig")
    assert ",withdrawn," in csv and ",cancelled," in csv
