"""The two registries other features plug their personal data into, one line each.

- `export_section(key, title)`: a function person -> section (a list of records, each a dict
  of plain values, or one dict) joins what a person downloads about themselves.
- `erasure_step`: a function (person, erased) -> None joins what anonymising a person does;
  `erased` says what the person is called afterwards and which texts to wipe.

A feature registers in its own module (imported when the app starts), e.g.

    from webapp.privacy import export_section

    @export_section("answers", "Answers to registration questions")
    def answers(person): ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapp.models import Person
    from webapp.privacy.anonymise import Erased

SectionData = list[dict[str, Any]] | dict[str, Any]


@dataclass(frozen=True)
class Section:
    """One part of a person's export: a key for the JSON, a title for the page."""

    key: str
    title: str
    collect: Callable[[Person], SectionData]


SECTIONS: dict[str, Section] = {}
ERASURE_STEPS: list[Callable[[Person, Erased], None]] = []


def export_section(key: str, title: str) -> Callable:
    """Decorator: the function's section joins every export, under `key` (once per key)."""

    def register(collect: Callable[[Person], SectionData]) -> Callable[[Person], SectionData]:
        SECTIONS[key] = Section(key, title, collect)
        return collect

    return register


def erasure_step(step: Callable[[Person, Erased], None]) -> Callable[[Person, Erased], None]:
    """Decorator: the function runs in every anonymisation (erasure and retention alike)."""
    if step not in ERASURE_STEPS:
        ERASURE_STEPS.append(step)
    return step


def plain(value: Any) -> Any:
    """A value as JSON carries it: times and dates in ISO 8601, enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    return value


def collect_export(person: Person) -> list[tuple[Section, SectionData]]:
    """Every registered section of one person, in the order they were registered."""
    return [(section, section.collect(person)) for section in SECTIONS.values()]
