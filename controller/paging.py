"""Paging of list reads (ListSweeps, ListRuns, GetRunMetrics) in the style of AIP-158: the page
size a request gets, the opaque page tokens that say where the next page starts, and
how many items fit in one reply.

A token is base64url (no padding) of: a format byte, 8 bytes of the request's
fingerprint (SHA-256 of the method's name and of the request with page_size and
page_token cleared, serialized deterministically), then the position of the last
item already read, in ASCII (a sweep id; a run number; a metric stream entry id). A token made
for another request (another sweep or run, other keys, another method) fails the
fingerprint check; that and any token the server did not make are InvalidArgument
naming `page_token`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from sweepd.domain import InvalidArgument

from .limits import DEFAULT_PAGE_SIZE, MAX_PAGE_BYTES, MAX_PAGE_SIZE

T = TypeVar("T")

_FORMAT = 1
_FINGERPRINT_BYTES = 8
# A run number; a Redis stream entry id ("<ms>-<seq>"); a sweep id.
RUN_NUMBER = re.compile(r"[0-9]{1,19}")
SWEEP_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
STREAM_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")
# A repeated field's tag and length prefix, at most, per item of a reply.
_ITEM_OVERHEAD = 6


@dataclass(frozen=True)
class Page:
    """What one paged request asks for: `size` items after `after` (None: from the
    start), and the fingerprint its next token carries."""

    size: int
    after: str | None
    fingerprint: bytes

    def token(self, position: str) -> str:
        raw = bytes([_FORMAT]) + self.fingerprint + position.encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _bad_token(why: str) -> InvalidArgument:
    return InvalidArgument(f"page_token: {why}", [("page_token", why)])


def fingerprint(method: str, request: Any) -> bytes:
    """What a token must match: the request but for its page size and token."""
    bare = type(request)()
    bare.CopyFrom(request)
    bare.page_size = 0
    bare.page_token = ""
    digest = hashlib.sha256(method.encode() + b"\0" + bare.SerializeToString(deterministic=True))
    return digest.digest()[:_FINGERPRINT_BYTES]


def page_of(method: str, request: Any, position: re.Pattern) -> Page:
    """The page a ListSweeps/ListRuns/GetRunMetrics request asks for (size coerced to the
    limits; token checked against the request)."""
    if request.page_size < 0:
        raise InvalidArgument(
            f"page_size: {request.page_size} is negative; 0 (the default, "
            f"{DEFAULT_PAGE_SIZE}) or more", [("page_size", "must not be negative")])
    size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    expected = fingerprint(method, request)
    after = _position(request.page_token, expected, position) if request.page_token else None
    return Page(size, after, expected)


def _position(token: str, expected: bytes, pattern: re.Pattern) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise _bad_token("not a page token of this server") from None
    head = 1 + _FINGERPRINT_BYTES
    if len(raw) <= head or raw[0] != _FORMAT:
        raise _bad_token("not a page token of this server")
    if raw[1:head] != expected:
        raise _bad_token("this token was made for another request; page with the request "
                         "that returned it (same sweep, run and keys)")
    position = raw[head:].decode("ascii", "replace")
    if not pattern.fullmatch(position):
        raise _bad_token("not a page token of this server")
    return position


def fill(items: Sequence[T], message_of: Callable[[T], Any]) -> tuple[list[Any], int]:
    """The messages of the leading items that fit in one reply of at most
    MAX_PAGE_BYTES (the first always does), and how many items they used up.
    `message_of` may return None to leave an item out (it still counts as used)."""
    messages: list[Any] = []
    total = 0
    for used, item in enumerate(items):
        message = message_of(item)
        if message is None:
            continue
        size = message.ByteSize() + _ITEM_OVERHEAD
        if messages and total + size > MAX_PAGE_BYTES:
            return messages, used
        messages.append(message)
        total += size
    return messages, len(items)
