"""Which pages are the public side (offered in every shipped language) and which source files
their texts come from (the catalog tests hold those complete in every language).

Staff pages, and pages both staff and the public read (events, regions), are written in
English and Danish only: a visitor who chose German sees them in the next language of their
choice that they exist in."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache

# Endpoints of the public side, as fnmatch patterns. A request with no endpoint (a 404, a
# 405) is public too: the error pages are translated into every language.
PUBLIC_ENDPOINTS = (
    "public_registration.*",
    "privacy.notice", "privacy.link_*",
    "visas.verify", "visas.passport", "visas.own_letter",
    "missions.guest_itinerary",
    "calendars.personal_feed",
)

# The languages of every page; the rest of the shipped ones are the public side's.
EVERYWHERE = ("en", "da")

# Source files (globs from the repository's root) whose texts the public side shows: each
# of their msgids must be translated in every shipped language. Danish: every msgid.
PUBLIC_SOURCES = (
    "templates/base.html",
    "templates/_macros/*",
    "templates/errors/*",
    "templates/i18n/*",
    "templates/registrations/register.html",
    "templates/registrations/registered.html",
    "templates/registrations/manage.html",
    "templates/registrations/cancel_confirm.html",
    "templates/registrations/link_invalid.html",
    "templates/registrations/ticket.html",
    "templates/registrations/_ticket.html",
    "templates/registrations/answers_edit.html",
    # Macros and snippets the public pages use too.
    "templates/registrations/_macros.html",
    "templates/calendars/_links.html",
    "templates/missions/_macros.html",
    "webapp/filters.py",
    "webapp/i18n/*",
    "templates/questions/_fields.html",
    "templates/questions/_registration_answers.html",
    "templates/questions/_answers.html",
    "templates/privacy/_register.html",
    "templates/privacy/_manage.html",
    "templates/privacy/notice.html",
    "templates/privacy/my_data.html",
    "templates/privacy/erase_confirm.html",
    "templates/visas/_passport.html",
    "templates/visas/verify.html",
    "templates/missions/itinerary.html",
    "templates/missions/link_invalid.html",
    "templates/mail/registration_*",
    "templates/mail/_registration_facts.*",
    "templates/mail/_ticket.*",
    "templates/mail/_layout.*",
    "templates/mail/attendee_message.*",
    "templates/mail/calendar_*",
    "templates/mail/mission_invitation.*",
    "templates/mail/itinerary_changed.*",
    "templates/mail/_event_facts.*",
    "webapp/registrations/public.py",
    "webapp/registrations/forms.py",
    "webapp/registrations/services.py",
    "webapp/registrations/tokens.py",
    "webapp/registrations/answer_pages.py",
    "webapp/registrations/notifications.py",
    "webapp/registrations/language.py",
    "webapp/registrations/language_routes.py",
    "webapp/calendars/invites.py",
    "webapp/calendars/event_news.py",
    "webapp/calendars/ical.py",
    "webapp/calendars/feeds.py",
    "webapp/models/event.py",
    "webapp/questions/values.py",
    "webapp/questions/fields.py",
    "webapp/privacy/consents.py",
    "webapp/forms.py",
    "webapp/i18n/*",
    "webapp/tickets/*",
    "webapp/badges/*",
    "webapp/pdf/*",
    "webapp/visas/*",
)


@cache  # endpoints are few and the patterns constant; asked several times a request
def is_public_endpoint(endpoint: str | None) -> bool:
    """Whether a page is of the public side (see PUBLIC_ENDPOINTS)."""
    return endpoint is None or any(fnmatchcase(endpoint, p) for p in PUBLIC_ENDPOINTS)


def is_public_source(path: str) -> bool:
    """Whether a source file (relative to the repository, '/' separated) is of the public side."""
    return any(fnmatchcase(path, pattern) for pattern in PUBLIC_SOURCES)
