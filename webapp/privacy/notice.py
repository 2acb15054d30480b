"""The privacy notice: the secretariat's text, kept as versions, with a default that says
what is stored, why, who sees it and how long."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp.auth.services import record_audit
from webapp.extensions import db
from webapp.models import PrivacyNotice, User

DEFAULT_PUBLIC_MONTHS = 24
DEFAULT_NETWORK_MONTHS = 60

# The default notice, section by section (heading, text): each in the page's language.
DEFAULT_SECTIONS = [
    (_l("Who we are"),
     _l("The secretariat of the Districts of Creativity network runs this site and is "
        "responsible for the personal data it holds.")),
    (_l("What we store"),
     _l("When you register for an event: your name, email address, organisation and job "
        "title, the audience you register as, the time of your registration, whether you "
        "were checked in at the door, and the optional consents you give. When your "
        "region sends you as a delegate or representative, or invites you to a reverse "
        "mission: what your region entered about you, your answer, your stay and any note"
        " you give us (dietary or access needs). We keep a copy of every email we send "
        "you and a log of changes made to your registration.")),
    (_l("Why"),
     _l("To hold your seat, send you your confirmation, calendar invitations and updates,"
        " let you in at the door, plan missions, and review each region's participation "
        "in the network (which counts delegates, not names). Optional consents (for "
        "example showing your name on a participants list) are used only while you give "
        "them; you can withdraw them at any time from the link in your confirmation "
        "email.")),
    (_l("Who sees it"),
     _l("The network's secretariat; your region's coordinators see their own region's "
        "delegates; the hosts of a reverse mission see its guests. Nothing is sold or "
        "given to anyone else. Emails go through our mail provider.")),
    (_l("How long"),
     _l("Guests' personal data is anonymised %(public_months)s months after the event "
        "ended; delegates' and representatives' data %(network_months)s months after "
        "their last event, and never while they hold a role in the network. The counts of"
        " who took part stay, without names.")),
    (_l("Your rights"),
     _l("From the link in your confirmation email (or your account page) you can see and "
        "download everything we hold about you, correct your details, withdraw consents "
        "and ask us to erase your data. We answer erasure requests without undue delay; "
        "we can refuse only while you hold an active role in the network, and then say "
        "why. You may also complain to your data protection authority.")),
]


def retention_months() -> tuple[int, int]:
    """(public registrants, delegates and representatives): months after the last event."""
    config = current_app.config
    return (int(config.get("PRIVACY_PUBLIC_RETENTION_MONTHS", DEFAULT_PUBLIC_MONTHS)),
            int(config.get("PRIVACY_NETWORK_RETENTION_MONTHS", DEFAULT_NETWORK_MONTHS)))


def default_text() -> str:
    """The default notice in the page's language, with the configured retention periods."""
    public, network = retention_months()
    months = {"public_months": public, "network_months": network}
    return "\n\n".join(f"{heading}\n{str(text) % months}"
                       for heading, text in DEFAULT_SECTIONS) + "\n"


def current_notice() -> PrivacyNotice | None:
    """The newest saved version, or None while the default applies."""
    return db.session.scalars(
        sa.select(PrivacyNotice).order_by(PrivacyNotice.id.desc()).limit(1)).first()


def notice_text() -> str:
    """The text shown: the newest version, else the default."""
    notice = current_notice()
    return notice.text if notice is not None else default_text()


def paragraphs(text: str) -> list[tuple[str | None, str]]:
    """(heading, paragraph) pairs: a block whose first line is short and has no full stop
    reads as its heading; blocks are separated by blank lines (escaped where shown)."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    pairs: list[tuple[str | None, str]] = []
    for block in filter(None, blocks):
        first, _, rest = block.partition("\n")
        if rest and len(first) <= 60 and not first.rstrip().endswith((".", ":")):
            pairs.append((first.strip(), rest.strip()))
        else:
            pairs.append((None, block))
    return pairs


def save_notice(actor: User, text: str) -> PrivacyNotice | None:
    """A new version of the notice (None when the text is the same); audited."""
    text = text.replace("\r\n", "\n").strip()
    if text == notice_text().strip():
        return None
    notice = PrivacyNotice(text=text, saved_by_id=actor.id)
    db.session.add(notice)
    db.session.flush()
    record_audit(actor, "privacy.notice_changed", notice,
                 f"Privacy notice changed (version {notice.id}, {len(text):,} characters)")
    return notice
