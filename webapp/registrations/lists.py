"""Attendee lists: filters, counts per region and audience, and a spreadsheet-safe CSV export.

Every list is a fixed number of queries whatever the number of registrations: rows come with
their person, delegation and region in one joined query; counts are GROUP BY queries."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager

from webapp.extensions import db
from webapp.models import Delegation, Person, Question, Region, Registration, RegistrationStatus
from webapp.questions.answers import answers_by_registration, registrations_answering
from webapp.questions.services import event_questions
from webapp.questions.values import shown_answer
from webapp.search import like_pattern, query_text

# A cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
EXPORT_COLUMNS = ["Name", "Email", "Organisation", "Title", "Region", "Audience", "Status",
                  "Head of delegation", "Registered (UTC)", "Checked in (UTC)",
                  "Cancel reason", "Demo"]

ANSWER_FILTER = re.compile(r"[0-9]{1,9}:.*", re.DOTALL)
DelegationRegion = aliased(Region, name="delegation_region")
PersonRegion = aliased(Region, name="person_region")
# The list's orders, by the `sort` value that asks for them (empty: by name). Blanks last.
ATTENDEE_SORTS = {
    "": (_l("Name"), (Registration.name, Registration.id)),
    "newest": (_l("Newest first"), (Registration.registered_at.desc(), Registration.id.desc())),
    "organisation": (_l("Organisation"), (Registration.organisation.nulls_last(), Registration.name,
                                      Registration.id)),
    "region": (_l("Region"), (sa.func.coalesce(DelegationRegion.name, PersonRegion.name)
                          .nulls_last(), Registration.name, Registration.id)),
}


@dataclass
class AttendeeFilters:
    """What the list is narrowed to; empty strings mean 'all'."""

    region: str = ""
    audience: str = ""
    status: str = ""
    q: str = ""
    sort: str = ""
    # An answer to one of the forum's questions: "<question id>:<value>" (no value: any).
    answer: str = ""

    @classmethod
    def from_args(cls, args, audiences: list[str]) -> AttendeeFilters:
        """Read filters from the query string, dropping values that mean nothing."""
        status = args.get("status", "")
        audience = args.get("audience", "")
        sort = args.get("sort", "")
        return cls(
            region=query_text(args, "region", 80),
            audience=audience if audience in audiences else "",
            status=status if status in {s.value for s in RegistrationStatus} else "",
            q=query_text(args, "q"),
            sort=sort if sort in ATTENDEE_SORTS else "",
            answer=answer if ANSWER_FILTER.fullmatch(answer := query_text(args, "answer", 300))
            else "",
        )

    @property
    def answer_filter(self) -> tuple[int, str | None] | None:
        """(question id, the answer wanted or None for any), when the list is narrowed so."""
        if not self.answer:
            return None
        question_id, _sep, value = self.answer.partition(":")
        return int(question_id), value or None

    def as_args(self) -> dict[str, str]:
        """The non-empty filters, for links (pager, export)."""
        return {k: v for k, v in vars(self).items() if v}


def region_slug_column():
    """The attendee's region: their delegation's, else the person's own."""
    return sa.func.coalesce(DelegationRegion.slug, PersonRegion.slug)


def attendee_query(event_id: int, filters: AttendeeFilters) -> sa.Select:
    """Registrations of an event with person, delegation and region, filtered."""
    query = (
        sa.select(Registration)
        .join(Registration.person)
        .outerjoin(Registration.delegation)
        .outerjoin(DelegationRegion, Delegation.region_id == DelegationRegion.id)
        .outerjoin(PersonRegion, Person.region_id == PersonRegion.id)
        .options(
            contains_eager(Registration.person).contains_eager(
                Person.region.of_type(PersonRegion)
            ),
            contains_eager(Registration.delegation).contains_eager(
                Delegation.region.of_type(DelegationRegion)
            ),
        )
        .where(Registration.event_id == event_id)
    )
    if filters.region == "none":
        query = query.where(region_slug_column().is_(None))
    elif filters.region:
        query = query.where(region_slug_column() == filters.region)
    if filters.audience:
        query = query.where(Registration.audience == filters.audience)
    if filters.status:
        query = query.where(Registration.status == RegistrationStatus(filters.status))
    if filters.answer_filter:
        query = query.where(Registration.id.in_(registrations_answering(*filters.answer_filter)))
    if filters.q:
        pattern = like_pattern(filters.q)
        query = query.where(sa.or_(
            Registration.name.ilike(pattern, escape="\\"),
            Person.email.ilike(pattern, escape="\\"),
            Registration.organisation.ilike(pattern, escape="\\"),
        ))
    return query


