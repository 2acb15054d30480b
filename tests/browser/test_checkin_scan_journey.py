"""Check-in by ticket in Chromium: (a) the QR of a guest's emailed ticket, decoded, checks
them in from the check-in page, then is refused as already used; a cancelled ticket is
refused; (b) the scanner itself reads the QR from a (fake) camera and checks the person in."""

from __future__ import annotations

import email
import io
from email import policy
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, screenshot
from tests.browser.test_phone_pages import sign_in
from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import DoorStaff, EventCapacity, Role, utcnow
from webapp.registrations.services import PersonData, cancel_registration, register_person
from webapp.tickets import qr_png, ticket_code


@pytest.fixture
def forum(make_event):
    """An open forum with guests; Dora keeps its door."""
    from datetime import UTC, datetime, timedelta

    event = make_event("Creativity World Forum 2030", starts_at=datetime(2030, 5, 7, 7, tzinfo=UTC),
                       hours=56, registration_opens_at=utcnow() - timedelta(days=1))
    event.capacities.append(EventCapacity(audience="guest", label="Guests", capacity=10))
    db.session.commit()
    return event


@pytest.fixture
def dora(forum, make_user):
    """Door staff of the forum."""
    user = make_user(Role.DOOR_STAFF, full_name="Dora Door")
    db.session.add(DoorStaff(event_id=forum.id, user_id=user.id))
    db.session.commit()
    return user


def qr_from_email(smtp_server, address: str) -> str:
    """The code in the ticket image of the last email to `address`, as a phone reads it."""
    [raw] = [m for m in smtp_server.messages if address in m.rcpt_tos][-1:]
    message = email.message_from_bytes(raw.data, policy=policy.default)
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_payload(decode=True))))
    return barcode.text


def type_code(page, code: str) -> None:
    """Type a ticket's code into the check-in page and send it."""
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in by code").click()


def test_an_emailed_ticket_checks_in_once(forum, dora, live_server, page, smtp_server):
    """Emailed QR → decoded → checked in; the same code → already, at HH:MM by Dora; a
    cancelled registration's code → refused."""
    register_person(forum, PersonData("Ann Lee", "ann@example.org", "Aarhus Lab"), "guest")
    gone = register_person(forum, PersonData("Bo Gone", "bo@example.org"), "guest")
    db.session.commit()
    deliver_due()
    code = qr_from_email(smtp_server, "ann@example.org")
    gone_code = qr_from_email(smtp_server, "bo@example.org")
    cancel_registration(gone, None, "Cannot come")
    db.session.commit()

    sign_in(page, live_server, dora)
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name="Check-in")).to_be_visible()
    result = page.locator(".scan-result")
    type_code(page, code)
    expect(result).to_contain_text("Ann Lee is checked in.")
    expect(result).to_contain_text("Guests")
    expect(result).to_have_class("scan-result is-ok scan-flash-ok")
    expect(page.locator("#counts-audiences")).to_contain_text("1 / 1")
    screenshot(page, "checkin-scan-checked-in")
    type_code(page, code)
    expect(result).to_contain_text("Ann Lee is already checked in at ")
    expect(result).to_contain_text("by Dora Door.")
    expect(result).to_have_attribute("data-outcome", "already_checked_in")
    screenshot(page, "checkin-scan-already")
    type_code(page, gone_code)
    expect(result).to_contain_text("Refused: Bo Gone's registration is cancelled")
    screenshot(page, "checkin-scan-cancelled")


def write_y4m(path: Path, png: bytes, frames: int = 20, size: tuple[int, int] = (640, 480)
              ) -> None:
    """A Y4M video (text header, then raw I420 frames) of the QR on white, for Chromium's
    fake camera: the luma plane is the picture, both chroma planes neutral grey."""
    width, height = size
    qr = Image.open(io.BytesIO(png)).convert("L")
    side = min(width, height) - 80
    qr = qr.resize((side, side), Image.NEAREST)
    picture = Image.new("L", size, 255)
    picture.paste(qr, ((width - side) // 2, (height - side) // 2))
    luma = picture.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_browser(browser, tmp_path):
    """A Chromium of its own (from the session's Playwright) whose camera films a file: the
    test writes the file, then launches it."""
    video = tmp_path / "ticket.y4m"

    def launch():
        return browser.browser_type.launch(executable_path=CHROMIUM, args=[
            *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"])

    return video, launch


def test_the_scanner_reads_a_ticket_from_the_camera(forum, dora, live_server, camera_browser):
    """The camera films a ticket's QR: jsQR reads it, the page checks the person in."""
    video, launch = camera_browser
    ann = register_person(forum, PersonData("Ann Lee", "ann@example.org"), "guest")
    db.session.commit()
    write_y4m(video, qr_png(ticket_code(ann.ticket_ref)))
    browser = launch()
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      permissions=["camera"])
        page = context.new_page()
        sign_in(page, live_server, dora)
        page.goto(f"{live_server}/events/{forum.id}/checkin")
        page.get_by_role("button", name="Scan with the camera").click()
        result = page.locator(".scan-result")
        expect(result).to_contain_text("Ann Lee is checked in.", timeout=30_000)
        expect(page.locator(".scan-video-wrap")).to_be_visible()
        screenshot(page, "checkin-scan-camera")
        page.get_by_role("button", name="Stop the camera").click()
        expect(page.locator(".scan-video-wrap")).to_be_hidden()
    finally:
        browser.close()
    db.session.expire_all()
    assert db.session.get(type(ann), ann.id).checked_in_at is not None


def test_a_photo_of_a_ticket_is_read_too(forum, dora, live_server, page, tmp_path):
    """'Scan a photo of a ticket': the file goes through jsQR in the page, as a frame does."""
    ann = register_person(forum, PersonData("Ann Lee", "ann@example.org"), "guest")
    db.session.commit()
    photo = tmp_path / "ticket.png"
    photo.write_bytes(qr_png(ticket_code(ann.ticket_ref)))
    sign_in(page, live_server, dora)
    page.goto(f"{live_server}/events/{forum.id}/checkin")
    page.locator("input.scan-file").set_input_files(str(photo))
    expect(page.locator(".scan-result")).to_contain_text("Ann Lee is checked in.")


def test_the_printable_ticket(forum, live_server, page):
    """The printable ticket: name, forum, dates, place, audience, QR and a Print button."""
    from webapp.registrations.tokens import make_registration_token

    ann = register_person(forum, PersonData("Ann Lee", "ann@example.org", "Aarhus Lab"),
                          "guest")
    db.session.commit()
    page.goto(f"{live_server}/registration/{make_registration_token(ann)}/ticket")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    ticket = page.locator("article.ticket")
    expect(ticket).to_contain_text("Ann Lee")
    expect(ticket).to_contain_text("Guest")
    expect(ticket.locator("svg")).to_be_visible()
    screenshot(page, "checkin-scan-printable-ticket")
