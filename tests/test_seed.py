"""The network's history, loaded by `flask --app webapp seed`."""

from datetime import date

import sqlalchemy as sa

from webapp.data.network_history import BRIEF_DATE, EXCLUSION_REASON
from webapp.extensions import db
from webapp.models import (
    AgendaItem,
    AgendaKind,
    DatePrecision,
    Delegation,
    Event,
    EventKind,
    MembershipKind,
    Region,
    RegionStatus,
    Representative,
)


def dump_database() -> dict[str, list[tuple]]:
    """Every row of every table, for comparing two states of the database."""
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def test_seed_twice_changes_nothing(runner):
    """The second run reports nothing to change and leaves every row as it was."""
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "created  14 region" in first.output
    before = dump_database()
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "nothing to change" in second.output
    db.session.expire_all()
    assert dump_database() == before


def test_seed_restores_an_edited_fact(seeded, runner):
    """Seeding again repairs a seeded fact that was changed by hand."""
    tampere = db.session.scalars(sa.select(Region).filter_by(slug="tampere")).one()
    tampere.timezone = "Europe/Paris"
    db.session.commit()
    result = runner.invoke(args=["seed"])
    assert "updated   1 region" in result.output
    db.session.expire_all()
    assert db.session.get(Region, tampere.id).timezone == "Europe/Helsinki"


def test_fourteen_regions_twelve_members_two_excluded(seeded):
    """On the sources' date: 12 members, Nord-Pas de Calais and Qingdao excluded with reasons."""
    regions = db.session.scalars(sa.select(Region)).all()
    assert len(regions) == 14
    by_status = {}
    for region in regions:
        by_status.setdefault(region.status_on(BRIEF_DATE), set()).add(region.slug)
    assert len(by_status[RegionStatus.MEMBER]) == 12
    assert by_status[RegionStatus.EXCLUDED] == {"nord-pas-de-calais", "qingdao"}
    for slug in ("nord-pas-de-calais", "qingdao"):
        region = next(r for r in regions if r.slug == slug)
        exclusion = region.last_entry(MembershipKind.EXCLUDED)
        assert exclusion.note == EXCLUSION_REASON
        assert exclusion.precision is DatePrecision.YEAR  # "last year": the day is not known
    assert {r.continent for r in regions if r.status_on(BRIEF_DATE) is RegionStatus.MEMBER} == {
        "Europe", "Asia", "North America", "South America"
    }


def test_midtjylland_timeline(seeded):
    """Decision to apply, two representatives, admission at CWF 2010 in Oklahoma."""
    region = db.session.scalars(sa.select(Region).filter_by(slug="region-midtjylland")).one()
    steps = [(e.kind, e.on, e.precision) for e in region.membership_entries]
    assert steps == [
        (MembershipKind.DECIDED_TO_APPLY, date(2009, 10, 21), DatePrecision.DAY),
        (MembershipKind.REPRESENTATIVES_APPOINTED, date(2010, 9, 29), DatePrecision.DAY),
        (MembershipKind.ADMITTED, date(2010, 11, 15), DatePrecision.DAY),
    ]
    assert region.membership_entries[-1].event.slug == "cwf-2010"
    assert region.status_on(date(2010, 11, 14)) is RegionStatus.APPLICANT
    reps = db.session.scalars(sa.select(Representative).filter_by(region_id=region.id)).all()
    assert sorted(r.person.full_name for r in reps) == ["Conny Jensen", "Ulla Diderichsen"]
    assert {r.appointed_on for r in reps} == {date(2010, 9, 29)}
    delegations = db.session.scalars(sa.select(Delegation).filter_by(region_id=region.id)).all()
    assert sorted(d.event.year for d in delegations) == [2009, 2010, 2011]


def test_forums_and_their_hosts(seeded):
    """Ten forums 2004-2013 with hosts; Maryland (2005) is not a member region."""
    forums = db.session.scalars(
        sa.select(Event).where(Event.kind == EventKind.FORUM, Event.ordinal.is_not(None))
        .order_by(Event.ordinal)
    ).all()
    assert [(f.ordinal, f.year) for f in forums] == [(n, 2003 + n) for n in range(1, 11)]
    hosts = {f.year: (f.host_region.slug if f.host_region else f.place) for f in forums}
    assert hosts[2005] == "Maryland, USA"
    assert hosts[2007] == "qingdao"
    assert hosts[2010] == "oklahoma"
    assert hosts[2013] == "tampere"
    assert forums[6].title == "7th Creativity World Forum"
    # Exact days are not in the sources: only 2010 is known to the month.
    assert {f.date_precision for f in forums if f.year != 2010} == {DatePrecision.YEAR}
    assert forums[6].date_precision is DatePrecision.MONTH


def test_planned_forum_2017_and_reverse_mission_2012(seeded):
    """CWF 2017 in Aarhus (Solutions, 3,000 + 10,000) and the May 2012 reverse mission."""
    cwf = db.session.scalars(sa.select(Event).filter_by(slug="cwf-2017")).one()
    assert cwf.theme == "Solutions"
    assert cwf.host_region.slug == "region-midtjylland"
    assert cwf.capacity_for("international") == 3000
    assert cwf.capacity_for("guest") == 10000
    mission = db.session.scalars(sa.select(Event).filter_by(slug="reverse-mission-2012")).one()
    assert mission.kind is EventKind.REVERSE_MISSION
    assert mission.local_start.date() == date(2012, 5, 7)
    assert mission.local_end.date() == date(2012, 5, 9)
    assert mission.capacity_for("guest") == 25
    workshop = db.session.scalars(sa.select(AgendaItem).filter_by(event_id=mission.id).where(
        AgendaItem.kind == AgendaKind.WORKSHOP)).one()  # among the illustrative example agenda
    assert "smart cities" in workshop.title
    assert workshop.is_illustrative  # its time is not in the sources
