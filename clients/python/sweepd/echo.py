"""How text that came from a client is shown back: in error messages and in log lines.

An id, a key or a name a client sends may be of any length and hold any character.
Echoed whole, a 100,000-character id makes a status larger than gRPC lets a reply
carry (the caller gets RESOURCE_EXHAUSTED instead of the error), and a newline in an
agent id forges a line of the controller's log. So every such value is shown
through `shown`: escaped like a Python literal (control characters, line and
paragraph separators and every other non-printable character become escapes, so one
value is always one line) and cut after a bounded number of characters, saying how
long the original was.
"""

from __future__ import annotations

# Characters of a client's value shown before it is cut.
SHOWN_CHARS = 64


def shown(value: object, limit: int = SHOWN_CHARS, *, quote: bool = True) -> str:
    """`value` for an error message or a log line, on one line and at most `limit`
    characters of it (then how many there were). A str is quoted as a Python literal;
    `quote=False` leaves the quotes off, for a name inside a field path
    (parameters.<name>.max). Anything else is shown as its repr."""
    text = value if isinstance(value, str) else repr(value)
    cut = len(text) > limit
    part = text[:limit] if cut else text
    if isinstance(value, str):
        literal = repr(part) if quote else repr(part)[1:-1]
    else:
        literal = part if part.isprintable() else repr(part)[1:-1]
    return f"{literal}… ({len(text):,} characters)" if cut else literal
