"""The outbox page's views: the list, one message, its .eml, and retries."""

from __future__ import annotations

import io
import math
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import load_only, selectinload

from webapp.extensions import db
from webapp.loaders import get_attachment, get_message
from webapp.mail.background import remember_all_due
from webapp.mail.compose import UnsendableMessage, build_message
from webapp.mail.delivery import (
    can_retry,
    deliver_due,
    make_waiting_due,
    reschedule_failed,
    reschedule_now,
)
from webapp.mail.recipes import RecipeError, preview
from webapp.mail.transport import eml_filename
from webapp.mail_admin import bp
from webapp.models.mail import OutboxAttachment, OutboxMessage, OutboxStatus
from webapp.search import like_pattern, page_number, query_text

PER_PAGE = 50


@bp.get("/")
def index():
    """The outbox, newest first: filter by status, search recipient or subject, page by 50."""
    status = request.args.get("status", "")
    status = status if status in {s.value for s in OutboxStatus} else ""
    q = query_text(request.args, "q")
    # Per status, and how many of them have been tried already (queued ones: retrying).
    tallies = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count(),
                  sa.func.count().filter(OutboxMessage.attempts > 0))
        .group_by(OutboxMessage.status)
    ).all()
    counts = {row[0]: row[1] for row in tallies}
    retrying = next((row[2] for row in tallies if row[0] is OutboxStatus.QUEUED), 0)
    conditions = []
    if status:
        conditions.append(OutboxMessage.status == OutboxStatus(status))
    if q:
        pattern = like_pattern(q)
        conditions.append(sa.or_(*(
            column.ilike(pattern, escape="\\")
            for column in (OutboxMessage.to_address, OutboxMessage.to_name, OutboxMessage.subject)
        )))
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(*conditions)
    )
    pages = max(math.ceil(total / PER_PAGE), 1)
    page = min(page_number(request.args.get("page")), pages)
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(*conditions)
        .options(
            # The list never shows bodies or attachment data: leave them in the database.
            load_only(OutboxMessage.to_address, OutboxMessage.to_name, OutboxMessage.subject,
                      OutboxMessage.status, OutboxMessage.attempts,
                      OutboxMessage.next_attempt_at, OutboxMessage.last_error,
                      OutboxMessage.created_at, OutboxMessage.sent_at,
                      OutboxMessage.claimed_at),
            selectinload(OutboxMessage.attachments).load_only(
                OutboxAttachment.filename, OutboxAttachment.content_type
            ),
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "mail_admin/index.html",
        messages=messages, counts=counts, total=total, status=status, q=q, page=page,
        pages=pages, statuses=OutboxStatus, can_retry=can_retry, retrying=retrying,
        transport=_transport_note(),
    )


def _transport_note() -> str:
    """Where mail goes, in words, for the top of the page."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        return _("SMTP server %(server)s", server=f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}")
    return _(".eml files in %(folder)s (no MAIL_SERVER configured)",
             folder=config["MAIL_OUTBOX_DIR"])


@bp.get("/<int:message_id>")
def detail(message_id: int):
    """One message: its delivery history, bodies (HTML shown sandboxed) and attachments."""
    message = get_message(message_id)
    eml_file = None
    if not current_app.config["MAIL_SERVER"] and message.status is OutboxStatus.SENT:
        candidate = Path(current_app.config["MAIL_OUTBOX_DIR"]) / eml_filename(
            message.created_at, message.id)
        eml_file = candidate if candidate.exists() else None
    try:
        shown, unwritable = preview(message), None
    except RecipeError as exc:
        shown, unwritable = message, str(exc)
    return render_template("mail_admin/detail.html", message=message, shown=shown,
                           unwritable=unwritable, eml_file=eml_file, can_retry=can_retry,
                           transport=_transport_note())


@bp.get("/<int:message_id>/message.eml")
def download_eml(message_id: int):
    """The message exactly as it is (or would be) sent, to open in a mail client."""
    message = get_message(message_id)
    try:
        data = build_message(preview(message), current_app.config["MAIL_FROM"]).as_bytes()
    except (UnsendableMessage, RecipeError) as exc:
        flash(_("This message cannot be built: %(reason)s", reason=exc), "error")
        return redirect(url_for(".detail", message_id=message_id))
    return _download(data, "message/rfc822", eml_filename(message.created_at, message.id))


@bp.get("/<int:message_id>/attachments/<int:attachment_id>")
def download_attachment(message_id: int, attachment_id: int):
    """One attachment as a download (never rendered inline: it is not our content)."""
    attachment = get_attachment(message_id, attachment_id)
    mimetype = attachment.content_type.split(";", 1)[0].strip() or "application/octet-stream"
    return _download(attachment.data, mimetype, attachment.filename)


def _download(data: bytes, mimetype: str, filename: str):
    """A file response that browsers save rather than render."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/<int:message_id>/retry")
