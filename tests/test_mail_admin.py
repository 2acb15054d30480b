"""The outbox page for the secretariat: list, filter, search, pages, detail, retry now."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa

from webapp.auth.access import require_secretariat_before_request
from webapp.extensions import db
from webapp.mail import Attachment, queue_email
from webapp.mail.delivery import deliver_due
from webapp.models import OutboxMessage, OutboxStatus, Role, utcnow


@pytest.fixture(autouse=True)
def signed_in_secretariat(make_user, auth):
    """Every request of these tests comes from the network secretariat."""
    assert auth.login(make_user(Role.SECRETARIAT)).status_code == 302


def make_message(to: str = "ulla@example.org", subject: str = "Welcome", *,
                 status: OutboxStatus = OutboxStatus.QUEUED, error: str | None = None,
                 attempts: int = 0, age_minutes: int = 0, **kwargs) -> OutboxMessage:
    """A queued message, then put in the given state (committed)."""
    row = queue_email(to, subject, "test_message", {"name": kwargs.pop("name", "Ulla")},
                      **kwargs)
    row.status, row.last_error, row.attempts = status, error, attempts
    row.created_at = utcnow() - timedelta(minutes=age_minutes)
    if status is OutboxStatus.SENT:
        row.sent_at = utcnow()
    db.session.commit()
    return row


def reload(message_id: int) -> OutboxMessage:
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_list_shows_every_state_newest_first_with_errors(client):
    """Queued, sent and failed messages, newest first, each with its status and last error."""
    make_message("old@example.org", "Old news", status=OutboxStatus.SENT, age_minutes=30)
    make_message("bad@example.org", "Bounced", status=OutboxStatus.FAILED, attempts=5,
                 error="SMTPRecipientsRefused: 550 No such user", age_minutes=20)
    make_message("new@example.org", "Fresh", age_minutes=1)

    html = client.get("/admin/mail/").get_data(as_text=True)

    assert html.index("Fresh") < html.index("Bounced") < html.index("Old news")
    assert "550 No such user" in html
    assert 'badge-bad">Failed' in html and 'badge-ok">Sent' in html
    assert 'badge-info">Queued' in html
    assert re.search(r"Failed <span class=\"count\">1</span>", html)
    assert re.search(r"All <span class=\"count\">3</span>", html)
    assert "1 message failed after every attempt" in html


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("?status=failed", ["Bounced"], ["Fresh", "Old news"]),
    ("?q=OLD%40example", ["Old news"], ["Fresh", "Bounced"]),
    ("?q=bounc", ["Bounced"], ["Fresh", "Old news"]),
    ("?status=sent&q=fresh", [], ["Fresh", "Old news", "Bounced"]),
    ("?status=nonsense&page=abc", ["Fresh", "Old news", "Bounced"], []),
])
def test_filter_by_status_and_search(client, query, shown, hidden):
    """Status and search narrow the list; odd parameters fall back instead of failing."""
    make_message("old@example.org", "Old news", status=OutboxStatus.SENT)
    make_message("bad@example.org", "Bounced", status=OutboxStatus.FAILED, error="x")
    make_message("new@example.org", "Fresh")
    response = client.get(f"/admin/mail/{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert all(text in html for text in shown)
    assert not any(f">{text}</a>" in html for text in hidden)
    if not shown:
        assert "No message matches." in html


def test_search_takes_wildcards_literally(client):
    """'%' in a search means a percent sign, not 'anything'."""
    make_message(subject="Fee 100% paid")
    make_message(subject="Fee reminder")
    html = client.get("/admin/mail/?q=100%25").get_data(as_text=True)
    assert "Fee 100% paid" in html and "Fee reminder" not in html


def test_pages_of_fifty(client):
    """120 messages: 50, 50, then 20; a page past the end shows the last one."""
    for n in range(120):
        queue_email(f"p{n}@example.org", f"Message {n:03d}", "test_message", {"name": "x"})
    db.session.commit()
    first = client.get("/admin/mail/").get_data(as_text=True)
    third = client.get("/admin/mail/?page=3").get_data(as_text=True)
    beyond = client.get("/admin/mail/?page=99").get_data(as_text=True)
    assert first.count('<tr class="mail-row">') == 50
    assert "page 1 of 3" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert "Message 119" in first and "Message 069" not in first
    assert third.count('<tr class="mail-row">') == 20
    assert "Message 019" in third and "Message 000" in third and 'rel="next"' not in third
    assert "page 3 of 3" in beyond


def test_list_runs_a_constant_number_of_queries(client, count_queries):
    """Five messages or fifty (with attachments), the page costs the same queries."""
    def page_queries() -> int:
        with count_queries() as counter:
            assert client.get("/admin/mail/").status_code == 200
        return counter.count

    for n in range(5):
        make_message(f"a{n}@example.org", attachments=[Attachment("a.ics", "text/calendar",
                                                                  b"x", inline=True)])
    few = page_queries()
    for n in range(45):
        make_message(f"b{n}@example.org", status=OutboxStatus.FAILED, error="boom",
                     attachments=[Attachment("b.pdf", "application/pdf", b"%PDF")])
    assert page_queries() == few <= 5


def test_hostile_text_is_escaped_everywhere(client):
    """Names, subjects, errors and bodies are shown as text; the HTML body only inside a
    sandboxed frame."""
    row = make_message(subject="<script>alert('s')</script>", to_name="<img src=x onerror=1>",
                       name="<script>alert('b')</script>", status=OutboxStatus.FAILED,
                       error="<script>alert('e')</script>")
    for url in ("/admin/mail/", f"/admin/mail/{row.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
    detail = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert re.search(r'<iframe class="mail-html" sandbox="" [^>]*srcdoc="&lt;!doctype html&gt;',
                     detail)


def test_detail_shows_the_message_and_offers_downloads(client):
    """Message-ID, bodies and attachments; the .eml download is the message as sent."""
    invite = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    row = make_message(attachments=[Attachment("invite.ics", "text/calendar; method=REQUEST",
                                               invite, inline=True),
                                    Attachment("page.html", "text/html", b"<script>x</script>")])
    html = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert row.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "Hello Ulla," in html and "invite.ics" in html and "page.html" in html

    eml = client.get(f"/admin/mail/{row.id}/message.eml")
    assert eml.mimetype == "message/rfc822"
    assert "attachment" in eml.headers["Content-Disposition"]
    message = email.message_from_bytes(eml.data, policy=policy.default)
    assert message["Message-ID"] == row.message_id

    attachment = row.attachments[1]
    download = client.get(f"/admin/mail/{row.id}/attachments/{attachment.id}")
    assert download.data == b"<script>x</script>"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_message_or_attachment_is_a_friendly_404(client):
    """Wrong ids answer 404 with the site's page, including another message's attachment."""
    first = make_message(attachments=[Attachment("a.txt", "text/plain", b"a")])
    other = make_message("b@example.org")
    assert client.get("/admin/mail/999").status_code == 404
    stolen = client.get(f"/admin/mail/{other.id}/attachments/{first.attachments[0].id}")
    assert stolen.status_code == 404
    assert "There is no message 999" in client.get("/admin/mail/999").get_data(as_text=True)


def test_sent_eml_file_is_named_on_the_detail_page(client, app):
    """Without an SMTP server the page says which file the message was written to."""
    row_id = make_message().id
    deliver_due()
    html = client.get(f"/admin/mail/{row_id}").get_data(as_text=True)
    assert app.config["MAIL_OUTBOX_DIR"] in html and ".eml</code>" in html
    assert "no MAIL_SERVER configured" in html


def test_retry_now_sends_a_failed_message_and_says_so(client, smtp_server):
    """'Retry now' on a failed message sends it at once and flashes the result."""
    row = make_message(status=OutboxStatus.FAILED, attempts=5, error="old error")
    response = client.post(f"/admin/mail/{row.id}/retry", follow_redirects=True)
    assert f"Sent message {row.id} to ulla@example.org." in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 1
    row = reload(row.id)
    assert row.status is OutboxStatus.SENT and row.attempts == 1


def test_retry_now_with_server_down_explains_the_failure(client, app):
    """When it fails again, the flash carries the error and the message waits for a retry."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    row = make_message(status=OutboxStatus.FAILED, attempts=5, error="old")
    html = client.post(f"/admin/mail/{row.id}/retry", follow_redirects=True).get_data(
        as_text=True)
    assert "could not be sent now; it will retry" in html and "ConnectionRefusedError" in html
    row = reload(row.id)
    assert row.status is OutboxStatus.QUEUED and row.attempts == 1


