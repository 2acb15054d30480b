"""Demo data: CWF 2017 filled with marked demo rows, once; `setup` loads it on a new database."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Event, OutboxMessage, Region, Registration, RegistrationStatus, Role
from webapp.registrations.quotas import quota_for


def test_seed_demo_fills_cwf_2017_once(seeded, runner):
    """Delegations within quota for most member regions, guests, all is_demo; no mail."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "delegates and 600 guests" in result.output
    cwf = db.session.scalars(sa.select(Event).filter_by(slug="cwf-2017")).one()
    rows = db.session.scalars(sa.select(Registration).where(Registration.event_id == cwf.id)).all()
    assert rows and all(r.is_demo for r in rows)
    assert all(r.person.email.endswith("@demo.example.org") for r in rows)
    assert Counter(r.status for r in rows) == {RegistrationStatus.CONFIRMED: len(rows)}
    per_region = Counter(r.delegation.region_id for r in rows if r.delegation)
    regions = {r.id: r for r in db.session.scalars(sa.select(Region))}
    assert 6 <= len(per_region) <= 12
    for region_id, size in per_region.items():
        assert 0 < size <= quota_for(cwf, regions[region_id])
    excluded = {r.id for r in regions.values() if r.slug in ("nord-pas-de-calais", "qingdao")}
    assert not excluded & set(per_region)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    again = runner.invoke(args=["seed-demo"])
    assert "already loaded" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == len(rows)


def test_demo_rows_are_marked_in_pages(seeded, runner, make_user, client, auth):
    """The attendee list shows the Demo badge."""
    runner.invoke(args=["seed-demo"])
    cwf_id = db.session.scalar(sa.select(Event.id).filter_by(slug="cwf-2017"))
    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(f"/events/{cwf_id}/attendees").get_data(as_text=True)
    assert ">Demo</span>" in page


def test_setup_on_a_new_database_loads_the_demo(app, runner):
    """README's first command shows filled registration pages: `setup` loads the demo once."""
    from tests.test_migrations import drop_everything

    drop_everything()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0 and "Demo registrations for CWF 2017 loaded" in result.output
    demo = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(Registration.is_demo))
    assert demo > 600
    runner.invoke(args=["setup"])
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == demo
