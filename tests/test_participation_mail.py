"""A recorded warning, exclusion or readmission is mailed to the region's coordinators and
representatives (through the outbox, with the reason), once per address."""

import email
from datetime import date
from email import policy

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.mail.delivery import deliver_due
from webapp.models import MembershipKind, OutboxMessage, Representative, Role
from webapp.participation.services import record_decision


def parsed(data: bytes) -> email.message.EmailMessage:
    """A received message parsed back by the stdlib."""
    return email.message_from_bytes(data, policy=policy.default)


def appoint(region, person, appointed_on: date, until: date | None = None) -> None:
    """Make `person` a representative of `region` for a period."""
    db.session.add(Representative(region_id=region.id, person_id=person.id,
                                  appointed_on=appointed_on, until=until))
    db.session.flush()


@pytest.fixture
def drifting(make_region, make_user, make_person):
    """A region with every kind of would-be recipient, and another region's coordinator."""
    region = make_region("Drifting")
    make_user(Role.COORDINATOR, region=region, email="dora@example.org", full_name="Dora")
    make_user(Role.COORDINATOR, region=region, email="off@example.org", is_enabled=False)
    invited = make_user(Role.COORDINATOR, region=region, email="invited@example.org")
    invited.password_hash = None  # invited, never signed in: not an active account
    make_user(Role.COORDINATOR, region=make_region("Other"), email="other@example.org")
    make_user(Role.SECRETARIAT, email="sec@example.org")
    appoint(region, make_person("Dora as representative", email="DORA@example.org"),
            date(2010, 1, 1))
    appoint(region, make_person("Rita", email="rita@example.org"), date(2010, 1, 1))
    appoint(region, make_person("Former", email="former@example.org"), date(2005, 1, 1),
            until=date(2011, 12, 31))
    appoint(region, make_person("Later", email="later@example.org"), date(2013, 1, 1))
    appoint(region, make_person("No address", email=None), date(2010, 1, 1))
    db.session.commit()
    return region


def test_warning_is_mailed_once_per_address_with_the_reason(drifting, smtp_server):
    """Active coordinators and representatives in office on the date, each address once;
    the subject names the decision; the reason is in both bodies (escaped in HTML).

    Failed before: recording a decision queued no mail at all."""
    decision = record_decision(None, drifting, MembershipKind.WARNED, date(2012, 10, 1),
                               "Missed two forums <b>in a row</b>.", today=date(2012, 10, 2))
    db.session.commit()
    assert [r.email for r in decision.mailed] == ["dora@example.org", "rita@example.org"]

    assert deliver_due().sent == 2
    received = sorted(smtp_server.messages, key=lambda m: m.rcpt_tos)
    assert [m.rcpt_tos for m in received] == [["dora@example.org"], ["rita@example.org"]]
    message = parsed(received[0].data)
    assert message["Subject"] == "Warning of Drifting recorded (1 October 2012)"
    assert message["To"].addresses[0].display_name == "Dora"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Missed two forums <b>in a row</b>." in text
    assert "Drifting remains a member" in text and "as a coordinator" in text
    assert "Missed two forums &lt;b&gt;in a row&lt;/b&gt;." in html and "<b>in" not in html
    assert "as a representative" in parsed(received[1].data).get_body(("plain",)).get_content()


def test_exclusion_mail_headers_stay_one_line_whatever_the_name(
        make_region, make_user, smtp_server):
    """A region name with line breaks cannot add headers: the subject is one line; the reason
    with its line breaks stays in the body."""
    region = make_region("Evil\r\nBcc: victim@example.org")
    make_user(Role.COORDINATOR, region=region, email="c@example.org",
              full_name="Coord\nBcc: x@example.org")
    record_decision(None, region, MembershipKind.EXCLUDED, date(2012, 12, 1),
                    "Inactive.\r\nBcc: reason@example.org", today=date(2013, 1, 1))
    db.session.commit()
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.subject == "Exclusion of Evil Bcc: victim@example.org recorded (1 December 2012)"
    assert row.to_name == "Coord Bcc: x@example.org"

    deliver_due()
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["c@example.org"]
    message = parsed(received.data)
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Inactive." in text and "Bcc: reason@example.org" in text
    assert "is no longer a member from that day" in text


def test_readmission_mail_and_nothing_when_the_transaction_rolls_back(make_region, make_user):
    """The mail is in the decision's transaction: rolled back, no outbox row; committed, one."""
    region = make_region("Returning")
    make_user(Role.COORDINATOR, region=region, email="back@example.org")
    record_decision(None, region, MembershipKind.EXCLUDED, date(2012, 12, 1), "Inactive",
                    today=date(2013, 1, 1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    region = db.session.merge(region)
    record_decision(None, region, MembershipKind.EXCLUDED, date(2012, 12, 1), "Inactive",
                    today=date(2013, 1, 1))
    record_decision(None, region, MembershipKind.READMITTED, date(2014, 1, 1), "Came back",
                    today=date(2014, 1, 1))
    db.session.commit()
    subjects = db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id))
    assert list(subjects) == ["Exclusion of Returning recorded (1 December 2012)",
                              "Readmission of Returning recorded (1 January 2014)"]


def test_decision_page_says_who_was_emailed(drifting, make_user, auth, client):
    """The confirmation names the people mailed, so the secretariat knows who was told."""
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post(f"/participation/regions/{drifting.slug}", data={
        "kind": "warned", "on": "2012-10-01", "reason": "Please come."}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Emailed with the reason to Dora, Rita." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_decision_without_recipients_says_so(make_region, make_user, auth, client):
    """A region without a coordinator or representative: recorded, and nobody was emailed."""
    region = make_region("Lonely")
    auth.login(make_user(Role.SECRETARIAT))
    response = client.post(f"/participation/regions/{region.slug}", data={
        "kind": "warned", "on": "2012-10-01", "reason": "Please come."}, follow_redirects=True)
    assert "Nobody was emailed" in response.get_data(as_text=True)
