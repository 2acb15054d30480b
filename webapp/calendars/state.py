"""A feed's identity and validators: what a conditional request is answered from."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from webapp.calendars import ical


@dataclass(frozen=True)
class FeedState:
    """A feed's identity and fingerprint: enough to answer a conditional request."""

    key: tuple
    fingerprint: tuple
    last_modified: datetime | None
    title: str = ""
    # False for an event whose exact dates are not recorded: it has no calendar.
    publishable: bool = True
    # Personal feeds: the part of the fingerprint that is about content, not about the person.
    agenda: tuple = ()

    def etag(self, base_url: str) -> str:
        """A strong ETag: the same data and code give the same bytes, hence the same tag."""
        return _etag(base_url, self.key, self.title, self.fingerprint)


@dataclass(frozen=True)
class Prepared:
    """A body about to be served: the key its bytes are cached under, and how to build them."""

    cache_key: str
    build: Callable[[], bytes]


def digest(material: object) -> str:
    """A short, stable hash of some plain values."""
    return hashlib.sha256(repr(material).encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=4096)
def _etag(base_url: str, key: tuple, title: str, fingerprint: tuple) -> str:
    """The tag of a fingerprint, remembered: polls mostly repeat the same few fingerprints,
    and hashing a tuple is cheaper than writing it out for SHA-256."""
    return digest((ical.FORMAT_VERSION, base_url, key, title, fingerprint))