def test_sent_message_cannot_be_retried(client, smtp_server):
    """A sent message is never sent again from the page."""
    row = make_message(status=OutboxStatus.SENT)
    html = client.post(f"/admin/mail/{row.id}/retry", follow_redirects=True).get_data(
        as_text=True)
    assert "can be retried; this one is sent." in html
    assert smtp_server.messages == []


def test_retry_all_failed_requeues_and_delivers_after_commit(client, app, smtp_server):
    """After an outage: every failed message gets fresh attempts and is sent after commit."""
    app.config["MAIL_DELIVER_ON_COMMIT"] = True
    ids = [make_message(f"f{n}@example.org", status=OutboxStatus.FAILED, attempts=5,
                        error="down").id for n in range(2)]
    html = client.post("/admin/mail/retry-failed", follow_redirects=True).get_data(as_text=True)
    assert "2 failed message(s) queued again" in html
    assert app.extensions["mail.after_commit"].wait_until_idle(15)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["f0@example.org",
                                                                   "f1@example.org"]
    assert {reload(i).status for i in ids} == {OutboxStatus.SENT}


def test_retry_returns_only_to_outbox_pages(client, smtp_server):
    """The 'next' field cannot send the browser to another site."""
    row = make_message()
    for target in ("https://evil.example/", "//evil.example/", "/regions/"):
        response = client.post(f"/admin/mail/{row.id}/retry", data={"next": target})
        assert response.headers["Location"] == f"/admin/mail/{row.id}"
        db.session.execute(sa.update(OutboxMessage).values(status=OutboxStatus.QUEUED))
        db.session.commit()
    response = client.post(f"/admin/mail/{row.id}/retry", data={"next": "/admin/mail/?page=2"})
    assert response.headers["Location"] == "/admin/mail/?page=2"


