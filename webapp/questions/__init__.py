"""Registration questions: what each forum asks at registration, and the answers.

The secretariat's pages are here (every page of them theirs); the registration pages collect
the answers through `fields` and `answers`, which other areas use too:
`answers.registration_answers` (one registration's {question: value}) and
`answers.registrations_answering` (the registrations whose answer to a question is a value)."""

from flask import Blueprint

from webapp.auth.access import require_secretariat_before_request

bp = Blueprint("questions", __name__)
bp.before_request(require_secretariat_before_request)

from webapp.questions import personal_data, routes  # noqa: E402, F401 - views, data sections
from webapp.questions.fields import question_fields  # noqa: E402

# Forms of other areas render their question fields with questions/_fields.html.
bp.add_app_template_global(question_fields)
