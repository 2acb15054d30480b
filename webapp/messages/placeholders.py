"""Placeholders in a message's subject and text, filled for each person: {name}, {forum},
{registration_link}; for a mission's guests {mission} and {itinerary_link}.

Filled by a scan of the text, never by str.format (which would reach into attributes).
`{{` and `}}` write a brace; any other `{word}` must be a known placeholder, so a typo is
refused with its name instead of reaching hundreds of people."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from webapp.models import MessageScope

TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,60})\}")

PLACEHOLDERS: dict[MessageScope, dict[str, str]] = {
    MessageScope.REGISTRATIONS: {
        "name": _l("the person's name"),
        "forum": _l("the event's title"),
        "registration_link": _l("their own registration page (signed link)"),
    },
    MessageScope.GUESTS: {
        "name": _l("the guest's name"),
        "mission": _l("the mission's title"),
        "forum": _l("the mission's title"),
        "itinerary_link": _l("their own itinerary (signed link)"),
    },
}


def allowed(scope: MessageScope, *, in_subject: bool = False) -> list[str]:
    """The placeholders of a scope; a subject takes no links (they belong in the text)."""
    return [name for name in PLACEHOLDERS[scope] if not (in_subject and name.endswith("_link"))]


def unknown_placeholders(text: str, known: Collection[str]) -> list[str]:
    """The `{…}` in `text` that are not among `known`, in order, each once."""
    found: list[str] = []
    for match in TOKEN.finditer(text or ""):
        name = match.group(1)
        if match.group(0) in ("{{", "}}") or name is None:
            continue
        if name.strip() not in known and name not in found:
            found.append(name)
    return found


def unknown_message(unknown: list[str], known: Collection[str]) -> str:
    """'Unknown placeholder {nmae}. Use {name}, {forum} or {registration_link} (write {{ for
    a brace).'"""
    named = ", ".join("{" + name + "}" for name in unknown)
    shown = ["{" + name + "}" for name in known]
    return ngettext("Unknown placeholder %(named)s. Use %(some)s or %(last)s here (write {{ and "
                    "}} for a brace).", "Unknown placeholders %(named)s. Use %(some)s or "
                    "%(last)s here (write {{ and }} for a brace).", len(unknown),
                    named=named, some=", ".join(shown[:-1]), last=shown[-1])


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value (unknown ones left as typed)."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = (match.group(1) or "").strip()
        return values.get(name, token)

    return TOKEN.sub(replace, text)
