"""The scan endpoint of the check-in page: static/js/scanner.js posts each code it reads (or a
code typed by hand, as a plain form post without JavaScript)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.loaders import get_forum_event
from webapp.registrations import checkin_bp as bp
from webapp.registrations.checkin import live_counts
from webapp.registrations.common import audience_labels
from webapp.registrations.scanning import ScanResult, check_in_by_code, local_clock
from webapp.registrations.words import status_label

# Far longer than any code we issue; a longer post is not a ticket and is not signed.
MAX_CODE_LENGTH = 500


def scan_json(result: ScanResult, labels: dict[str, str]) -> dict:
    """The answer scanner.js shows: outcome, sentence, and who the ticket names."""
    answer: dict = {"ok": result.ok, "outcome": result.outcome, "message": result.message,
                    "person": None, "notes": result.notes}
    registration = result.registration
    if registration is not None and result.outcome != "wrong_forum":
        delegation = registration.delegation
        answer["person"] = {
            "name": registration.name,
            "organisation": registration.organisation or "",
            "audience": labels.get(registration.audience, registration.audience),
            "region": delegation.region.name if delegation else "",
            "status": status_label(registration),
            "checked_in_at": local_clock(registration.checked_in_at, registration.event,
                                         registration.checked_in_at)
            if registration.checked_in_at else None,
        }
    return answer


@bp.post("/events/<int:event_id>/checkin/scan")
def scan(event_id: int):
    """Check in the holder of a scanned or typed ticket code; JSON for the scanner, a flash
    and the check-in page for a plain form post."""
    event = get_forum_event(event_id)
    code = (request.form.get("code") or "")[:MAX_CODE_LENGTH]
    result = check_in_by_code(event, code, current_user._get_current_object())
    db.session.commit()
    labels = audience_labels(event)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({**scan_json(result, labels),
                        "counts": live_counts(event.id, labels)}), 200 if result.ok else 409
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("checkin.checkin_page", event_id=event.id))
