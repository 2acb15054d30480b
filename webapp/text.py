"""Text as the app writes it into single-line places (mail headers, subjects, titles, names)."""

from __future__ import annotations

import re

# C0 controls that str.split() does not take for whitespace, and DEL: they are dropped.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


def one_line(value: str | None) -> str:
    """`value` on one line: every run of whitespace (line breaks included) one space, other
    control characters dropped, no space at either end; "" for None. A line break in a mail
    header would let stored text add headers of its own."""
    if not value:
        return ""
    return " ".join(_INVISIBLE.sub("", value).split())
