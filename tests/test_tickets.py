"""Ticket codes: signed, unguessable, and readable back from their QR images."""

import io

import pytest
import zxingcpp
from PIL import Image

from webapp.tickets import (
    TicketCodeError,
    new_ticket_ref,
    qr_png,
    qr_svg,
    read_ticket_code,
    ticket_code,
)


def test_a_code_names_its_reference_and_nothing_else(app):
    """The code reads back to the reference; it holds neither email nor id."""
    ref = new_ticket_ref()
    with app.app_context():
        code = ticket_code(ref)
        assert read_ticket_code(code) == ref
        assert read_ticket_code(f"  {code}\n") == ref


@pytest.mark.parametrize("code", ["", "hello", "DOC1.", "DOC1.abc.def", "DOC1.\"<script>"])
def test_codes_not_issued_here_are_refused(app, code):
    """Anything not signed with the app's key is an unknown code, with a message to show."""
    with app.app_context(), pytest.raises(TicketCodeError, match="Unknown code"):
        read_ticket_code(code)


def test_a_code_signed_with_another_key_is_refused(app):
    """A code from another installation (another key) does not pass."""
    with app.app_context():
        code = ticket_code("abc")
        app.config["SECRET_KEY"] = "another key"
        with pytest.raises(TicketCodeError):
            read_ticket_code(code)


def test_references_differ_and_are_long_enough_not_to_guess():
    """Each reference is fresh randomness (96 bits)."""
    refs = {new_ticket_ref() for _ in range(1000)}
    assert len(refs) == 1000 and all(len(ref) == 16 for ref in refs)


def test_the_qr_images_decode_to_the_code(app):
    """The PNG decodes (zxing-cpp) to exactly the code; the SVG is an inline document."""
    with app.app_context():
        code = ticket_code(new_ticket_ref())
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(code))))
        assert [result.text for result in decoded] == [code]
        svg = qr_svg(code)
        assert svg.startswith("<svg") and "<?xml" not in svg
