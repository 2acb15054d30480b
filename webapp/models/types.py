"""Column types and small helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from webapp import clock
from webapp.i18n import dates


def utcnow() -> datetime:
    """The current time as an aware UTC datetime, from the app's one clock."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite keeps no offset, so it is added back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: a VARCHAR with a CHECK constraint listing the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class DatePrecision(enum.StrEnum):
    """How much of a recorded date the sources actually give."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def format_date(day: date, precision: DatePrecision | str = DatePrecision.DAY) -> str:
    """A date shown only as precisely as it is known: '21 October 2009', 'November 2010', '2004'."""
    if precision == DatePrecision.YEAR:
        return f"{day.year}"
    if locale := dates.current_locale():  # in the language being written: '21. oktober 2009'
        if precision == DatePrecision.MONTH:
            return dates.month_and_year(day, locale)
        return dates.long_date(day, locale)
    if precision == DatePrecision.MONTH:
        return day.strftime("%B %Y")
    return f"{day.day} {day.strftime('%B %Y')}"
