"""Credentials masked out of text that is printed or logged.

`mask_credentials` is the one function every place that prints a URL (a Redis URL
in a start-up line, a banner, an error message) passes it through. It masks, in
every URL found in the text, the password of the user part (`redis://user:pw@host`,
also when the password holds an unescaped '/', '?' or '#', up to the URL's last '@')
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


# scheme://user:password@ whose password holds a '/', '?' or '#' left unescaped (a
# base64 password often has a '/'): the URL no longer parses, and the error that
# says so must not print it. Up to the last '@' of the run of non-space characters.
_SPLIT_PASSWORD = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/?#\s@]*):(?P<rest>\S*)@")


def _mask_split_password(match: re.Match) -> str:
    head, cut = re.match(r"([^/?#]*)([/?#]?)", match["rest"]).groups()
    if not cut or (match["user"] and head.isdigit()):  # nothing split, or host:port/...@
        return match.group(0)
    return f"{match['scheme']}{match['user']}:{MASK}@"


def mask_credentials(text: str) -> str:
    """`text` with the credentials of every URL in it replaced by ``***``."""
    text = _USERINFO.sub(_mask_userinfo, text or "")
    text = _SPLIT_PASSWORD.sub(_mask_split_password, text)
    return _SECRET_OPTION.sub(lambda m: m["name"] + MASK, text)
