"""checked_address: its fast path for everyday addresses agrees with the stdlib's parser."""

from __future__ import annotations

import random
from email.headerregistry import Address

import pytest

from webapp.mail import services
from webapp.mail.services import PLAIN_ADDRESS, checked_address

ALPHABET = ("abcXYZ019.-_+@!#$%&'*/=?^`{|}~\"(), ;:<>[]\\å上" + "..@@")
LOCAL = "abcXYZ019.-_+!#$%&'*/=?^`{|}~" + "..."
DOMAIN = "abcXYZ019-" + "...."


def _sample(rng: random.Random) -> str:
    """Half address-shaped strings with odd dots and dashes, half anything at all."""
    if rng.random() < 0.5:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 14)))
    local = "".join(rng.choice(LOCAL) for _ in range(rng.randint(1, 8)))
    domain = "".join(rng.choice(DOMAIN) for _ in range(rng.randint(1, 10)))
    return f"{local}@{domain}"


def _stdlib_only(address: str) -> str:
    """checked_address with the fast path switched off."""
    saved = services.PLAIN_ADDRESS
    services.PLAIN_ADDRESS = type("Never", (), {"fullmatch": staticmethod(lambda _s: None)})
    try:
        return checked_address(address)
    finally:
        services.PLAIN_ADDRESS = saved


def _outcome(check, address: str) -> str:
    """The checked address, or the kind of refusal."""
    try:
        return check(address)
    except ValueError as exc:
        return f"refused: {type(exc).__name__}"


def test_fast_path_only_takes_what_the_parser_returns_unchanged():
    """20,000 random strings: every one the pattern takes, the parser returns as it is."""
    rng = random.Random(5545)
    taken = 0
    for _ in range(20_000):
        sample = _sample(rng)
        if PLAIN_ADDRESS.fullmatch(sample):
            taken += 1
            assert Address(addr_spec=sample).addr_spec == sample, sample
        assert _outcome(checked_address, sample) == _outcome(_stdlib_only, sample), sample
    assert taken > 2_000  # the test saw the fast path at work


@pytest.mark.parametrize("address", [
    "ada@example.org", "first.last+tag@sub.example.co.uk", "o'brien@example.ie",
    "x@localhost", "a..b@example.org", ".a@example.org", "a.@example.org", "a@example..org",
    '"quoted name"@example.org', "ada@", "@example.org", "a@b@c", "Ada <ada@example.org>",
    "a b@example.org", "zoë@example.org", "ada@exämple.org", "ada@[127.0.0.1]",
    "ada@-example.org", "ada@example.org.", "(comment)ada@example.org",
])
def test_fast_path_and_parser_agree(address):
    """Everyday and odd addresses: the same answer with and without the fast path."""
    assert _outcome(checked_address, address) == _outcome(_stdlib_only, address)
