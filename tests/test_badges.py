"""Name badges as PDF: who gets one, what it shows (in every script), page sizes, the QR
that the door scanner reads, hostile text, missing fonts, and a fixed number of queries."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.pdf_check import (
    page_sizes_mm,
    pdf_texts,
    qr_codes,
    render,
    save_screenshot,
    shows,
)
from webapp.extensions import db
from webapp.models import (
    Delegation,
    EventCapacity,
    Registration,
    RegistrationStatus,
    Role,
    utcnow,
)
from webapp.tickets import read_ticket_code

NAMES = ["Jane Doe", "王小明", "ಕನ್ನಡ ಹೆಸರು", "محمد الأحمد"]
HOSTILE = "<script>alert(1)</script> %PDF-1.4 (a) \\ ) \u202eevil"


@pytest.fixture
def forum(make_event):
    """A forum in 2030 with international participants and guests."""
    event = make_event("Creativity World Forum 2030", place="Aarhus, Denmark", hours=56)
    event.capacities += [
        EventCapacity(audience="international", label="International participants",
                      capacity=3000),
        EventCapacity(audience="guest", label="Guests", capacity=10000)]
    db.session.commit()
    return event


@pytest.fixture
def register(forum, make_person):
    """Factory: a registration at the forum (confirmed, international, no delegation)."""

    def make(name: str, *, audience="international", status=RegistrationStatus.CONFIRMED,
             delegation=None, organisation="Aarhus Universitet", **fields):
        registration = Registration(
            event_id=forum.id, person=make_person(name, organisation=organisation),
            audience=audience, status=status, delegation=delegation,
            cancelled_at=utcnow() if status is RegistrationStatus.CANCELLED else None,
            cancel_reason="No" if status is RegistrationStatus.CANCELLED else None, **fields)
        db.session.add(registration)
        db.session.commit()
        return registration

    return make


@pytest.fixture
def secretariat(make_user, auth):
    """Signed in as the secretariat."""
    user = make_user(Role.SECRETARIAT)
    auth.login(user)
    return user


def _pdf(client, url: str) -> bytes:
    """GET a PDF that must be one."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    return response.data


def test_forum_badges_show_every_script_one_a6_page_each(client, forum, register, secretariat):
    """Confirmed registrations only, one A6 page each, names in Latin, Chinese, Kannada and
    Arabic found in the PDF's text; the page image is kept."""
    for name in NAMES:
        register(name)
    register("Waiting Person", status=RegistrationStatus.WAITLISTED)
    register("Gone Person", status=RegistrationStatus.CANCELLED)
    body = _pdf(client, f"/events/{forum.id}/badges.pdf")
    assert page_sizes_mm(body) == [(105.0, 148.0)] * 4
    texts = pdf_texts(body)
    for name in NAMES:
        assert sum(shows(text, name) for text in texts) == 1, name
    joined = " ".join(texts)
    assert "Waiting Person" not in joined and "Gone Person" not in joined
    assert "Aarhus Universitet" in joined and "International participant" in joined
    assert "Creativity World Forum 2030" in joined
    save_screenshot(render(body, page=NAMES.index("محمد الأحمد")), "badge-a6.png")


def test_the_badge_qr_decodes_to_the_ticket(app, client, forum, register, secretariat):
    """The QR on the rendered badge reads back as the registration's ticket code."""
    registration = register("王小明")
    body = _pdf(client, f"/registrations/{registration.id}/badge.pdf")
    codes = qr_codes(render(body))
    assert len(codes) == 1
    assert read_ticket_code(codes[0]) == registration.ticket_ref


def test_a4_sheets_hold_four_with_cut_marks(client, forum, register, secretariat):
    """Five badges on two A4 sheets; every QR on a sheet decodes."""
    refs = {register(f"Person {n}").ticket_ref for n in range(5)}
    body = _pdf(client, f"/events/{forum.id}/badges.pdf?layout=a4")
    assert page_sizes_mm(body) == [(210.0, 297.0)] * 2
    sheets = [render(body, page, scale=2.5) for page in (0, 1)]
    save_screenshot(sheets[0], "badges-a4.png")
    codes = [qr_codes(sheet) for sheet in sheets]
    assert [len(found) for found in codes] == [4, 1]
    assert {read_ticket_code(code) for found in codes for code in found} == refs


def test_audience_filter_and_unknown_audience(client, forum, register, secretariat):
    """?audience= prints that audience only (labelled as one of them); an audience the forum
    does not have is a 404 that says so."""
    register("Ina International")
    register("Gus Guest", audience="guest")
    texts = pdf_texts(_pdf(client, f"/events/{forum.id}/badges.pdf?audience=guest"))
    assert len(texts) == 1 and "Gus Guest" in texts[0] and "Guest" in texts[0]
    response = client.get(f"/events/{forum.id}/badges.pdf?audience=press")
    assert response.status_code == 404 and "no audience" in response.get_data(as_text=True)


