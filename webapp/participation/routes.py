"""The participation review (secretariat only): matrix, flags, policy, decisions, fees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from webapp.data.illustrative_participation import AS_OF_EXCLUSIONS
from webapp.data.network_history import BRIEF_DATE
from webapp.extensions import db
from webapp.forms import plain_number
from webapp.loaders import get_fee, get_region
from webapp.models import EventKind, MembershipKind, utcnow
from webapp.models.types import format_date
from webapp.participation import bp, exports
from webapp.participation.facts import CELL_LEGEND, DECISION_KINDS
from webapp.participation.fees import (
    create_fee_rows,
    fee_statement,
    mark_fee_paid,
    mark_fee_unpaid,
)
from webapp.participation.forms import DECISION_CHOICES, DecisionForm, FeePaidForm, PolicyForm
from webapp.participation.matrix import MATRIX_KINDS, SORTS, delegates_per_year
from webapp.participation.services import (
    DecisionError,
    RecordedDecision,
    load_policy,
    preview_policy,
    record_decision,
    review,
    save_policy,
)
from webapp.search import parse_day

KIND_FILTERS = {
    "all": (_l("Forums and reverse missions"), MATRIX_KINDS),
    "forum": (_l("Forums only"), (EventKind.FORUM,)),
    "reverse_mission": (_l("Reverse missions only"), (EventKind.REVERSE_MISSION,)),
}
YEAR_RANGE = (2000, 2200)


@dataclass
class ReviewArgs:
    """The review's query parameters, checked; bad ones fall back and say why."""

    as_of: date
    from_year: int | None = None
    to_year: int | None = None
    kind: str = "all"
    sort: str = "engagement"
    errors: list[str] = field(default_factory=list)

    def query(self, **override) -> dict:
        """The parameters as a dict for url_for, with some replaced."""
        values = {"as_of": self.as_of.isoformat(), "from_year": self.from_year,
                  "to_year": self.to_year, "kind": self.kind, "sort": self.sort}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _year(raw: str | None, label: str, errors: list[str]) -> int | None:
    """A year parameter, or None (with a message) when it is not a plausible year."""
    if not raw:
        return None
    raw = raw.strip()
    year = plain_number(raw, YEAR_RANGE[1])
    if year is not None and year >= YEAR_RANGE[0]:
        return year
    errors.append(_("“%(raw)s” is not a year (%(label)s); showing every year.", raw=raw,
                    label=label))
    return None


def review_args() -> ReviewArgs:
    """Read as_of, from_year, to_year, kind and sort from the query string."""
    as_of, date_error = parse_day(request.args.get("as_of"), default=utcnow().date())
    errors = [date_error] if date_error else []
    from_year = _year(request.args.get("from_year"), _("from"), errors)
    to_year = _year(request.args.get("to_year"), _("to"), errors)
    if from_year and to_year and from_year > to_year:
        errors.append(_("The period %(first)s–%(last)s runs backwards; showing both years "
                        "swapped.", first=from_year, last=to_year))
        from_year, to_year = to_year, from_year
    kind = request.args.get("kind", "all")
    sort = request.args.get("sort", "engagement")
    return ReviewArgs(as_of, from_year, to_year, kind if kind in KIND_FILTERS else "all",
                      sort if sort in SORTS else "engagement", errors)


def _review(args: ReviewArgs):
    """The review for checked parameters."""
    return review(args.as_of, from_year=args.from_year, to_year=args.to_year,
                  kinds=KIND_FILTERS[args.kind][1], sort=args.sort)


@bp.get("/")
def index():
    """The matrix of every region's engagement, the flagged regions and their reasons."""
    args = review_args()
    result = _review(args)
    return render_template(
        "participation/review.html", args=args, review=result, legend=CELL_LEGEND,
        figures=delegates_per_year(result.matrix), kinds=KIND_FILTERS, sorts=SORTS, presets=[
            (_("Today"), utcnow().date()),
            (_("Before the 2012 exclusions"), AS_OF_EXCLUSIONS),
            (_("The sources' date"), BRIEF_DATE),
        ],
    )


@bp.get("/matrix.csv")
def matrix_csv():
    """The matrix as a spreadsheet (CSV, UTF-8 with BOM)."""
    args = review_args()
    body = exports.matrix_csv(_review(args).matrix, args.as_of)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="participation-{args.as_of}.csv"'})


@bp.get("/chart.svg")
def chart_svg():
    """Delegates per region per year, drawn on the server as SVG (?download=1: as a file)."""
    args = review_args()
    svg = render_template("participation/chart.svg", chart=exports.chart(_review(args).matrix))
    headers = ({"Content-Disposition":
                f'attachment; filename="participation-chart-{args.as_of}.svg"'}
               if request.args.get("download") == "1" else {})
    return Response(svg, mimetype="image/svg+xml", headers=headers)


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """The engagement policy: switch rules on or off and set their thresholds; "Preview"
    shows which regions the edited policy would flag or clear today, without saving."""
    current = load_policy()
    form = PolicyForm() if request.method == "POST" else PolicyForm.from_policy(current)
    preview = None
    if form.validate_on_submit():
        if "preview" not in request.form:
            changes = save_policy(current_user._get_current_object(), form.settings())
            db.session.commit()
            flash(_("Policy saved: %(changes)s", changes=" ".join(changes)) if changes
                  else _("Policy saved: nothing changed."), "success")
            return redirect(url_for("participation.policy"))
        preview = preview_policy(current, form.settings(), utcnow().date())
    return render_template("participation/policy.html", form=form, policy=current,
                           preview=preview), (
        400 if form.errors else 200)


