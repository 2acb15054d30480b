"""Fixtures for the registration tests: an open forum with small capacities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Event, EventCapacity, MembershipEntry, MembershipKind, utcnow


@pytest.fixture
def make_forum(make_event) -> Callable[..., Event]:
    """Factory: a forum in 2030 whose registration is open, with capacities per audience."""

    def make(capacities: dict[str, int] | None = None, *, quota: int | None = 2, **fields):
        capacities = capacities if capacities is not None else {"international": 3, "guest": 2}
        event = make_event(
            fields.pop("title", "Creativity World Forum 2030"),
            starts_at=fields.pop("starts_at", datetime(2030, 5, 7, 7, 0, tzinfo=UTC)),
            hours=fields.pop("hours", 56),
            registration_opens_at=fields.pop("registration_opens_at",
                                             utcnow() - timedelta(days=1)),
            default_delegation_quota=quota,
            **fields,
        )
        labels = {"international": "International participants", "guest": "Guests"}
        for audience, seats in capacities.items():
            event.capacities.append(EventCapacity(
                audience=audience, label=labels.get(audience, audience.title()), capacity=seats))
        db.session.commit()
        return event

    return make


@pytest.fixture
def excluded_region(make_region):
    """A region admitted in 2004 and excluded in 2012 (as Nord-Pas de Calais was)."""
    region = make_region("Excludedshire")
    region.membership_entries.append(
        MembershipEntry(kind=MembershipKind.EXCLUDED, on=datetime(2012, 6, 1).date(),
                        note="No engagement"))
    db.session.commit()
    return region
