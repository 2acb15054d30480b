"""After an SMTP outage: every waiting message can be sent at once, from the outbox page
(which asks first) or with `flask mail send --now`, instead of one by one or after the
backoff. With the real SMTP server of the tests."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail import queue_email
from webapp.mail.delivery import deliver_due
from webapp.models import OutboxMessage, OutboxStatus, Role, utcnow


def messages_left_waiting_by_an_outage(smtp_server, count: int = 3) -> list[int]:
    """Queue messages while the server is down and try them: they wait for a retry."""
    ids = [queue_email(f"w{n}@example.org", f"Waiting {n}", "test_message",
                       {"name": f"W{n}"}).id for n in range(count)]
    db.session.commit()
    smtp_server.stop()
    assert deliver_due().retrying == count
    smtp_server.start()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert all(r.status is OutboxStatus.QUEUED and r.next_attempt_at > utcnow() for r in rows)
    return ids


def statuses() -> set[OutboxStatus]:
    """The outbox's statuses as the database has them."""
    db.session.expire_all()
    return set(db.session.scalars(sa.select(OutboxMessage.status)))


def test_mail_send_now_delivers_what_waits_for_its_retry(app, runner, smtp_server):
    """`mail send` leaves the backed-off messages for later; `mail send --now` sends them."""
    messages_left_waiting_by_an_outage(smtp_server)
    assert "Sent 0" in runner.invoke(args=["mail", "send"]).output
    assert smtp_server.messages == []
    result = runner.invoke(args=["mail", "send", "--now"])
    assert result.exit_code == 0, result.output
    assert "3 waiting messages due now." in result.output and "Sent 3" in result.output
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "w0@example.org", "w1@example.org", "w2@example.org"]
    assert statuses() == {OutboxStatus.SENT}


def test_outbox_page_asks_then_sends_all_waiting(app, client, auth, make_user, smtp_server):
    """The outbox offers 'Send all waiting now'; it asks first, then sends them all."""
    messages_left_waiting_by_an_outage(smtp_server)
    app.config["MAIL_DELIVER_ON_COMMIT"] = True
    auth.login(make_user(Role.SECRETARIAT))
    outbox = client.get("/admin/mail/").get_data(as_text=True)
    assert "3 messages could not be sent" in outbox and "Send all waiting now" in outbox
    question = client.get("/admin/mail/send-waiting").get_data(as_text=True)
    assert "Send all 3 waiting messages now?" in question
    assert smtp_server.messages == [] and statuses() == {OutboxStatus.QUEUED}

    done = client.post("/admin/mail/send-waiting", follow_redirects=True)
    assert "Sending 3 waiting messages now" in done.get_data(as_text=True)
    assert app.extensions["mail.after_commit"].wait_until_idle(15)
    assert len(smtp_server.messages) == 3
    assert statuses() == {OutboxStatus.SENT}
    assert "No message is waiting" in client.get("/admin/mail/send-waiting").get_data(
        as_text=True)


def test_send_all_waiting_with_a_worker_says_the_worker_sends(app, client, auth, make_user,
                                                              smtp_server):
    """Where only the worker sends (MAIL_DELIVER_ON_COMMIT off), the messages are made due
    for its next run."""
    messages_left_waiting_by_an_outage(smtp_server, count=1)
    auth.login(make_user(Role.SECRETARIAT))
    page = client.post("/admin/mail/send-waiting", follow_redirects=True).get_data(as_text=True)
    assert "1 waiting message due now: the mail worker sends them" in page
    assert deliver_due().sent == 1 and len(smtp_server.messages) == 1
