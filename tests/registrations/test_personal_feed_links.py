"""The personal feed (/calendar/p/<token>.ics) is offered where a person looks: the
confirmation email, the signed registration page, the account page and "My calendar"; the
page after the public form points to it without showing it; resetting it asks first."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.ical_check import parse_calendar
from tests.mail_check import written
from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import OutboxMessage, Person, Registration, Role
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token


def feed_addresses(token: str) -> tuple[str, str]:
    """The webcal:// and https:// addresses of a personal feed in the test app."""
    return (f"webcal://localhost/calendar/p/{token}.ics",
            f"http://localhost/calendar/p/{token}.ics")


def test_confirmation_email_gives_the_personal_feed(make_forum):
    """Text and HTML of the confirmation both carry the webcal:// link and the address."""
    registration = register_person(make_forum(), person(1), "guest")
    [message] = written(OutboxMessage.to_address == "p1@example.org")
    webcal, https = feed_addresses(registration.person.calendar_token)
    assert message.subject.startswith("Registration confirmed")
    for body in (message.body_text, message.body_html):
        assert webcal in body and https in body
    assert f'href="{webcal}"' in message.body_html


def test_signed_registration_page_offers_the_feed(make_forum, client):
    """The page the emailed link opens: subscribe links and the page to manage the feed."""
    registration = register_person(make_forum(), person(1), "guest")
    db.session.commit()
    token = registration.person.calendar_token
    html = client.get(f"/registration/{make_registration_token(registration)}").get_data(
        as_text=True)
    webcal, https = feed_addresses(token)
    assert f'href="{webcal}"' in html and f'href="{https}"' in html
    assert f'href="/calendar/p/{token}"' in html


def test_page_after_the_form_points_to_the_feed_without_revealing_it(make_forum, client):
    """Anyone may type someone else's email into the public form, so the page after it
    offers the event's calendar and says where the personal one is, not its secret."""
    forum = make_forum()
    response = client.post(f"/events/{forum.id}/register", data={
        "full_name": "Person 1", "email": "p1@example.org", "audience": "guest"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    token = db.session.scalars(sa.select(Person.calendar_token)).one()
    assert token not in html
    assert f'href="webcal://localhost/events/{forum.id}.ics"' in html
    assert "Your own calendar" in html and "it is in the email to p1@example.org" in html


def test_account_page_menu_and_my_calendar(make_forum, make_user, make_person, client, auth):
    """Signed in: "My calendar" in the menu; with a person of the account's email it opens
    their feed page and the account page shows the feed's addresses; without one both say
    that nothing is registered under that email yet."""
    user = make_user(Role.PARTICIPANT, email="ulla@example.org")
    auth.login(user)
    account = client.get("/account").get_data(as_text=True)
    assert re.search(r'href="/calendar/mine"[^>]*>My calendar</a>', account)
    assert "Nothing registered under ulla@example.org yet" in account
    empty = client.get("/calendar/mine")
    assert empty.status_code == 200
    assert "Nothing registered under ulla@example.org yet" in empty.get_data(as_text=True)

    someone = make_person("Ulla Diderichsen", email="ulla@example.org")
    db.session.add(Registration(event=make_forum(), person=someone, audience="guest"))
    db.session.commit()
    token = someone.calendar_token
    account = client.get("/account").get_data(as_text=True)
    webcal, https = feed_addresses(token)
    assert f'href="{webcal}"' in account and f'href="{https}"' in account
    mine = client.get("/calendar/mine")
    assert mine.status_code == 302 and mine.headers["Location"] == f"/calendar/p/{token}"
    assert len(parse_calendar(client.get(f"/calendar/p/{token}.ics").data).events) == 1


def test_resetting_the_feed_asks_first(make_forum, make_person, client):
    """The reset button leads to a question; only 'Yes' gives a new address (the old one
    then answers 404)."""
    someone = make_person()
    db.session.add(Registration(event=make_forum(), person=someone, audience="guest"))
    db.session.commit()
    old = someone.calendar_token
    asked = client.post(f"/calendar/p/{old}/reset")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Give your calendar a new address?" in html
    assert 'name="confirmed" value="1"' in html
    assert db.session.get(Person, someone.id).calendar_token == old
    assert client.get(f"/calendar/p/{old}.ics").status_code == 200
    done = client.post(f"/calendar/p/{old}/reset", data={"confirmed": "1"})
    assert done.status_code == 303
    new = re.search(r"/calendar/p/([^/]+)$", done.headers["Location"])[1]
    assert new != old and db.session.get(Person, someone.id).calendar_token == new
    assert client.get(f"/calendar/p/{old}.ics").status_code == 404
