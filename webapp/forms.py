"""The base of every form: text a person could not have typed is refused before anything else.

A browser never sends control characters from a keyboard; a forged or corrupted post can.
PostgreSQL refuses NUL in text outright (a server error if it got that far), SQLite's
functions stop at it, and the other C0 controls are not allowed in iCalendar text or in
XML (the SVG chart). So each field's submitted text is checked first, and a field holding
one gets its own message, with the rest of the input kept for the form to re-display.
Tabs pass; line breaks pass in text areas only: a one-line field (a title, a name) ends up
in mail subjects and headers, where a line break is refused.

The checks every form shares live here too: one email check (also the CSV import's), and
date fields that say what is wrong with a date and refuse years no plan here has."""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_month_names
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    Field,
    FieldList,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from webapp.filters import number
from webapp.form_messages import BUILTIN_MESSAGES

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# CR and LF, and the other characters str.splitlines() breaks at that are not controls.
LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")
NOT_AN_ADDRESS = _l("This is not an email address.")
NON_ASCII_LOCAL_PART = _l("This address has non-ASCII characters before the @, which many mail "
                          "servers cannot deliver; use another address.")


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


def email_problem(address: str) -> str | None:
    """Why mail cannot be sent to `address`, or None: the one check of every form's email and
    of the CSV import. Non-ASCII before the @ needs SMTPUTF8, which neither the outbox nor
    many servers speak, so it is refused with its own message."""
    address = address.strip()
    local, at, _domain = address.rpartition("@")
    if at and not local.isascii():
        return NON_ASCII_LOCAL_PART
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return NOT_AN_ADDRESS
    return None


class EmailAddress:
    """Field validator: email_problem's message; an empty field passes (pair it with
    DataRequired or Optional)."""

    def __call__(self, form, field) -> None:
        problem = email_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)


def stripped(value):
    """A field filter: text without surrounding spaces (a label of spaces is no label)."""
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A whole number from 0 to `maximum` in digits 0-9 (plain_number), anything else ("1e9",
    "-1", "3.5") refused with one message that says the range. Empty is no number: pair it
    with Optional or InputRequired."""

    def __init__(self, label=None, validators=None, *, maximum: int, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist) -> None:
        """The number, or no data and the message."""
        self.data = None
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        if text:
            self.data = plain_number(text, self.maximum)
            if self.data is None:
                raise ValueError(_("Give a whole number from 0 to %(maximum)s.",
                                   maximum=number(self.maximum)))


@functools.cache
def iana_zones() -> tuple[str, ...]:
    """Every IANA time zone name, sorted: read from disk (hundreds of files) once, not on
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


def _text_problem(field: Field, value: str) -> str | None:
    """Why a submitted text cannot be taken as it is, or None."""
    character = control_character(value)
    if character is not None:
        return _("This text holds an invisible control character (U+%(code)s), perhaps pasted "
                 "from another program. Retype it without.", code=f"{ord(character):04X}")
    one_line = isinstance(field, StringField) and not isinstance(field, TextAreaField)
    if one_line and LINE_BREAK.search(value):
        return _("This field takes a single line: remove the line break (perhaps pasted with "
                 "the text).")
    return None


class AppForm(FlaskForm):
    """FlaskForm that refuses control characters in any submitted text, and line breaks in
    one-line fields, before the field validators run (some of them query the database with
    the value). WTForms' own messages come in the page's language (BuiltinMessages)."""

    class Meta:
        def get_translations(self, form):
            """The app's catalog, then WTForms' own, for WTForms' built-in messages (unless
            WTF_I18N_ENABLED is off)."""
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return BUILTIN_MESSAGES

    def validate(self, extra_validators=None) -> bool:
        """Control characters and stray line breaks first (each field holding one says so);
        then the usual checks."""
        refused = False
        for field in _leaf_fields(self):
            for value in field.raw_data or ():
                problem = _text_problem(field, value) if isinstance(value, str) else None
                if problem is not None:
                    field.errors = [problem]
                    refused = True
                    break
        if refused:
            return False
        return super().validate(extra_validators)


# Dates outside these years are typing slips (0203, 9999) that nothing here plans for; near
# datetime's limits (year 9999) adding a time zone or a travel buffer overflows.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
DAY_FORMATS = ["%Y-%m-%d"]
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
_DATE_SHAPE = re.compile(r"(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2}))?")