def retry(message_id: int):
    """'Retry now': make the message due, commit, try it at once and say what happened."""
    message = get_message(message_id)
    if not can_retry(message):
        flash(_("Only queued or failed messages (or ones a stopped worker left sending) can be "
                "retried; this one is %(status)s.", status=message.status.value), "error")
        return redirect(url_for(".detail", message_id=message_id))
    reschedule_now(message)
    db.session.commit()
    report = deliver_due(ids=[message_id])
    if report.sent:
        flash(_("Sent message %(id)s to %(address)s.", id=message_id,
                address=message.to_address), "success")
    elif report.attempted:
        flash(_("Message %(id)s failed for good: %(error)s", id=message_id,
                error=report.errors[-1]) if report.failed else
              _("Message %(id)s could not be sent now; it will retry: %(error)s", id=message_id,
                error=report.errors[-1]), "error")
    else:
        flash(_("Message %(id)s is queued; a mail worker is already sending it.", id=message_id),
              "success")
    return redirect(_safe_next(request.form.get("next"),
                               url_for(".detail", message_id=message_id)))


@bp.post("/retry-failed")
def retry_failed():
    """After an outage is fixed: every failed message becomes due again, sent after commit."""
    count = reschedule_failed()
    db.session.commit()
    if count:
        flash(_("%(n)s failed message(s) queued again for delivery.", n=count), "success")
        return redirect(url_for(".index", status="queued"))
    flash(_("There are no failed messages."), "success")
    return redirect(url_for(".index"))


@bp.route("/send-waiting", methods=["GET", "POST"])
def send_waiting():
    """'Send all waiting now' (asks first): after an outage, every queued message — those
    waiting out a retry's backoff too — is due at once and sent after the commit."""
    if request.method == "GET":
        waiting = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status == OutboxStatus.QUEUED))
        return render_template("mail_admin/send_waiting.html", waiting=waiting,
                               transport=_transport_note())
    count = make_waiting_due()
    if count:
        remember_all_due()
    db.session.commit()
    if not count:
        flash(_("No message is waiting."), "success")
    elif current_app.config["MAIL_DELIVER_ON_COMMIT"]:
        flash(ngettext("Sending %(num)d waiting message now; reload to see how it went.",
                       "Sending %(num)d waiting messages now; reload to see how it went.",
                       count), "success")
    else:
        flash(ngettext("%(num)d waiting message due now: the mail worker sends them on its "
                       "next run.", "%(num)d waiting messages due now: the mail worker sends "
                       "them on its next run.", count), "success")
    return redirect(url_for(".index", status="queued" if count else None))


def _safe_next(raw: str | None, default: str) -> str:
    """Where to go after a form: only back to a page of this outbox, never off-site."""
    parts = urlsplit(raw or "")
    local = not parts.scheme and not parts.netloc and "\\" not in (raw or "")
    if raw and local and parts.path.startswith(url_for(".index")):
        return raw
    return default
