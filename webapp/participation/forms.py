"""Forms of the participation review: the policy, a decision, a fee payment."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from webapp.forms import AppForm, DayField
from webapp.models import MembershipKind, RuleKey
from webapp.participation.policy import RuleSettings

# The network's first conference; membership and fees begin then (webapp.data.network_history).
NETWORK_BEGAN = date(2004, 1, 1)
DECISION_CHOICES = [
    (MembershipKind.WARNED.value, _l("Warning")),
    (MembershipKind.EXCLUDED.value, _l("Exclusion")),
    (MembershipKind.READMITTED.value, _l("Readmission")),
]


def _number(label: str, low: int, high: int) -> IntegerField:
    """A required whole number within bounds, with a message that says them."""
    return IntegerField(label, validators=[
        InputRequired(message=_l("Give a whole number from %(low)s to %(high)s.", low=low,
                                 high=high)),
        NumberRange(low, high, message=_l("Give a whole number from %(low)s to %(high)s.",
                                          low=low, high=high)),
    ])


class PolicyForm(AppForm):
    """Every rule: on or off, and its thresholds."""

    missed_forums_enabled = BooleanField(_l("Flag regions that miss forums"))
    missed_at_least = _number(_l("Missed at least"), 1, 50)
    of_last_forums = _number(_l("of the last … forums held while a member"), 1, 50)
    fee_overdue_enabled = BooleanField(_l("Flag overdue annual fees"))
    days_after_due = _number(_l("Days after the due date (31 March)"), 0, 3650)
    no_representative_enabled = BooleanField(_l("Flag regions without a representative"))
    no_activity_enabled = BooleanField(_l("Flag regions without network activity"))
    inactive_months = _number(_l("Months without attending or hosting anything"), 1, 240)

    def validate_of_last_forums(self, field) -> None:
        """The window must hold at least as many forums as the threshold."""
        if field.data is not None and self.missed_at_least.data is not None \
                and field.data < self.missed_at_least.data:
            raise ValidationError(_("The number of forums looked at must be at least the "
                                    "number missed."))

    @classmethod
    def from_policy(cls, policy: list[RuleSettings]) -> PolicyForm:
        """A form filled with the current settings."""
        by_key = {s.key: s for s in policy}
        data = {f"{key.value}_enabled": s.enabled for key, s in by_key.items()}
        data.update(
            missed_at_least=by_key[RuleKey.MISSED_FORUMS].missed_at_least,
            of_last_forums=by_key[RuleKey.MISSED_FORUMS].of_last_forums,
            days_after_due=by_key[RuleKey.FEE_OVERDUE].days_after_due,
            inactive_months=by_key[RuleKey.NO_ACTIVITY].inactive_months,
        )
        return cls(data=data)

    def settings(self) -> list[RuleSettings]:
        """The rules as submitted."""
        return [
            RuleSettings(RuleKey.MISSED_FORUMS, self.missed_forums_enabled.data,
                         missed_at_least=self.missed_at_least.data,
                         of_last_forums=self.of_last_forums.data),
            RuleSettings(RuleKey.FEE_OVERDUE, self.fee_overdue_enabled.data,
                         days_after_due=self.days_after_due.data),
            RuleSettings(RuleKey.NO_REPRESENTATIVE, self.no_representative_enabled.data),
            RuleSettings(RuleKey.NO_ACTIVITY, self.no_activity_enabled.data,
                         inactive_months=self.inactive_months.data),
        ]


class DecisionForm(AppForm):
    """A warning, an exclusion or a readmission, with its date and reason."""

    kind = SelectField(_l("Decision"), choices=DECISION_CHOICES)
    on = DayField(_l("Date of the decision"),
                   validators=[InputRequired(message=_l("Give the date (YYYY-MM-DD)."))])
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 4}, validators=[
        DataRequired(message=_l("Give the reason: it is kept in the region's history.")),
        Length(max=2000),
    ])


class FeePaidForm(AppForm):
    """The day a fee was paid (not in the future: the route checks that against today)."""

    paid_on = DayField(_l("Paid on"),
                       validators=[InputRequired(message=_l("Give the payment date."))])

    def validate_paid_on(self, field) -> None:
        """No fee was paid before the network's first conference."""
        if field.data and field.data < NETWORK_BEGAN:
            raise ValidationError(_("%(day)s is before the network began (%(year)s): check the "
                                    "payment date.", day=f"{field.data:%Y-%m-%d}",
                                    year=NETWORK_BEGAN.year))