def test_retry_requires_the_csrf_token(client, app, smtp_server):
    """With CSRF protection on (as in production) a forged post is refused; the page's own
    form works."""
    app.config["WTF_CSRF_ENABLED"] = True
    row = make_message(status=OutboxStatus.FAILED, attempts=5, error="x")
    assert client.post(f"/admin/mail/{row.id}/retry").status_code == 400
    assert smtp_server.messages == []
    page = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/mail/{row.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302 and len(smtp_server.messages) == 1


def test_every_outbox_route_passes_the_secretariat_check(app):
    """The access hook the lead will wire is in place for the whole blueprint."""
    assert require_secretariat_before_request in app.before_request_funcs["mail_admin"]


def test_message_left_sending_by_a_dead_worker_can_be_retried(client, smtp_server):
    """A claim older than the lease offers 'Retry now'; a fresh claim does not (its worker is
    still at it, and a retry could send it twice)."""
    stuck = make_message("stuck@example.org", status=OutboxStatus.SENDING, attempts=1)
    busy = make_message("busy@example.org", status=OutboxStatus.SENDING, attempts=1)
    stuck.claimed_at, busy.claimed_at = utcnow() - timedelta(hours=2), utcnow()
    db.session.commit()
    assert "Retry now" in client.get(f"/admin/mail/{stuck.id}").get_data(as_text=True)
    assert "Retry now" not in client.get(f"/admin/mail/{busy.id}").get_data(as_text=True)

    client.post(f"/admin/mail/{busy.id}/retry")
    client.post(f"/admin/mail/{stuck.id}/retry")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["stuck@example.org"]]
    assert reload(stuck.id).status is OutboxStatus.SENT
    assert reload(busy.id).status is OutboxStatus.SENDING


def test_unbuildable_message_download_explains_instead_of_failing(client):
    """A row with a line break in its subject (written behind queue_email's back) cannot be
    downloaded as .eml: the page says why, no 500."""
    row = OutboxMessage(message_id="<bad@localhost>", to_address="ulla@example.org",
                        subject="Hi\r\nBcc: victim@example.org", body_text="Hello")
    db.session.add(row)
    db.session.commit()
    response = client.get(f"/admin/mail/{row.id}/message.eml", follow_redirects=True)
    assert response.status_code == 200
    assert "This message cannot be built: subject must be a single line" in response.get_data(
        as_text=True)
