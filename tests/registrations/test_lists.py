"""Attendee lists and exports: filters, counts per region, constant queries at 13,000
registrations, and a CSV that spreadsheets open safely."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import Delegation, Person, Registration, RegistrationStatus, Role
from webapp.registrations.lists import safe_cell
from webapp.registrations.quotas import get_or_create_delegation
from webapp.registrations.services import register_person

HOSTILE = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rCR"]


def bulk_registrations(forum, regions, n: int) -> None:
    """n registrations (international delegates spread over regions, then guests), fast."""
    delegations = [get_or_create_delegation(forum, region) for region in regions]
    db.session.execute(sa.insert(Person), [
        {"full_name": f"Bulk {i:05d}", "email": f"bulk{i}@example.org",
         "organisation": f"Org {i % 97}"} for i in range(n)])
    ids = db.session.execute(sa.select(Person.email, Person.id)).all()
    by_email = dict(ids)
    db.session.execute(sa.insert(Registration), [
        {"event_id": forum.id, "person_id": by_email[f"bulk{i}@example.org"],
         "audience": "international" if i % 4 == 0 else "guest",
         "delegation_id": delegations[i % len(delegations)].id if i % 4 == 0 else None,
         "status": RegistrationStatus.CONFIRMED, "is_head_of_delegation": False,
         "is_demo": False} for i in range(n)])
    db.session.commit()


@pytest.fixture
def secretariat_client(make_user, client, auth):
    """The test client signed in as the secretariat."""
    auth.login(make_user(Role.SECRETARIAT))
    return client


def test_filters_and_counts_per_region(make_forum, make_region, secretariat_client):
    """Region, audience and status filters narrow the list; counts are per region."""
    forum = make_forum({"international": 10, "guest": 1}, quota=5)
    flanders, scotland = make_region("Flanders", slug="flanders"), make_region("Scotland")
    register_person(forum, person(1, full_name="Fleming"), "international",
                    delegation=get_or_create_delegation(forum, flanders))
    register_person(forum, person(2, full_name="Scot"), "international",
                    delegation=get_or_create_delegation(forum, scotland))
    register_person(forum, person(3, full_name="Guest One"), "guest")
    register_person(forum, person(4, full_name="Guest Two"), "guest")  # waitlisted
    db.session.commit()
    base = f"/events/{forum.id}/attendees"
    page = secretariat_client.get(base + "?region=flanders").get_data(as_text=True)
    assert "Fleming" in page and "Scot<" not in page and "Guest One" not in page
    page = secretariat_client.get(base + "?status=waitlisted").get_data(as_text=True)
    assert "Guest Two" in page and "Guest One" not in page
    page = secretariat_client.get(base + "?audience=guest&region=none").get_data(as_text=True)
    assert "Guest One" in page and "Fleming" not in page
    page = secretariat_client.get(base + "?status=bogus&audience=nope").get_data(as_text=True)
    assert all(name in page for name in ("Fleming", "Scot", "Guest One", "Guest Two"))
    assert ('<td data-label="Region">Flanders</td><td data-label="Confirmed">1</td>'
            '<td data-label="Waitlisted">0</td><td data-label="Cancelled">0</td>'
            '<td data-label="Present">0</td>') in page


def test_the_list_sorts_by_name_newest_organisation_or_region(make_forum, make_region,
                                                              secretariat_client):
    """Each order the Sort menu offers, blanks last, the pager keeping it; an unknown one is
    the default (by name)."""
    forum = make_forum({"international": 10, "guest": 10}, quota=5)
    scotland = make_region("Scotland", slug="scotland")
    for n, (name, organisation) in enumerate([("Cleo", "Alpha"), ("Abe", None), ("Bea", "Zeta")]):
        register_person(forum, person(n, full_name=name, organisation=organisation), "guest")
    register_person(forum, person(9, full_name="Dan", organisation="Beta"), "international",
                    delegation=get_or_create_delegation(forum, scotland))
    db.session.commit()

    def order(sort: str) -> list[str]:
        page = secretariat_client.get(f"/events/{forum.id}/attendees?sort={sort}")
        listed = page.get_data(as_text=True).split('id="attendees"')[1]
        return re.findall(r'<tr><td data-label="Name">(\w+)', listed)

    assert order("") == ["Abe", "Bea", "Cleo", "Dan"]
    assert order("newest") == ["Dan", "Bea", "Abe", "Cleo"]
    assert order("organisation") == ["Cleo", "Dan", "Bea", "Abe"]
    assert order("region") == ["Dan", "Abe", "Bea", "Cleo"]
    assert order("%3Cscript%3E") == order("")
    page = secretariat_client.get(f"/events/{forum.id}/attendees?sort=region")
    assert '<option value="region" selected>Region</option>' in page.get_data(as_text=True)


def test_export_is_spreadsheet_safe(make_forum, secretariat_client):
    """BOM, the header, accents intact; formula starters neutralised, read back by csv."""
    forum = make_forum({"guest": 20})
    for n, hostile in enumerate(HOSTILE):
        registration = register_person(forum, person(n, full_name=f"Zoë {n}"), "guest")
        registration.person.organisation = hostile  # as stored by any path, untrimmed
    db.session.commit()
    response = secretariat_client.get(f"/events/{forum.id}/attendees.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["Name", "Email", "Organisation"]
    organisations = sorted(row[2] for row in rows[1:])
    assert organisations == sorted("'" + value for value in HOSTILE)
    assert all(not row[2].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])
    assert {row[0] for row in rows[1:]} == {f"Zoë {n}" for n in range(len(HOSTILE))}


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("-", "'-"), ("plain", "plain"), (None, ""), ("a=b", "a=b"), (42, "42"),
])
def test_safe_cell(value, expected):
    """Only a leading formula character is neutralised."""
    assert safe_cell(value) == expected


def test_list_pages_keep_constant_queries_at_13000(make_forum, make_region, make_user,
                                                   secretariat_client, count_queries):
    """Attendees, export, check-in search and a delegation page: same queries at 8 and 13,000."""
    forum = make_forum({"international": 3000, "guest": 10000}, quota=400)
    regions = [make_region(f"Bulk region {i}", slug=f"bulk-{i}") for i in range(8)]
    small = make_forum({"international": 3000, "guest": 10000}, quota=400,
                       title="Small forum", slug="small-forum")

    def measure(event) -> dict[str, int]:
        urls = {
            "attendees": f"/events/{event.id}/attendees",
            "filtered": f"/events/{event.id}/attendees?region=bulk-1&status=confirmed&q=Bulk",
            "page 2": f"/events/{event.id}/attendees?page=2",
            "by region": f"/events/{event.id}/attendees?sort=region&page=2",
            "export": f"/events/{event.id}/attendees.csv",
            "check-in": f"/events/{event.id}/checkin?q=bulk",
            "delegation": f"/events/{event.id}/delegations/bulk-1",
            "quotas": f"/events/{event.id}/quotas",
        }
        counts = {}
        for name, url in urls.items():
            with count_queries() as counter:
                assert secretariat_client.get(url).status_code == 200
            counts[name] = counter.count
        return counts

    bulk_registrations(small, regions, 8)
    few = measure(small)
    db.session.execute(sa.delete(Registration))
    db.session.execute(sa.delete(Delegation))
    db.session.execute(sa.delete(Person))
    db.session.commit()
    bulk_registrations(forum, regions, 13_000)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 13_000
    many = measure(forum)
    assert many == few
    export = secretariat_client.get(f"/events/{forum.id}/attendees.csv")
    assert export.data.count(b"\r\n") == 13_001  # header + every registration
