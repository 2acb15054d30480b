"""Pages: an event's messages (secretariat) and a mission's (secretariat, host coordinator),
compose → preview → send (asks first, with the count), one message with its deliveries.

Who may do what (tests/test_access_matrix.py): registrations' messages are the
secretariat's; a mission's guests' messages also its host region's coordinators'."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.auth.access import require_region, require_role
from webapp.extensions import db
from webapp.loaders import get_forum_event
from webapp.messages import bp
from webapp.messages.forms import MessageForm
from webapp.messages.placeholders import PLACEHOLDERS, allowed
from webapp.messages.selections import options, parse_option
from webapp.messages.services import (
    Composition,
    delivery_counts,
    find_sent,
    messages_of,
    preview,
    recipient_rows,
    send_message,
)
from webapp.models import AttendeeMessage, Event, EventKind, MessageScope, Role

secretariat_only = require_role(Role.SECRETARIAT)
planners_only = require_role(Role.SECRETARIAT, Role.COORDINATOR)
RECIPIENTS_SHOWN = 500


def _mission(mission_id: int) -> Event:
    """A reverse mission the signed-in user may plan (secretariat or host coordinator)."""
    event = get_forum_event(mission_id)
    if event.kind is not EventKind.REVERSE_MISSION:
        abort(404, description=_("There is no reverse mission number %(n)s.", n=mission_id))
    require_region(event.host_region_id)
    return event


def _urls(event: Event, scope: MessageScope) -> dict[str, str]:
    """The list and compose pages of this event and scope, and where 'back' goes."""
    if scope is MessageScope.REGISTRATIONS:
        return {"list": url_for("messages.forum_messages", event_id=event.id),
                "new": url_for("messages.compose_forum", event_id=event.id),
                "back": url_for("forum_admin.attendees", event_id=event.id),
                "back_words": _("Attendees")}
    return {"list": url_for("messages.mission_messages", mission_id=event.id),
            "new": url_for("messages.compose_mission", mission_id=event.id),
            "back": url_for("missions.plan", mission_id=event.id),
            "back_words": _("Planner")}


def _list(event: Event, scope: MessageScope):
    """The messages of an event in one scope, with their delivery counts (two queries)."""
    messages = messages_of(event.id, scope)
    return render_template("messages/list.html", event=event, scope=scope, messages=messages,
                           counts=delivery_counts([m.id for m in messages]),
                           urls=_urls(event, scope))


@bp.route("/events/<int:event_id>/messages")
@secretariat_only
def forum_messages(event_id: int):
    """The messages written to this event's registrations."""
    return _list(get_forum_event(event_id), MessageScope.REGISTRATIONS)


@bp.route("/missions/<int:mission_id>/messages")
@planners_only
def mission_messages(mission_id: int):
    """The messages written to this mission's guests."""
    return _list(_mission(mission_id), MessageScope.GUESTS)


def _page(event, scope, form, *, shown=None, confirm=False, note=None, status=200):
    """The compose page, with the preview (and the question before sending) when asked."""
    return render_template(
        "messages/compose.html", event=event, scope=scope, form=form, shown=shown,
        confirm=confirm, note=note, urls=_urls(event, scope), placeholders=PLACEHOLDERS[scope],
        subject_placeholders=allowed(scope, in_subject=True)), status


def _sent(message: AttendeeMessage, *, again: bool):
    """Flash what happened and show the message."""
    if again:
        flash(_("This message was sent already; it was not sent again."), "success")
    else:
        skipped = (" " + ngettext("%(num)d without a usable email address was skipped.",
                                  "%(num)d without a usable email address were skipped.",
                                  message.skipped_count) if message.skipped_count else "")
        flash(ngettext("Message queued for %(num)d person.", "Message queued for %(num)d people.",
                       message.recipient_count) + skipped, "success")
    return redirect(url_for("messages.detail", attendee_message_id=message.id))


def _compose(event: Event, scope: MessageScope):
    """Compose: Preview shows one filled message and the count; Send asks, with the count;
    'Yes, send' queues it (once per form, whatever the number of submits)."""
    form = MessageForm(scope=scope)
    form.to.choices = options(event, scope)
    if request.method == "GET":
        return _page(event, scope, form)
    if not form.validate():
        return _page(event, scope, form, status=400)
    selection, argument = parse_option(form.to.data, scope)
    composition = Composition(event, scope, selection, argument, form.subject.data,
                              form.body.data)
    action = request.form.get("action", "preview")
    if action == "confirm" and (existing := find_sent(form.send_key.data)) is not None:
        return _sent(existing, again=True)
    shown = preview(composition)
    asked = form.shown_count.data
    form.shown_count.data = str(shown.sendable)
    if action == "confirm" and shown.sendable and asked == str(shown.sendable):
        try:
            message = send_message(composition, current_user._get_current_object(),
                                   form.send_key.data)
            db.session.commit()
        except IntegrityError:  # the same form sent by a request that just committed
            db.session.rollback()
            if (existing := find_sent(form.send_key.data)) is None:
                raise
            return _sent(existing, again=True)
        return _sent(message, again=False)
    note = None
    if action == "confirm":
        note = (_("Nobody in this selection can be written to: nothing was sent.")
                if not shown.sendable else
                _("The selection changed since you were asked: it now holds %(n)s. Check and "
                  "confirm again.", n=shown.sendable))
    return _page(event, scope, form, shown=shown, confirm=action in ("send", "confirm"),
                 note=note)


@bp.route("/events/<int:event_id>/messages/new", methods=["GET", "POST"])
@secretariat_only
def compose_forum(event_id: int):
    """Write to a selection of this event's registrations."""
    return _compose(get_forum_event(event_id), MessageScope.REGISTRATIONS)


@bp.route("/missions/<int:mission_id>/messages/new", methods=["GET", "POST"])
@planners_only
def compose_mission(mission_id: int):
    """Write to this mission's guests (the host region's coordinators and the secretariat)."""
    return _compose(_mission(mission_id), MessageScope.GUESTS)


@bp.route("/messages/<int:attendee_message_id>")
@planners_only
def detail(attendee_message_id: int):
    """One message: its text, selection, and each recipient's delivery."""
    message = db.one_or_404(
        sa.select(AttendeeMessage).where(AttendeeMessage.id == attendee_message_id)
        .options(joinedload(AttendeeMessage.event), joinedload(AttendeeMessage.author)),
        description=_("There is no message number %(n)s.", n=attendee_message_id))
    if message.scope is MessageScope.GUESTS:
        require_region(message.event.host_region_id)
    elif not current_user.is_secretariat:
        abort(403, description=_("This page is for the secretariat."))
    return render_template(
        "messages/detail.html", message=message, event=message.event,
        counts=delivery_counts([message.id]).get(message.id),
        rows=recipient_rows(message.id, RECIPIENTS_SHOWN), shown_limit=RECIPIENTS_SHOWN,
        urls=_urls(message.event, message.scope))
