"""Helpers for the registration tests."""

from __future__ import annotations

from webapp.registrations.services import PersonData


def person(n: int | str, **fields) -> PersonData:
    """Sample person data with a predictable email."""
    return PersonData(full_name=fields.pop("full_name", f"Person {n}"),
                      email=fields.pop("email", f"p{n}@example.org"), **fields)