def attendee_page(event_id: int, filters: AttendeeFilters, page: int, size: int):
    """One page of attendees (in the filters' order) and whether there is a next one."""
    rows = db.session.scalars(
        attendee_query(event_id, filters)
        .order_by(*ATTENDEE_SORTS[filters.sort][1])
        .limit(size + 1)
        .offset((page - 1) * size)
    ).all()
    return rows[:size], len(rows) > size


def counts_by_region(event_id: int, filters: AttendeeFilters) -> list[tuple]:
    """(region name or None, confirmed, waitlisted, cancelled, checked in) per region."""
    region_name = sa.func.coalesce(DelegationRegion.name, PersonRegion.name)
    status = Registration.status
    query = (
        sa.select(
            region_name.label("region"),
            sa.func.count().filter(status == RegistrationStatus.CONFIRMED),
            sa.func.count().filter(status == RegistrationStatus.WAITLISTED),
            sa.func.count().filter(status == RegistrationStatus.CANCELLED),
            sa.func.count(Registration.checked_in_at),
        )
        .select_from(Registration)
        .join(Person, Registration.person_id == Person.id)
        .outerjoin(Delegation, Registration.delegation_id == Delegation.id)
        .outerjoin(DelegationRegion, Delegation.region_id == DelegationRegion.id)
        .outerjoin(PersonRegion, Person.region_id == PersonRegion.id)
        .where(Registration.event_id == event_id)
        .group_by(region_name)
        .order_by(region_name)
    )
    if filters.audience:
        query = query.where(Registration.audience == filters.audience)
    return db.session.execute(query).all()


def attendee_region(reg: Registration) -> str:
    """The region an attendee counts for: their delegation's, else their own, else ''."""
    if reg.delegation is not None:
        return reg.delegation.region.name
    return reg.person.region.name if reg.person.region is not None else ""


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: formula starters get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attendee_answers(event_id: int, registrations: list[Registration] | None = None,
                     ) -> tuple[list[Question], dict[int, dict[int, str]]]:
    """The forum's questions (retired ones too: their answers are still shown) and the
    answers of these registrations (None: every registration of the event): two queries,
    one when the forum asks nothing."""
    questions = event_questions(event_id, include_retired=True)
    if not questions:
        return [], {}
    ids = ([reg.id for reg in registrations] if registrations is not None
           else sa.select(Registration.id).where(Registration.event_id == event_id))
    return questions, answers_by_registration(ids)


def attendees_csv(registrations: list[Registration], audience_labels: dict[str, str],
                  questions: list[Question] = (), answers: dict | None = None) -> bytes:
    """UTF-8 with BOM (so Excel picks the encoding), comma-separated, CRLF, formula-safe;
    then one column per question, headed by its label."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS + [safe_cell(question.label) for question in questions])
    for reg in registrations:
        given = (answers or {}).get(reg.id, {})
        region = attendee_region(reg)
        writer.writerow([safe_cell(v) for v in (
            reg.name, reg.person.email, reg.organisation, reg.job_title, region,
            audience_labels.get(reg.audience, reg.audience), reg.status_label.lower(),
            "yes" if reg.is_head_of_delegation else "",
            reg.registered_at.strftime("%Y-%m-%d %H:%M"),
            reg.checked_in_at.strftime("%Y-%m-%d %H:%M") if reg.checked_in_at else "",
            reg.cancel_reason, "demo" if reg.is_demo else "",
            *(shown_answer(q.kind, given.get(q.id)) for q in questions),
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
