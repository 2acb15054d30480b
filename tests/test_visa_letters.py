"""Visa invitation letters: passport details on the registration page (checked, input
kept), the forum's letterhead, issuing (secretariat or host coordinator, audited), the PDF's
text, the person's own download, and the public verify page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.pdf_check import page_sizes_mm, pdf_texts, qr_codes, render, save_screenshot, shows
from webapp.extensions import db
from webapp.models import (
    AuditEntry,
    EventCapacity,
    PassportDetails,
    Registration,
    Role,
    VisaLetter,
)
from webapp.registrations.tokens import make_registration_token

LETTERHEAD = ("Region Midtjylland\nSkottenborg 26\n8800 Viborg, Denmark\n\n"
              "Anders Kühnau\nChair of the Regional Council")
PASSPORT = {"full_name": "محمد الأحمد", "nationality": "Jordanian", "passport_number": "n 123 4567",
            "birth_date": "1985-04-12", "expiry_date": "2034-01-31"}


@pytest.fixture
def forum(make_event, make_region):
    """A forum in May 2032 (after any --clock day), hosted by a member region, with its
    letterhead."""
    host = make_region("Midtjylland")
    event = make_event("Creativity World Forum 2032", place="Aarhus, Denmark", hours=56,
                       starts_at=datetime(2032, 5, 7, 7, tzinfo=UTC),
                       venue="Musikhuset", host_region_id=host.id, letterhead_text=LETTERHEAD)
    event.capacities.append(EventCapacity(audience="international",
                                          label="International participants", capacity=50))
    db.session.commit()
    return event


@pytest.fixture
def registration(forum, make_person):
    """A confirmed registration of the forum."""
    person = make_person("Mohammad Al-Ahmad", organisation="Amman Design")
    registration = Registration(event_id=forum.id, audience="international", person=person)
    db.session.add(registration)
    db.session.commit()
    return registration


def _token(app, registration) -> str:
    """The registration page's token."""
    with app.test_request_context():
        return make_registration_token(registration)


def _issue(client, registration) -> VisaLetter:
    """Issue through the list's button; the new letter."""
    response = client.post(f"/registrations/{registration.id}/visa-letter")
    assert response.status_code == 302
    return db.session.scalars(sa.select(VisaLetter).order_by(VisaLetter.id.desc())).first()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("passport_number", "12", "5 to 20 letters and digits"),
    ("passport_number", "", "Give your passport number."),
    ("full_name", "", "exactly as it is printed"),
    ("birth_date", "2199-01-01", "must be in the past"),
    ("birth_date", "1985-02-30", "not a real date"),
    ("expiry_date", "2032-05-08", "before the forum ends (2032-05-09)"),
    ("expiry_date", "2001-01-01", "has expired"),
])
def test_passport_details_are_checked_and_kept(app, client, registration, field, value, message):
    """A wrong field says what is wrong, on the registration page, with what was typed."""
    token = _token(app, registration)
    response = client.post(f"/registration/{token}/passport", data={**PASSPORT, field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Jordanian"' in page and "Your registration" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PassportDetails)) == 0


def test_passport_details_saved_and_audited_without_the_number(app, client, registration):
    """Saved (the number in capitals, no spaces), audited in words, shown again."""
    token = _token(app, registration)
    response = client.post(f"/registration/{token}/passport", data=PASSPORT)
    assert response.status_code == 302
    details = db.session.scalars(sa.select(PassportDetails)).one()
    assert details.passport_number == "N1234567" and details.full_name == "محمد الأحمد"
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="visa.passport_details")).one()
    assert "gave passport details" in entry.summary and "N1234567" not in entry.summary
    page = client.get(f"/registration/{token}").get_data(as_text=True)
    assert 'value="N1234567"' in page and "with the organisers" in page


