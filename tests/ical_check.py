"""Parse every calendar the app produces with two independent parsers, and check its shape.

`icalendar` wrote the bytes, so it is also read back with `vobject`, a separate
implementation (its own parser, its own VTIMEZONE interpretation). Both must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import icalendar
import vobject

# Properties every VEVENT the app publishes must carry (RFC 5545 plus the house rules).
REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LAST-MODIFIED", "URL")


@dataclass
class Parsed:
    """A calendar read twice: icalendar's components and vobject's, keyed by UID."""

    calendar: icalendar.Calendar
    vcalendar: object
    events: dict[str, icalendar.Event]
    vevents: dict[str, object]

    def text(self, uid: str, name: str) -> str:
        """A TEXT property as both parsers read it; they must agree."""
        ours = str(self.events[uid][name])
        theirs = self.vevents[uid].contents[name.lower()][0].value
        assert ours == theirs, (name, ours, theirs)
        return ours


def check_wire_format(data: bytes) -> None:
    """CRLF line ends, lines of at most 75 octets, folds that never split a UTF-8 character."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold cut a character in two


def parse_calendar(data: bytes) -> Parsed:
    """Parse with icalendar and vobject; check required properties and TZID/VTIMEZONE pairs."""
    check_wire_format(data)
    calendar = icalendar.Calendar.from_ical(data)
    for component in calendar.walk():
        assert not component.errors, component.errors
    calendar.validate()  # PRODID, VERSION and at least one component (RFC 5545 §3.6)
    vcalendar = vobject.readOne(data.decode("utf-8"))
    assert vcalendar.validate(raiseException=True)
    assert set(vcalendar.contents) - {"version", "prodid", "calscale", "method", "name",
                                      "x-wr-calname", "x-wr-caldesc", "refresh-interval",
                                      "x-published-ttl"}, "vobject finds no component"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    vevents = {v.uid.value: v for v in getattr(vcalendar, "vevent_list", [])}
    assert set(events) == set(vevents)
    assert len(events) == len(calendar.walk("VEVENT")), "duplicate UIDs"
    for uid, event in events.items():
        for name in REQUIRED:
            assert name in event, (uid, name)
    declared = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert calendar.get_used_tzids() == declared, "each TZID needs exactly one VTIMEZONE"
    return Parsed(calendar, vcalendar, events, vevents)


def property_count(component: icalendar.cal.Component, name: str) -> int:
    """How many times a property occurs in a component (an injected line would add one)."""
    value = component.get(name)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def rfc6868_decode(value: str) -> str:
    """vobject does not implement RFC 6868 (^' ^n ^^ in parameter values); icalendar does."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "^" and i + 1 < len(value) and value[i + 1] in "'n^":
            out.append({"'": '"', "n": "\n", "^": "^"}[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def unescape_text(value: str) -> str:
    """RFC 5545 TEXT unescaping in one pass, for X- properties parsers leave untyped
    (icalendar's deprecated unescape_char turns "C:\\\\new" into "C:\\" + newline + "ew")."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)
