"""The base of every form: text a person could not have typed is refused before anything else.

A browser never sends control characters from a keyboard; a forged or corrupted post can.
PostgreSQL refuses NUL in text outright (a server error if it got that far), SQLite's
functions stop at it, and the other C0 controls are not allowed in iCalendar text or in
XML (the SVG chart). So each field's submitted text is checked first, and a field holding
one gets its own message, with the rest of the input kept for the form to re-display.
Tabs and line breaks are ordinary text and pass."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str | None:
    """The first control character (other than tab and line breaks) in `text`, if any."""
    found = CONTROL_CHARACTER.search(text)
    return found.group() if found else None


def plain_number(text: str, maximum: int) -> int | None:
    """`text` as a whole number from 0 to `maximum` written in digits 0-9, else None.
    (str.isdigit also takes "²", which int() refuses, and int() refuses more than 4,300
    digits: both were server errors when typed into a form or a query string.)"""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None


@functools.cache
def iana_zones() -> tuple[str, ...]:
    """Every IANA time zone name, sorted: read from disk once (≈40 ms a time here), not on
    every form that offers or checks a zone."""
    return tuple(sorted(available_timezones()))


def _leaf_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field, looking inside sub-forms and lists of fields."""
    for field in fields:
        if isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        elif isinstance(field, FieldList):
            yield from _leaf_fields(field.entries)
        else:
            yield field


class AppForm(FlaskForm):
    """FlaskForm that refuses control characters in any submitted text, before the field
    validators run (some of them query the database with the value)."""

    def validate(self, extra_validators=None) -> bool:
        """Control characters first (each field holding one says so); then the usual checks."""
        refused = False
        for field in _leaf_fields(self):
            for value in field.raw_data or ():
                character = control_character(value) if isinstance(value, str) else None
                if character is not None:
                    field.errors = [
                        f"This text holds an invisible control character (U+{ord(character):04X}),"
                        " perhaps pasted from another program. Retype it without."
                    ]
                    refused = True
                    break
        if refused:
            return False
        return super().validate(extra_validators)