def mailed_sentence(decision: RecordedDecision) -> str:
    """Who was emailed about a decision, and whose address was refused, in words."""
    if decision.mailed:
        names = ", ".join(r.name or r.email for r in decision.mailed)
        text = _("Emailed with the reason to %(names)s.", names=names)
    else:
        text = _("Nobody was emailed: the region has no active coordinator or representative "
                 "with an email address.")
    if decision.refused:
        text = _("%(text)s Not emailed (the address is not valid): %(names)s.", text=text,
                 names=", ".join(r.name or r.email for r in decision.refused))
    return text


@bp.route("/regions/<slug>", methods=["GET", "POST"])
def region(slug: str):
    """One region under review: its flags, its engagement, the decisions; record a new one."""
    region = get_region(slug)
    args = review_args()
    form = DecisionForm()
    if request.method == "GET":
        form.on.data = utcnow().date()
    elif form.validate_on_submit():
        try:
            decision = record_decision(current_user._get_current_object(), region,
                                       MembershipKind(form.kind.data), form.on.data,
                                       form.reason.data, utcnow().date())
        except DecisionError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            entry = decision.entry
            flash(_("%(decision)s of %(region)s recorded on %(day)s: it is in the region's "
                    "history and the audit log. %(mailed)s",
                    decision=dict(DECISION_CHOICES)[entry.kind.value], region=region.name,
                    day=entry.date_label, mailed=mailed_sentence(decision)), "success")
            return redirect(url_for("participation.region", slug=slug,
                                    as_of=args.as_of.isoformat()))
    result = review(args.as_of, region_id=region.id)
    row = result.matrix.rows[0] if result.matrix.rows else None
    return render_template("participation/region.html", region=region, args=args, row=row,
                           review=result, form=form, legend=CELL_LEGEND,
                           decision_kinds=DECISION_KINDS), (
        400 if form.errors or form.form_errors else 200)


# --- fees -------------------------------------------------------------------------------


def _valid_year(year: int) -> int:
    """A year the database accepts, or 404."""
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        abort(404, description=_("%(year)s is outside %(first)s–%(last)s.", year=year,
                                 first=YEAR_RANGE[0], last=YEAR_RANGE[1]))
    return year


@bp.get("/fees")
def fees():
    """One year's fees, where they stand (paid, not yet due, overdue, not recorded), and every
    overdue fee."""
    today = utcnow().date()
    year = request.args.get("year", type=int) or today.year
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        flash(_("%(year)s is not a year the network keeps fees for; showing %(today)s.",
                year=year, today=today.year), "error")
        year = today.year
    return render_template("participation/fees.html", year=year,
                           statement=fee_statement(year, today), today=today,
                           form=FeePaidForm(), policy={s.key: s for s in load_policy()})


@bp.post("/fees/<int:year>/rows")
def create_fees(year: int):
    """Create the year's fee rows for every member that has none yet."""
    created = create_fee_rows(current_user._get_current_object(), _valid_year(year))
    db.session.commit()
    flash(ngettext("%(num)d fee row created for %(year)s.", "%(num)d fee rows created for "
                   "%(year)s.", len(created), year=year)
          if created else _("Every member already has a %(year)s fee row.", year=year),
          "success")
    return redirect(url_for("participation.fees", year=year))


@bp.post("/fees/<int:fee_id>/paid")
def fee_paid(fee_id: int):
    """Mark a fee paid on a date."""
    fee = get_fee(fee_id)
    form = FeePaidForm()
    if not form.validate_on_submit():
        flash(_("%(region)s %(year)s: %(errors)s", region=fee.region.name, year=fee.year,
                errors=" ".join(map(str, form.paid_on.errors or [_("give the payment date.")]))),
              "error")
    elif form.paid_on.data > utcnow().date():
        flash(_("%(region)s %(year)s: the payment date is in the future.",
                region=fee.region.name, year=fee.year), "error")
    else:
        mark_fee_paid(current_user._get_current_object(), fee, form.paid_on.data)
        db.session.commit()
        flash(_("%(region)s: %(year)s fee marked paid on %(day)s.", region=fee.region.name,
                year=fee.year, day=format_date(fee.paid_on)), "success")
    return redirect(url_for("participation.fees", year=fee.year))


@bp.post("/fees/<int:fee_id>/unpaid")
def fee_unpaid(fee_id: int):
    """Undo a payment, after asking first."""
    fee = get_fee(fee_id)
    if fee.paid_on is None:
        flash(_("%(region)s: the %(year)s fee is not marked paid.", region=fee.region.name,
                year=fee.year), "error")
        return redirect(url_for("participation.fees", year=fee.year))
    if not request.form.get("confirmed"):
        return render_template("participation/confirm_unpaid.html", fee=fee)
    mark_fee_unpaid(current_user._get_current_object(), fee)
    db.session.commit()
    flash(_("%(region)s: the %(year)s fee is marked unpaid again.", region=fee.region.name,
            year=fee.year), "success")
    return redirect(url_for("participation.fees", year=fee.year))
