"""Credentials masked out of text that is printed or logged.

`mask_credentials` is the one function every place that prints a URL (a Redis URL
in a start-up line, a banner, an error message) passes it through. It masks, in
every URL found in the text, the password of the user part (`redis://user:pw@host`)
or the whole user part when it has no colon (`redis://token@host`), and the value
of query options that carry secrets (`?password=…`, `ssl_password=…`, any name with
"pass", "secret", "token", "auth" or "key" in it). Scheme, host, port, path and the
other options stay readable, so the line still says which server is meant.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://userinfo@ — the user part runs up to the last '@' before the path.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")
_SECRET_OPTION = re.compile(
    r"(?P<name>[?&;][^=&#\s]*(?:pass|secret|token|auth|key)[^=&#\s]*=)[^&#\s]*", re.IGNORECASE)


def _mask_userinfo(match: re.Match) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    shown = f"{user}:{MASK}" if colon else MASK
    return f"{match['scheme']}{shown}@"


def mask_credentials(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by ``***``."""
    text = _USERINFO.sub(_mask_userinfo, text or "")
    return _SECRET_OPTION.sub(lambda m: m["name"] + MASK, text)
