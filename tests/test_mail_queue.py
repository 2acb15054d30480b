"""Queueing mail in the caller's transaction."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail import Attachment, Email, queue_email, queue_emails
from webapp.models import OutboxMessage, OutboxStatus


def outbox_count() -> int:
    """Messages in the outbox."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_queued_message_is_rendered_and_escaped(app):
    """Text and HTML bodies come from templates/mail; names are escaped in HTML."""
    message = queue_email("ulla@example.org", "Welcome", "test_message",
                          {"name": "<b>Ulla</b> & Co"},
                          attachments=[Attachment("x.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    db.session.commit()
    assert message.status is OutboxStatus.QUEUED
    assert "Hello <b>Ulla</b> & Co," in message.body_text
    assert "&lt;b&gt;Ulla&lt;/b&gt; &amp; Co" in message.body_html
    assert message.message_id.endswith("@localhost>")
    assert message.attachments[0].data == b"BEGIN:VCALENDAR"


def test_rolled_back_transaction_leaves_no_message(app):
    """If the change that causes a message is rolled back, the message never existed."""
    queue_email("ulla@example.org", "Welcome", "test_message", {"name": "Ulla"})
    db.session.rollback()
    assert outbox_count() == 0


@pytest.mark.parametrize(
    ("to", "subject", "to_name"),
    [
        ("ulla@example.org", "Hi\r\nBcc: victim@example.org", None),
        ("ulla@example.org\nBcc: victim@example.org", "Hi", None),
        ("ulla@example.org", "Hi", "Ulla\r\nBcc: victim@example.org"),
        ("not an address, other@example.org", "Hi", None),
    ],
)
def test_header_injection_is_refused(app, to, subject, to_name):
    """CR/LF in a subject, name or address cannot add headers: the message is refused."""
    with pytest.raises(ValueError):
        queue_email(to, subject, "test_message", {"name": "x"}, to_name=to_name)
    db.session.rollback()
    assert outbox_count() == 0


def test_one_call_queues_mail_written_now_and_mail_written_at_delivery(app, count_queries):
    """queue_emails takes both: messages written now (their bodies on the row) and messages a
    recipe writes at delivery (its template and arguments on the row), in one statement when
    none has attachments."""
    emails = [Email(f"p{n}@example.org", f"Message {n}", "test_message", {"name": f"P{n}"})
              for n in range(3)]
    emails.append(Email("r@example.org", "Registered", "registration_confirmed",
                        {"registration": 7, "invitation": False}, recipe="registration"))
    with count_queries() as counter:
        assert queue_emails(emails) == 4
    assert counter.count == 1
    db.session.commit()
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert all(f"Hello P{n}," in rows[n].body_text for n in range(3))
    assert rows[3].body_text is None and rows[3].recipe == "registration"
    assert rows[3].recipe_args == {"template": "registration_confirmed", "registration": 7,
                                   "invitation": False}
    assert {row.status for row in rows} == {OutboxStatus.QUEUED}
    written_now_without_arguments = sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipe_args.is_(None))
    assert db.session.scalar(written_now_without_arguments) == 3  # SQL NULL, not JSON null
