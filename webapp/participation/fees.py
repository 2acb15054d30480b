"""The network's annual fees: the rows of a year, payments, and one statement of where a
year stands (paid, unpaid, overdue, not recorded) that cannot contradict itself.

Services add and flush, never commit; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import AnnualFee, Region, User
from webapp.models.region import fee_due_on
from webapp.models.types import format_date


def fee_members(year: int) -> list[Region]:
    """Regions that owe the year's fee: members on its due date (31 March)."""
    due = fee_due_on(year)
    regions = db.session.scalars(
        sa.select(Region).options(selectinload(Region.membership_entries))
        .order_by(Region.name)
    ).all()
    return [r for r in regions if r.is_member_on(due)]


def create_fee_rows(actor: User | None, year: int) -> list[AnnualFee]:
    """Add the year's fee (2,500 EUR) for every member lacking one; returns the new rows."""
    have = set(db.session.scalars(sa.select(AnnualFee.region_id).where(AnnualFee.year == year)))
    created = [AnnualFee(region_id=r.id, year=year) for r in fee_members(year)
               if r.id not in have]
    db.session.add_all(created)
    db.session.flush()
    if created:
        record_audit(actor, "fee.created", created[0],
                     f"{len(created)} annual fee rows created for {year}.")
    return created


def mark_fee_paid(actor: User | None, fee: AnnualFee, paid_on: date) -> None:
    """Mark a fee paid on a date (audited)."""
    fee.paid_on = paid_on
    db.session.flush()
    record_audit(actor, "fee.paid", fee,
                 f"{fee.region.name}: {fee.year} fee marked paid on {paid_on.isoformat()}.")


def mark_fee_unpaid(actor: User | None, fee: AnnualFee) -> None:
    """Undo a payment recorded by mistake (audited, with the date it had)."""
    before = fee.paid_on
    fee.paid_on = None
    db.session.flush()
    record_audit(actor, "fee.unpaid", fee,
                 f"{fee.region.name}: {fee.year} fee marked unpaid (was paid on {before}).")


def overdue_fees(as_of: date) -> list[AnnualFee]:
    """Fees unpaid after their due date, oldest first."""
    fees = db.session.scalars(
        sa.select(AnnualFee).options(selectinload(AnnualFee.region))
        .where(sa.or_(AnnualFee.paid_on.is_(None), AnnualFee.paid_on > as_of))
        .order_by(AnnualFee.year, AnnualFee.region_id)
    ).all()
    return [fee for fee in fees if fee.due_on < as_of]


def _day(day: date) -> str:
    """'31 March 2026', in the page's language."""
    return format_date(day)


@dataclass(frozen=True)
class FeeStatement:
    """Where one year's fees stand on a day. Every fee owed is in exactly one of four groups,
    so the sentences built from them cannot disagree: paid; unpaid and not yet due; overdue
    (a recorded fee unpaid after its due date); not recorded (a member without a fee row,
    which can be neither paid nor overdue until the row exists)."""

    year: int
    today: date
    rows: tuple[AnnualFee, ...]
    missing: tuple[Region, ...]
    overdue_all_years: tuple[AnnualFee, ...]

    @property
    def due_on(self) -> date:
        """31 March of the year."""
        return fee_due_on(self.year)

    def _unpaid(self, fee: AnnualFee) -> bool:
        """Unpaid at the end of today (as overdue_fees counts it)."""
        return fee.paid_on is None or fee.paid_on > self.today

    @property
    def paid(self) -> list[AnnualFee]:
        """Recorded and paid."""
        return [f for f in self.rows if not self._unpaid(f)]

    @property
    def overdue(self) -> list[AnnualFee]:
        """Recorded, unpaid, and past the due date."""
        return [f for f in self.rows if self._unpaid(f) and f.due_on < self.today]

    @property
    def not_yet_due(self) -> list[AnnualFee]:
        """Recorded, unpaid, not due yet."""
        return [f for f in self.rows if self._unpaid(f) and f.due_on >= self.today]

    @property
    def year_sentence(self) -> str:
        """'2026 fees on 5 May 2026: 12 owed (one per member on 31 March 2026) — 1 paid and
        11 overdue.'"""
        owed = len(self.rows) + len(self.missing)
        if not owed:
            return _("%(year)s fees on %(day)s: none owed — no region was a member on %(due)s.",
                     year=self.year, day=_day(self.today), due=_day(self.due_on))
        parts = [text % {"num": n} for n, text in (
            (len(self.paid), _("%(num)s paid")),
            (len(self.not_yet_due), _("%(num)s unpaid, not yet due")),
            (len(self.overdue), _("%(num)s overdue")),
            (len(self.missing), _("%(num)s not recorded yet")),
        ) if n]
        listed = parts[0] if len(parts) == 1 else _("%(names)s and %(last)s",
                                                    names=", ".join(parts[:-1]), last=parts[-1])
        return _("%(year)s fees on %(day)s: %(owed)s owed (one per member on %(due)s) — "
                 "%(listed)s.", year=self.year, day=_day(self.today), owed=owed,
                 due=_day(self.due_on), listed=listed)

    @property
    def missing_sentence(self) -> str:
        """Who has no fee row for the year, and what that means."""
        if not self.missing:
            return ""
        names = ", ".join(r.name for r in self.missing)
        return ngettext("Not recorded yet: %(num)d member on %(due)s has no %(year)s fee row "
                        "(%(names)s). Until the row exists the fee can be neither marked paid "
                        "nor counted as overdue.",
                        "Not recorded yet: %(num)d members on %(due)s have no %(year)s fee row "
                        "(%(names)s). Until the row exists the fee can be neither marked paid "
                        "nor counted as overdue.", len(self.missing), due=_day(self.due_on),
                        year=self.year, names=names)

    @property
    def overdue_sentence(self) -> str:
        """The overdue list's statement, saying what it leaves out."""
        n = len(self.overdue_all_years)
        text = (ngettext("%(num)d recorded fee overdue on %(day)s: unpaid after 31 March of "
                         "the fee year.",
                         "%(num)d recorded fees overdue on %(day)s: unpaid after 31 March of "
                         "the fee year.", n, day=_day(self.today)) if n
                else _("No recorded fee is overdue on %(day)s.", day=_day(self.today)))
        if self.missing and self.due_on < self.today:
            text = ngettext("%(text)s Not counted: the %(num)d member without a %(year)s fee "
                            "row, whose fee is not recorded yet.",
                            "%(text)s Not counted: the %(num)d members without a %(year)s fee "
                            "row, whose fee is not recorded yet.", len(self.missing), text=text,
                            year=self.year)
        return text


def fee_statement(year: int, today: date) -> FeeStatement:
    """The year's fee rows, the members without one, and every overdue fee (three queries)."""
    rows = db.session.scalars(
        sa.select(AnnualFee).options(selectinload(AnnualFee.region))
        .where(AnnualFee.year == year).join(AnnualFee.region).order_by(Region.name)
    ).all()
    have = {fee.region_id for fee in rows}
    missing = tuple(r for r in fee_members(year) if r.id not in have)
    return FeeStatement(year, today, tuple(rows), missing, tuple(overdue_fees(today)))
