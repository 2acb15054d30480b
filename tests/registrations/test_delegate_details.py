"""A delegate's details as their region entered them: kept on the delegation's row, shown in
every list, and carried to the shared person record only while no one else knows them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import Person, Registration, Role
from webapp.registrations.delegates import add_delegate, known_only_to, record_details
from webapp.registrations.imports import import_delegates, parse_delegates_csv, save_preview
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import register_person


def test_a_delegate_known_only_to_the_region_is_corrected_everywhere(make_forum, make_region):
    """The region's own delegate: its correction reaches the person's record (their mails and
    calendars), and the row keeps the entry."""
    forum, region = make_forum(), make_region()
    delegate = add_delegate(forum, get_or_create_delegation(forum, region),
                            person(1, full_name="Jon Smiht"), "international")
    assert known_only_to(delegate.person, region.id)
    assert record_details(delegate, person(1, full_name="Jon Smith", job_title="Mayor")) == [
        "full name “Jon Smiht” → “Jon Smith”", "job title “—” → “Mayor”"]
    assert (delegate.person.full_name, delegate.person.job_title) == ("Jon Smith", "Mayor")
    assert (delegate.name, delegate.job_title, delegate.organisation) == (
        "Jon Smith", "Mayor", None)


def test_someone_who_registered_themselves_keeps_their_own_record(make_forum, make_event,
                                                                   make_region):
    """A person who registered on the public form is not renamed by a region sending them."""
    own = register_person(make_forum(), person(1, full_name="Ana Lima", organisation="Own"),
                          "guest")
    forum, region = make_forum(title="Another forum"), make_region()
    delegate = add_delegate(forum, get_or_create_delegation(forum, region),
                            person(1, full_name="A. Lima", job_title="Guest"), "international")
    record_details(delegate, person(1, full_name="Ana Rewritten"))
    assert not known_only_to(own.person, region.id)
    assert (own.person.full_name, own.person.organisation, own.person.job_title) == (
        "Ana Lima", "Own", None)
    assert (own.name, own.organisation) == ("Ana Lima", "Own")
    assert (delegate.name, delegate.organisation, delegate.job_title) == (
        "Ana Rewritten", None, None)


def test_csv_import_keeps_the_regions_entry_of_a_known_person(make_forum, make_region):
    """An imported row of a person another region sent is kept as the file says, without
    filling in or changing their record."""
    first, second = make_forum(), make_forum(title="Second forum")
    flanders, scotland = make_region("Flanders"), make_region("Scotland")
    add_delegate(first, get_or_create_delegation(first, flanders),
                 person(1, full_name="Berta Peeters"), "international")
    data = "name;email;organisation;title\nB. Peeters;p1@example.org;Scottish Org;Visitor\n"
    draft = save_preview(parse_delegates_csv(data.encode(), event=second, region=scotland),
                         event=second, region=scotland, by=None, filename="d.csv")
    assert import_delegates(draft, None)[0] == 1
    imported = db.session.scalars(sa.select(Registration).filter_by(event_id=second.id)).one()
    assert (imported.name, imported.organisation, imported.job_title) == (
        "B. Peeters", "Scottish Org", "Visitor")
    record = db.session.scalars(sa.select(Person).filter_by(email="p1@example.org")).one()
    assert (record.full_name, record.organisation, record.job_title) == (
        "Berta Peeters", None, None)


def test_lists_checkin_and_export_show_the_delegations_entry(make_forum, make_region,
                                                             make_user, client, auth):
    """The secretariat's attendee list, its CSV and check-in show the name the delegation
    gave, and find the delegate by it."""
    first, second = make_forum(), make_forum(title="Second forum")
    add_delegate(first, get_or_create_delegation(first, make_region("Flanders")),
                 person(1, full_name="Berta Peeters"), "international")
    add_delegate(second, get_or_create_delegation(second, make_region("Scotland")),
                 person(1, full_name="Bee Peeters", organisation="Scottish Org"),
                 "international")
    db.session.commit()
    auth.login(make_user(Role.SECRETARIAT))
    listed = client.get(f"/events/{second.id}/attendees?q=scottish").get_data(as_text=True)
    assert "Bee Peeters" in listed and "Berta" not in listed
    exported = client.get(f"/events/{second.id}/attendees.csv").get_data(as_text=True)
    assert "Bee Peeters,p1@example.org,Scottish Org" in exported
    door = client.get(f"/events/{second.id}/checkin?q=bee").get_data(as_text=True)
    assert "Bee Peeters" in door and "Scottish Org" in door


def test_substitute_keeps_the_entry_and_names_it_in_the_history(make_forum, make_region,
                                                                make_user, client, auth):
    """A known person substituted in is shown, and named in the history, as entered."""
    first, forum = make_forum(), make_forum(title="Second forum")
    add_delegate(first, get_or_create_delegation(first, make_region("Flanders")),
                 person(9, full_name="Berta Peeters", job_title="Director"), "international")
    region = make_region("Tampere", slug="tampere")
    original = add_delegate(forum, get_or_create_delegation(forum, region), person(1),
                            "international")
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=region))
    client.post(f"/delegates/{original.id}/substitute",
                data={"full_name": "B. Peeters", "email": "p9@example.org"})
    page = client.get(f"/events/{forum.id}/delegations/tampere").get_data(as_text=True)
    assert "Replaced by B. Peeters" in page and "replaces Person 1" in page
    assert "Berta" not in page and "Director" not in page