def test_issue_list_download_verify(app, client, auth, make_user, registration, forum):
    """The secretariat issues; the list names who, when, by whom and the reference; the PDF
    says it all; the person downloads it; the verify page names the holder only."""
    token = _token(app, registration)
    client.post(f"/registration/{token}/passport", data=PASSPORT)
    secretariat = make_user(Role.SECRETARIAT)
    auth.login(secretariat)
    letter = _issue(client, registration)
    assert re.fullmatch(r"VL-2032-[0-9A-F]{8}", letter.reference)
    listing = client.get(f"/events/{forum.id}/visa-letters").get_data(as_text=True)
    assert letter.reference in listing and secretariat.email in listing
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="visa.letter_issued")).one()
    assert letter.reference in entry.summary and entry.actor_id == secretariat.id

    body = client.get(f"/visa-letters/{letter.id}.pdf").data
    assert page_sizes_mm(body)[0] == (210.0, 297.0)
    text = " ".join(pdf_texts(body))
    assert shows(text, "محمد الأحمد") and "N1234567" in text and "Jordanian" in text
    for words in ("Region Midtjylland", "8800 Viborg, Denmark", "Anders Kühnau",
                  "Chair of the Regional Council", "Creativity World Forum 2032",
                  "7–9 May 2032", "Aarhus, Denmark", "12 April 1985", "31 January 2034",
                  "Amman Design", letter.reference, "Verification reference"):
        assert words in text, words
    image = render(body, scale=2)
    save_screenshot(image, "visa-letter.png")
    [verify_link] = qr_codes(image)
    assert verify_link.startswith("http://localhost/visa-letters/verify?code=VL-2032-")

    own = client.get(f"/registration/{token}/visa-letter.pdf")
    assert own.status_code == 200 and letter.reference in " ".join(pdf_texts(own.data))
    verdict = client.get(verify_link.removeprefix("http://localhost")).get_data(as_text=True)
    assert "Genuine" in verdict and "محمد الأحمد" in verdict and "N1234567" not in verdict
    assert "Region Midtjylland" in verdict


def test_a_forged_or_altered_reference_is_not_genuine(client):
    """A reference without our signature, or with another's, is refused."""
    for attempt in ("VL-2032-DEADBEEF.c2lnbmF0dXJl", "nonsense", "VL-2032-DEADBEEF"):
        page = client.get("/visa-letters/verify", query_string={"code": attempt})
        assert page.status_code == 200 and "Not genuine" in page.get_data(as_text=True)


def test_refusals_say_why(app, client, auth, make_user, make_region, registration, forum):
    """No details yet, no letterhead: a flash says so; another region's coordinator may not
    issue; the host region's may."""
    auth.login(make_user(Role.SECRETARIAT))
    answer = client.post(f"/registrations/{registration.id}/visa-letter", follow_redirects=True)
    assert "has not given passport details" in answer.get_data(as_text=True)
    client.post(f"/registration/{_token(app, registration)}/passport", data=PASSPORT)
    forum.letterhead_text = None
    db.session.commit()
    answer = client.post(f"/registrations/{registration.id}/visa-letter", follow_redirects=True)
    assert "has no letterhead yet" in answer.get_data(as_text=True)
    forum.letterhead_text = LETTERHEAD
    db.session.commit()
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, region=make_region("Elsewhere")))
    assert client.post(f"/registrations/{registration.id}/visa-letter").status_code == 403
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, region=forum.host_region))
    assert _issue(client, registration) is not None


def test_a_letter_stays_as_issued(app, client, auth, make_user, registration, forum):
    """Details changed after issuing: the old letter downloads unchanged, the list offers a
    new one."""
    token = _token(app, registration)
    client.post(f"/registration/{token}/passport", data=PASSPORT)
    auth.login(make_user(Role.SECRETARIAT))
    letter = _issue(client, registration)
    client.post(f"/registration/{token}/passport", data={**PASSPORT, "nationality": "Danish"})
    text = " ".join(pdf_texts(client.get(f"/visa-letters/{letter.id}.pdf").data))
    assert "Jordanian" in text and "Danish" not in text
    assert "Issue a new letter" in client.get(
        f"/events/{forum.id}/visa-letters").get_data(as_text=True)


def test_hostile_text_in_a_letter_is_literal(app, client, auth, make_user, registration, forum):
    """Markup, PDF syntax, backslashes and an RTL override in the letterhead and the name
    print as typed; a Chinese name too."""
    forum.letterhead_text = "<script>x</script> (Org) \\ %PDF-1.4\n\u202eevil street 1"
    db.session.commit()
    client.post(f"/registration/{_token(app, registration)}/passport",
                data={**PASSPORT, "full_name": "王小明 <b>(\\)</b>"})
    auth.login(make_user(Role.SECRETARIAT))
    letter = _issue(client, registration)
    text = " ".join(pdf_texts(client.get(f"/visa-letters/{letter.id}.pdf").data))
    assert "<script>x</script> (Org) \\ %PDF-1.4" in text and "evil street 1" in text
    assert "王小明 <b>(\\)</b>" in text


def test_the_forum_form_keeps_the_letterhead(client, auth, make_user, forum):
    """The set-up form shows the forum's letterhead, with its hint."""
    auth.login(make_user(Role.SECRETARIAT))
    page = client.get(f"/events/{forum.id}/setup").get_data(as_text=True)
    assert "Letterhead for visa invitation letters" in page and "Skottenborg 26" in page
