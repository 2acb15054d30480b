"""Delegate lists from CSV: a preview that marks every bad row, then an import on confirmation.

The preview is kept server-side (a DelegateImport row) between the two steps, so nothing is
saved until the coordinator confirms and no giant cookie carries the file."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.filters import number
from webapp.forms import NOT_AN_ADDRESS, control_character, email_problem
from webapp.models import DelegateImport, Event, Person, Region, Registration, User, utcnow
from webapp.questions.services import delegate_questions
from webapp.questions.values import question_columns, row_answers
from webapp.registrations.delegates import add_delegate
from webapp.registrations.quotas import (
    delegates_used,
    delegation_audience,
    get_or_create_delegation,
    quota_for,
)
from webapp.registrations.services import CANCELLED, PersonData, RegistrationError

MAX_ROWS = 5000
HEADER_ALIASES = {
    "full_name": {"name", "full name", "full_name", "delegate", "navn", "nom"},
    "email": {"email", "e-mail", "email address", "mail"},
    "organisation": {"organisation", "organization", "company", "institution"},
    "job_title": {"title", "job title", "job_title", "position", "role"},
    "head": {"head", "head of delegation", "head_of_delegation", "leader"},
}
YES = {"yes", "y", "true", "1", "x", "ja", "oui"}
# The longest text each cell may hold: the forms' limits and the columns'.
LONGEST = {"full_name": 200, "email": 254, "organisation": 200, "job_title": 200}
LABELS = {"full_name": _l("name"), "email": _l("email"), "organisation": _l("organisation"),
          "job_title": _l("title")}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class PreviewRow:
    """One line of the file, with the reasons it cannot be imported (none when fine)."""

    line: int
    full_name: str
    email: str
    organisation: str = ""
    job_title: str = ""
    head: bool = False
    errors: list[str] = field(default_factory=list)
    # Answers to the forum's questions, {question id as text: answer} (JSON's keys are text).
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Importable."""
        return not self.errors


@dataclass
class ImportPreview:
    """The parsed file: rows in file order, and the quota situation they were checked against."""

    rows: list[PreviewRow]
    quota: int
    used: int

    @property
    def good_rows(self) -> list[PreviewRow]:
        """Rows that will be imported."""
        return [row for row in self.rows if row.ok]

    @property
    def bad_rows(self) -> list[PreviewRow]:
        """Rows that will be skipped."""
        return [row for row in self.rows if not row.ok]


def _decode(data: bytes) -> str:
    """UTF-8 text, with or without Excel's byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_(
            "The file is not UTF-8 text. In Excel choose “Save as → CSV UTF-8 (comma delimited)”."
        )) from None


def _reader(text: str) -> csv.reader:
    """A CSV reader for `;` or `,` files (Excel writes `;` where the comma is a decimal mark)."""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,")
    except csv.Error:
        dialect = csv.excel
        first_line = sample.splitlines()[0] if sample else ""
        if first_line.count(";") > first_line.count(","):
            dialect = csv.excel()
            dialect.delimiter = ";"
    return csv.reader(io.StringIO(text, newline=""), dialect)


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds which field, by header name; name and email are required."""
    columns = {}
    for index, raw in enumerate(header):
        name = raw.strip().lower()
        for key, aliases in HEADER_ALIASES.items():
            if name in aliases and key not in columns:
                columns[key] = index
    missing = [label for key, label in (("full_name", "name"), ("email", "email"))
               if key not in columns]
    if missing:
        raise ImportFileError(_(
            "The first line must name the columns; missing: %(missing)s. Expected e.g. "
            "“name;email;organisation;title;head”.", missing=", ".join(missing)))
    return columns


def _email_problem(email: str) -> str | None:
    """Why an email cannot be used, or None: the forms' check (webapp.forms.email_problem)."""
    if not email:
        return _("missing email")
    problem = email_problem(email)
    if problem is None:
        return None
    shown = email if len(email) <= 60 else email[:60] + "…"
    return (_("invalid email “%(email)s”", email=shown)
            + ("" if problem == NOT_AN_ADDRESS else f": {problem}"))


def _cell_problems(cells: dict[str, str]) -> list[str]:
    """A reason for each cell holding a control character (no form would accept one, and
    PostgreSQL refuses NUL) or longer than its field: refused by line, never cut short."""
    reasons = []
    for key, text in cells.items():
        character = control_character(text)
        if character is not None:
            reasons.append(_("control character %(code)s in the %(field)s",
                             code=f"U+{ord(character):04X}", field=LABELS[key]))
        if len(text) > LONGEST[key]:
            reasons.append(_("the %(field)s is %(n)s characters long; at most %(most)s",
                             field=LABELS[key], n=number(len(text)), most=LONGEST[key]))
    return reasons