def test_nobody_to_print_says_so(client, forum, secretariat):
    """No confirmed registration: back to the list with a word, not an empty PDF."""
    response = client.get(f"/events/{forum.id}/badges.pdf", follow_redirects=True)
    assert "Nobody to print" in response.get_data(as_text=True)


def test_delegation_badges_for_its_coordinator(client, auth, forum, register, make_region,
                                               make_user):
    """A coordinator prints their own delegation (its region on each badge) and each of its
    delegates; not someone outside it, nor a waitlisted delegate."""
    region = make_region("Flanders")
    delegation = Delegation(event_id=forum.id, region_id=region.id)
    db.session.add(delegation)
    one = register("Jan Peeters", delegation=delegation)
    waiting = register("Els Peeters", delegation=delegation,
                       status=RegistrationStatus.WAITLISTED)
    outsider = register("Someone Else")
    auth.login(make_user(Role.COORDINATOR, region=region))
    texts = pdf_texts(_pdf(client, f"/events/{forum.id}/delegations/{region.slug}/badges.pdf"))
    assert len(texts) == 1 and "Jan Peeters" in texts[0] and "Flanders" in texts[0]
    assert len(pdf_texts(_pdf(client, f"/registrations/{one.id}/badge.pdf?layout=a4"))) == 1
    waiting_answer = client.get(f"/registrations/{waiting.id}/badge.pdf")
    assert waiting_answer.status_code == 404
    assert "confirmed registrations only" in waiting_answer.get_data(as_text=True)
    assert client.get(f"/registrations/{outsider.id}/badge.pdf").status_code == 403
    page = client.get(f"/events/{forum.id}/delegations/{region.slug}").get_data(as_text=True)
    assert "Badges (A6)" in page and "Badges (A4 sheet)" in page


def test_hostile_text_is_printed_literally(client, forum, register, secretariat):
    """Markup, PDF syntax, parentheses, backslashes and a right-to-left override come out as
    typed (the override dropped, so nothing reads backwards); a 200-character name without
    spaces still makes one valid page."""
    register(HOSTILE, organisation="%PDF-1.7 endobj (\\) trailer <<>>")
    register("W" * 200, organisation="O" * 200)
    body = _pdf(client, f"/events/{forum.id}/badges.pdf")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 2
    joined = " ".join(pdf_texts(body))
    assert "<script>alert(1)</script>" in joined
    assert "%PDF-1.4 (a) \\ ) evil" in joined and "live" not in joined
    assert "%PDF-1.7 endobj (\\) trailer <<>>" in joined
    assert "W" * 200 not in joined and "WWW..." in joined  # cut with "…" (NFKC: "...")
    render(body, page=1)  # pdfium draws it


def test_each_font_is_embedded_once_however_many_badges(client, forum, register,
                                                        secretariat, count_queries):
    """40 badges embed the same fonts as 4 (subset once per document), in as many queries."""
    for n in range(4):
        register(NAMES[n])

    def fonts_and_queries():
        with count_queries() as counter:
            body = _pdf(client, f"/events/{forum.id}/badges.pdf?layout=a4")
        return len(re.findall(rb"/FontFile[23]?\b", body)), counter.count

    few = fonts_and_queries()
    for n in range(36):
        register(f"{NAMES[n % 4]} {n}")
    assert fonts_and_queries() == few


def test_missing_fonts_give_a_clear_page_not_a_trace(app, client, forum, register,
                                                     secretariat, tmp_path):
    """Fonts not where PDF_FONT_DIRS says: 503 naming the files and the Debian packages."""
    register("Jane Doe")
    app.config["PDF_FONT_DIRS"] = str(tmp_path)
    response = client.get(f"/events/{forum.id}/badges.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "NotoSans-Regular.ttf" in page and "fonts-noto-core" in page


def test_attendee_list_links_follow_the_audience_filter(client, forum, register, secretariat):
    """The list offers both layouts, for the audience it shows, and a badge per person."""
    registration = register("Jane Doe")
    page = client.get(f"/events/{forum.id}/attendees?audience=guest").get_data(as_text=True)
    assert f"/events/{forum.id}/badges.pdf?layout=a6&amp;audience=guest" in page
    assert "Badges (A4 sheet)" in page
    page = client.get(f"/events/{forum.id}/attendees").get_data(as_text=True)
    assert f"/registrations/{registration.id}/badge.pdf" in page
