"""The public form offers the public's audiences only, each labelled as one person."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditEntry, Registration
from webapp.registrations.common import singular_label
from webapp.registrations.tokens import make_registration_token


def test_public_form_offers_no_delegate_seats_with_singular_labels(make_forum, client):
    """GET: the delegates' audience is not offered; the guests' option reads 'Guest'."""
    forum = make_forum({"international": 2, "guest": 5, "press": 3})
    html = client.get(f"/events/{forum.id}/register").get_data(as_text=True)
    assert 'value="international"' not in html
    assert '<option value="guest">Guest</option>' in html
    assert '<option value="press">Press</option>' in html


def test_forged_post_for_a_delegate_seat_is_refused_with_its_message(make_forum, client):
    """Before: an anonymous post took an international seat. Now: 400, the form says why,
    keeps the input, and nothing is registered."""
    forum = make_forum({"international": 2, "guest": 5})
    form = {"full_name": "Ann Lee", "email": "ann@example.org", "audience": "international"}
    page = client.post(f"/events/{forum.id}/register", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "registered by their region&#39;s delegation" in html
    assert 'value="ann@example.org"' in html
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_an_event_for_delegations_only_says_who_registers(make_forum, client):
    """Only a delegates' audience: no form, a sentence saying the coordinators register."""
    forum = make_forum({"international": 20})
    html = client.get(f"/events/{forum.id}/register").get_data(as_text=True)
    assert "<form method=\"post\"" not in html.split("<main", 1)[1]
    assert "coordinator registers its delegates" in html


def test_the_event_page_offers_register_only_when_the_public_may(make_forum, client):
    """A delegates-only forum's page has no Register button (it led to a closed form); a
    forum with a public audience has one."""
    delegates_only = make_forum({"international": 20})
    assert ">Register</a>" not in client.get(f"/events/{delegates_only.id}").get_data(True)
    with_guests = make_forum({"international": 20, "guest": 5})
    assert ">Register</a>" in client.get(f"/events/{with_guests.id}").get_data(True)


def test_registration_page_names_the_audience_as_one_person(make_forum, client):
    """The person's own page says 'As Guest', not 'Guests'."""
    forum = make_forum({"guest": 5})
    form = {"full_name": "Ann Lee", "email": "ann@example.org", "audience": "guest"}
    assert client.post(f"/events/{forum.id}/register", data=form).status_code == 302
    [registration] = db.session.scalars(sa.select(Registration)).all()
    page = client.get(f"/registration/{make_registration_token(registration)}")
    assert "<dt>As</dt><dd>Guest" in page.get_data(as_text=True)


@pytest.mark.parametrize(("label", "one"), [
    ("International participants", "International participant"), ("Guests", "Guest"),
    ("International guests", "International guest"), ("Press", "Press"),
    ("Media", "Media"), ("Young people", "Young person"), ("Companies", "Company"),
    ("Business coaches", "Business coach"), ("Campus", "Campus"), ("Guest", "Guest"),
])
def test_singular_label(label, one):
    """English plurals become one person's label; other words stay as typed."""
    assert singular_label(label) == one


def test_a_public_registration_is_in_the_audit_log(make_forum, client):
    """Who registered, for which event, with which outcome, from which address."""
    forum = make_forum({"guest": 1})
    for n in (1, 2):
        client.post(f"/events/{forum.id}/register", data={
            "full_name": f"P{n}", "email": f"p{n}@example.org", "audience": "guest"})
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["registration.public"] * 2
    assert entries[0].summary == (
        "p1@example.org registered for Creativity World Forum 2030 through the public form "
        "(confirmed)")
    assert entries[1].summary.endswith("(waitlisted)")
    assert entries[0].actor_id is None and entries[0].ip_address == "127.0.0.1"
    assert entries[0].target_type == "registration" and entries[0].at is not None