def parse_delegates_csv(data: bytes, *, event: Event, region: Region) -> ImportPreview:
    """Parse and check a delegate list against the file itself, the event and the quota."""
    rows_in = list(_reader(_decode(data)))
    if not rows_in:
        raise ImportFileError(_("The file is empty."))
    columns = _columns(rows_in[0])
    questions = delegate_questions(event.id)
    answer_columns = question_columns(rows_in[0], questions, taken=columns.values())
    if len(rows_in) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(n)s rows; split it.",
                                n=number(MAX_ROWS)))

    def cell(values: list[str], key: str) -> str:
        index = columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    rows = []
    for line, values in enumerate(rows_in[1:], start=2):
        if not any(v.strip() for v in values):
            continue  # blank lines Excel leaves at the end
        cells = {key: cell(values, key) for key in LONGEST}
        cells["email"] = cells["email"].lower()
        # What the preview shows and keeps of a refused cell: its limit's worth.
        row = PreviewRow(line=line, **{key: text[:LONGEST[key]] for key, text in cells.items()},
                         head=cell(values, "head").lower() in YES)
        row.errors.extend(_cell_problems(cells))
        row.answers, problems = row_answers(questions, answer_columns, values)
        row.errors.extend(problems)
        rows.append(row)
    email_problems = {row.line: _email_problem(row.email) for row in rows}
    registered = _already_registered(event.id, [
        row.email for row in rows if row.ok and email_problems[row.line] is None])
    quota = quota_for(event, region)
    delegation = get_or_create_delegation(event, region) if quota else None
    used = delegates_used(delegation.id) if delegation else 0
    seen: dict[str, int] = {}
    places_left = quota - used
    for row in rows:
        if not row.full_name:
            row.errors.append(_("missing name"))
        problem = email_problems[row.line]
        if problem:
            row.errors.append(problem)
        elif row.email in seen:
            row.errors.append(_("duplicate of line %(line)s", line=seen[row.email]))
        elif row.email in registered:
            row.errors.append(_("already registered for this event"))
        if row.email and row.email not in seen:
            seen[row.email] = row.line
        if row.ok:
            if places_left <= 0:
                row.errors.append(_("over quota (%(n)s places)", n=quota))
            else:
                places_left -= 1
    return ImportPreview(rows=rows, quota=quota, used=used)


def _already_registered(event_id: int, emails: list[str]) -> set[str]:
    """Which of these emails hold an active registration for the event (one query)."""
    if not emails:
        return set()
    return set(db.session.scalars(
        sa.select(Person.email)
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id == event_id, Registration.status != CANCELLED,
               Person.email.in_(set(emails)))
    ))


def save_preview(preview: ImportPreview, *, event: Event, region: Region, by: User | None,
                 filename: str) -> DelegateImport:
    """Keep the preview until the coordinator confirms it."""
    draft = DelegateImport(
        event_id=event.id, region_id=region.id, created_by_id=by.id if by else None,
        filename=(filename or "delegates.csv")[:200],
        rows_json=json.dumps([asdict(row) for row in preview.rows]),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def load_preview(draft: DelegateImport) -> list[PreviewRow]:
    """The rows of a saved preview."""
    return [PreviewRow(**row) for row in json.loads(draft.rows_json)]


def import_delegates(draft: DelegateImport, by: User | None) -> tuple[int, list[PreviewRow]]:
    """Register the preview's good rows. Each is checked again (quota, duplicates), since time
    has passed; returns how many were imported and the rows skipped now, with reasons."""
    if draft.imported_at is not None:
        raise RegistrationError(_("This file has already been imported."))
    event, region = draft.event, draft.region
    audience = delegation_audience(event)
    if audience is None:
        raise RegistrationError(
            _("This event has no audiences yet; the secretariat sets them up."))
    delegation = get_or_create_delegation(event, region)
    asked = {question.id for question in delegate_questions(event.id)}  # retired meanwhile?
    imported, skipped = 0, []
    for row in load_preview(draft):
        if not row.ok:
            continue
        # A preview saved before a check existed may hold a row it now refuses.
        problem = _email_problem(row.email)
        if problem:
            row.errors.append(problem)
            skipped.append(row)
            continue
        data = PersonData(row.full_name, row.email, row.organisation or None,
                          row.job_title or None)
        try:
            # add_delegate refuses before it writes anything, so no savepoint is needed.
            add_delegate(event, delegation, data, audience, is_head=row.head, answers={
                int(key): value for key, value in row.answers.items() if int(key) in asked})
            imported += 1
        except RegistrationError as exc:
            row.errors.append(str(exc))
            skipped.append(row)
    draft.imported_at = utcnow()
    db.session.flush()
    return imported, skipped
