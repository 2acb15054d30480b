"""Registration input that used to be a 500 or to change silently: stored titles with line
breaks, addresses mail cannot reach in an import, cut names, blank labels, odd seat counts,
and the reasons of a withdrawal or a self-cancel."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from tests.mail_check import written
from tests.registrations.helpers import person
from tests.registrations.test_csv_import import excel_csv
from webapp.extensions import db
from webapp.models import (
    DelegateImport,
    Event,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
)
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import register_person
from webapp.registrations.tokens import make_registration_token

NON_ASCII = "søren@example.org"
NO_SMTPUTF8 = "non-ASCII characters before the @"


@pytest.fixture
def flanders(make_region):
    """A member region."""
    return make_region("Flanders", slug="flanders")


def upload(client, forum, lines: list[str]) -> str:
    """Upload a delegate CSV for Flanders; the preview page's text."""
    response = client.post(f"/events/{forum.id}/delegations/flanders/import",
                           data={"file": (io.BytesIO(excel_csv(lines)), "delegates.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_stored_title_with_a_line_break_does_not_break_a_registration(make_forum, client):
    """A title stored before the forms refused line breaks: registering still works, and
    the mail's subject is one line."""
    forum = make_forum(title="Evil Forum\r\nBcc: victim@example.org")
    response = client.post(f"/events/{forum.id}/register", data={
        "full_name": "Ann Lee", "email": "ann@example.org", "audience": "guest"})
    assert response.status_code == 302
    (mail,) = written(OutboxMessage.to_address == "ann@example.org")
    assert mail.subject == "Registration confirmed: Evil Forum Bcc: victim@example.org"


def test_a_non_ascii_address_is_refused_at_public_registration(make_forum, client):
    """POST /events/<id>/register with søren@…: the form's message, not a 500."""
    forum = make_forum()
    response = client.post(f"/events/{forum.id}/register", data={
        "full_name": "Søren", "email": NON_ASCII, "audience": "guest"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and NO_SMTPUTF8 in page and NON_ASCII in page
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_a_non_ascii_address_is_refused_for_delegates(make_forum, make_region, client,
                                                      make_user, auth):
    """Adding a delegate, and substituting one, with such an address."""
    forum = make_forum(quota=3)
    region = make_region("Scotland", slug="scotland")
    original = register_person(forum, person(1), "international",
                               delegation=get_or_create_delegation(forum, region))
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    data = {"full_name": "Søren", "email": NON_ASCII}
    added = client.post(f"/events/{forum.id}/delegations/scotland", data=data)
    swapped = client.post(f"/delegates/{original.id}/substitute", data=data)
    for response in (added, swapped):
        assert response.status_code == 400 and NO_SMTPUTF8 in response.get_data(as_text=True)


def test_a_non_ascii_address_is_a_bad_row_at_preview_and_import(make_forum, flanders,
                                                                make_user, client, auth):
    """søren@… previewed as OK, then the confirm was a 500 for good: now the preview names
    the line, and the good rows import."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    page = upload(client, forum, ["name;email", "Søren;søren@example.org",
                                  "Ann;ann@example.org"])
    assert "non-ASCII characters before the @" in page and "Import 1 delegate" in page
    draft = db.session.scalars(sa.select(DelegateImport)).one()
    assert client.post(f"/delegate-imports/{draft.id}/confirm").status_code == 302
    assert [r.person.email for r in db.session.scalars(sa.select(Registration))] == [
        "ann@example.org"]


def test_a_preview_saved_before_the_check_skips_the_row_at_import(make_forum, flanders,
                                                                  make_user, client, auth):
    """A draft that still marks søren@… as fine: the confirm skips that row with the reason
    instead of failing the whole import."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    upload(client, forum, ["name;email", "Ann;ann@example.org"])
    draft = db.session.scalars(sa.select(DelegateImport)).one()
    rows = json.loads(draft.rows_json)
    rows.append({**rows[0], "line": 3, "full_name": "Søren", "email": "søren@example.org"})
    draft.rows_json = json.dumps(rows)
    db.session.commit()
    page = client.post(f"/delegate-imports/{draft.id}/confirm", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 delegate imported" in text
    assert "line 3: invalid email" in text


def test_a_name_too_long_is_refused_by_line_not_cut(make_forum, flanders, make_user, client,
                                                    auth):
    """A 5,000-character name was cut to 200 and imported; now its line says why."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    page = upload(client, forum, ["name;email;organisation", f"{'N' * 5000};n@example.org;",
                                  f"Ann;ann@example.org;{'O' * 201}"])
    assert "the name is 5,000 characters long; at most 200" in page
    assert "the organisation is 201 characters long; at most 200" in page
    assert "Import 0 delegates" in page


def setup_form(forum: Event, **capacity) -> dict:
    """The forum's set-up form with one capacity row."""
    return {"title": forum.title, "place": forum.place, "timezone": forum.timezone,
            "starts_local": "2030-05-07T09:00", "ends_local": "2030-05-09T17:00",
            **{f"capacities-0-{key}": value for key, value in capacity.items()}}


@pytest.mark.parametrize(("row", "field", "says"), [
    ({"audience": "guest", "label": "   ", "capacity": "5"}, "label", "Give the label"),
    ({"audience": "guest", "label": "Guests", "capacity": "1e9"}, "capacity",
     "Give a whole number from 0 to 1,000,000."),
    ({"audience": "guest", "label": "Guests", "capacity": ""}, "capacity",
     "Give the number of seats"),
])
def test_a_capacity_row_says_what_it_lacks_on_its_own_field(make_forum, make_user, client,
                                                            auth, row, field, says):
    """A label of spaces saved empty; seats "1e9" blamed the key and the label too. Each
    now puts its message on the field concerned, and nothing is saved."""
    forum = make_forum({"guest": 2})
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post(f"/events/{forum.id}/setup", data=setup_form(forum, **row))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="capacities-0-{field}-error">{says}' in page
    assert "capacities-0-audience-error" not in page and "or none of them" not in page
    db.session.expire_all()
    assert [c.label for c in db.session.get(Event, forum.id).capacities] == ["Guests"]


def test_a_too_long_withdrawal_reason_says_so_and_keeps_the_text(make_forum, flanders,
                                                                  make_user, client, auth):
    """It said "Give a reason" and threw the text away; now the page says it is too long,
    with the text still in the field, and nothing is withdrawn."""
    forum = make_forum(quota=3)
    delegate = register_person(forum, person(1), "international",
                               delegation=get_or_create_delegation(forum, flanders))
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    reason = "Flight cancelled, " * 40
    response = client.post(f"/delegates/{delegate.id}/withdraw", data={"reason": reason})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The reason is too long" in page and reason.strip() in page
    assert delegate.status is RegistrationStatus.CONFIRMED
    client.post(f"/delegates/{delegate.id}/withdraw", data={"reason": reason[:500]})
    assert delegate.status is RegistrationStatus.CANCELLED


def test_a_reason_of_spaces_does_not_block_a_self_cancel(app, make_forum, client):
    """The optional reason, typed as spaces only, counts as none: the cancel goes through."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    with app.test_request_context():
        token = make_registration_token(registration)
    client.post(f"/registration/{token}/cancel", data={"reason": "   ", "confirmed": "yes"})
    assert registration.status is RegistrationStatus.CANCELLED
    assert registration.cancel_reason.strip()