def _quoted(text: str) -> str:
    """Typed text to echo in a message, cut short."""
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def read_when(text: str, formats: list[str]) -> datetime:
    """Typed text as a datetime by the first of `formats` that fits, within the years kept;
    else ValueError saying what is wrong: not a real date (30 February), not a time of day
    (25:61), a year out of range, or not written as the first format shows."""
    text = text.strip()
    for format in formats:
        try:
            when = datetime.strptime(text, format)
        except ValueError:
            continue
        if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
            break
        return when
    shape = _DATE_SHAPE.fullmatch(text)
    with_time = "%H" in formats[0]
    example = "YYYY-MM-DD HH:MM" if with_time else "YYYY-MM-DD"
    quoted = _quoted(text)
    not_written_so = (_("%(text)s is not a date and time (use %(example)s).", text=quoted,
                        example=example) if with_time
                      else _("%(text)s is not a date (use %(example)s).", text=quoted,
                             example=example))
    if shape is None or (shape.group(4) is None) == with_time:
        raise ValueError(not_written_so)
    year, month, day, hour, minute = (int(part or 0) for part in shape.groups())
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(_("%(text)s: give a year from %(earliest)s to %(latest)s.", text=quoted,
                           earliest=EARLIEST_YEAR, latest=LATEST_YEAR))
    if not 1 <= month <= 12:
        raise ValueError(_("%(text)s is not a real date: there is no month %(month)s.",
                           text=quoted, month=month))
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(_("%(text)s is not a real date: %(month)s %(year)s has %(days)s days.",
                           text=quoted, month=_month_name(month), year=year, days=days))
    if hour > 23 or minute > 59:
        raise ValueError(_("%(text)s is not a real time: use 00:00 to 23:59.", text=quoted))
    raise ValueError(not_written_so)


def _month_name(month: int) -> str:
    """A month's name in the page's language ("February" in English)."""
    return get_month_names("wide", context="stand-alone", locale=get_locale() or "en")[month]


def skipped_local_time(local: datetime, zone: str) -> str | None:
    """A message when the wall-clock time `local` never shows in `zone` (the clocks jump
    over it when summer time starts), else None. Taken as it is, it would be saved an hour
    off without a word."""
    there = local.replace(tzinfo=ZoneInfo(zone))
    shown = there.astimezone(UTC).astimezone(there.tzinfo).replace(tzinfo=None)
    if shown == local:
        return None
    later_day = f" on {shown.day} {shown:%B}" if shown.date() != local.date() else ""
    return (f"{local:%H:%M} on {local.day} {local:%B %Y} does not exist in {zone}: the clocks "
            f"are put forward past it. Give another time, such as {shown:%H:%M}{later_day}.")


def _no_empty_text(valuelist: list[str]) -> bool:
    """Nothing typed: no error of the field's own (Optional or InputRequired says it)."""
    return not valuelist or not " ".join(valuelist).strip()


class DayField(DateField):
    """A date (YYYY-MM-DD) from 1900 to 2200, with a message that says what is wrong."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=DAY_FORMATS, **kwargs)

    def process_formdata(self, valuelist) -> None:
        """Read with read_when; a wrong date leaves no data and its message."""
        self.data = None
        if not _no_empty_text(valuelist):
            self.data = read_when(" ".join(valuelist), DAY_FORMATS).date()


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock date and time (a datetime-local input), from 1900 to 2200, with a
    message that says what is wrong. When the form names its zone (a `local_zone`
    attribute), a time the clocks skip in that zone is refused too."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, format=LOCAL_FORMATS, **kwargs)

    def process_formdata(self, valuelist) -> None:
        """Read with read_when; a wrong date leaves no data and its message."""
        self.data = None
        if not _no_empty_text(valuelist):
            self.data = read_when(" ".join(valuelist), LOCAL_FORMATS)

    def post_validate(self, form, validation_stopped: bool) -> None:
        """A time that does not exist in the form's zone that day is refused."""
        zone = getattr(form, "local_zone", None)
        if validation_stopped or self.errors or self.data is None or zone not in iana_zones():
            return
        problem = skipped_local_time(self.data, zone)
        if problem:
            raise ValidationError(problem)
