"""The one sanitiser for single-line text (webapp.text.one_line)."""

import pytest

from webapp.text import one_line


@pytest.mark.parametrize(("value", "expected"), [
    ("  Ulla\r\n Diderichsen\t ", "Ulla Diderichsen"),
    ("Bcc: x@example.org\nSubject: hi", "Bcc: x@example.org Subject: hi"),
    ("a\u2028b\u2029c\x85d\x0be\x0cf\x1cg", "a b c d e f g"),
    ("nul\x00 and bell\x07 and del\x7f dropped", "nul and bell and del dropped"),
    ("Århus – Ålborg 😀", "Århus – Ålborg 😀"),
    ("", ""),
    (None, ""),
])
def test_one_line_leaves_no_line_break_nor_control_character(value, expected):
    """Whitespace runs (every line break included) become one space, other controls go."""
    assert one_line(value) == expected
    assert one_line(value).splitlines() in ([expected], [])
