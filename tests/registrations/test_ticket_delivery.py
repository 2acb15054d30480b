"""Tickets reach their holders: the QR inline in the confirmation and promotion emails (over
real SMTP, read back with zxing-cpp), on the registration page and the printable ticket;
waitlisted people get none until promoted, cancelled ones see it is no longer valid."""

from __future__ import annotations

import email
import io
import re
from email import policy

import zxingcpp
from PIL import Image

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.registrations.services import cancel_registration, register_person
from webapp.registrations.tokens import make_registration_token
from webapp.tickets import ticket_code


def received_for(smtp_server, address: str) -> list[email.message.EmailMessage]:
    """The messages the SMTP server got for an address, parsed."""
    return [email.message_from_bytes(m.data, policy=policy.default)
            for m in smtp_server.messages if address in m.rcpt_tos]


def decoded_qr(png: bytes) -> str:
    """The text of the one QR code in a PNG."""
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return barcode.text


def inline_ticket(message: email.message.EmailMessage) -> tuple[bytes, str]:
    """The ticket image and its Content-ID, checking it sits in the HTML's multipart/related
    and that the HTML shows it by that Content-ID."""
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in html.get_content()
    return image.get_payload(decode=True), content_id


def test_the_confirmation_carries_the_ticket_inline(make_forum, smtp_server):
    """Delivered over SMTP: text, HTML with the QR beside it (multipart/related), the
    invitation; the QR decodes to the registration's code, which the text part spells."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    db.session.commit()
    assert deliver_due().sent == 1
    [message] = received_for(smtp_server, "p1@example.org")
    png, content_id = inline_ticket(message)
    code = ticket_code(registration.ticket_ref)
    assert decoded_qr(png) == code
    assert content_id.startswith("ticket-") and "@localhost" in content_id
    text = message.get_body(("plain",)).get_content()
    assert code in text and "/ticket" in text
    assert any(p.get_content_type() == "text/calendar" for p in message.walk())


def test_a_waitlisted_person_gets_the_ticket_with_the_seat(make_forum, smtp_server):
    """The waitlist email has no ticket; the promotion email carries it."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest")
    second = register_person(forum, person(2), "guest")
    db.session.commit()
    deliver_due()
    [waitlisted] = received_for(smtp_server, "p2@example.org")
    assert not any(p.get_content_type() == "image/png" for p in waitlisted.walk())
    assert "DOC1." not in waitlisted.get_body(("plain",)).get_content()
    cancel_registration(first, None, "Cannot come")
    db.session.commit()
    deliver_due()
    promoted = received_for(smtp_server, "p2@example.org")[-1]
    assert "A seat is yours" in promoted["Subject"]
    png, _ = inline_ticket(promoted)
    assert decoded_qr(png) == ticket_code(second.ticket_ref)


def test_a_confirmation_written_after_a_cancellation_has_no_ticket(make_forum, smtp_server):
    """Cancelled before delivery wrote the confirmation: neither email carries a ticket."""
    forum = make_forum()
    registration = register_person(forum, person(1), "guest")
    cancel_registration(registration, None, "Cannot come")
    db.session.commit()
    assert deliver_due().sent == 2
    for message in received_for(smtp_server, "p1@example.org"):
        assert not any(p.get_content_type() == "image/png" for p in message.walk())
        assert "DOC1." not in message.get_body(("plain",)).get_content()


def test_the_registration_page_shows_the_qr_and_the_printable_ticket(make_forum, client):
    """Confirmed: an inline SVG QR and a link to the printable ticket (name, forum, dates,
    place, audience, QR, Print); the person's name is escaped."""
    forum = make_forum(title="CWF 2030", venue="Musikhuset")
    registration = register_person(forum, person(1, full_name="Ann <i>Lee</i>"), "guest")
    db.session.commit()
    token = make_registration_token(registration)
    page = client.get(f"/registration/{token}").get_data(as_text=True)
    assert "Your ticket" in page and "<svg" in page and f"/registration/{token}/ticket" in page
    ticket = client.get(f"/registration/{token}/ticket")
    html = ticket.get_data(as_text=True)
    assert ticket.status_code == 200 and "<svg" in html and "js-print" in html
    assert "Ann &lt;i&gt;Lee&lt;/i&gt;" in html and "<i>Lee" not in html
    assert "CWF 2030" in html and "Aarhus, Denmark, Musikhuset" in html and "Guest" in html
    assert re.search(r"7.9 May 2030", html)


def test_a_cancelled_or_waitlisted_registration_shows_no_qr(make_forum, client):
    """Cancelled: 'no longer valid', no QR; waitlisted: the ticket comes with the seat."""
    forum = make_forum({"guest": 1})
    first = register_person(forum, person(1), "guest")
    second = register_person(forum, person(2), "guest")
    db.session.commit()
    token = make_registration_token(second)
    page = client.get(f"/registration/{token}").get_data(as_text=True)
    assert "your ticket comes with your seat" in page and "<svg" not in page
    cancel_registration(first, None, "Cannot come")
    db.session.commit()
    token = make_registration_token(first)
    for url in (f"/registration/{token}", f"/registration/{token}/ticket"):
        html = client.get(url).get_data(as_text=True)
        assert "its ticket is no longer valid" in html and "<svg" not in html, url
