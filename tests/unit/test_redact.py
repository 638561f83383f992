"""mask_credentials: every URL form loses its credentials and keeps the rest."""

from __future__ import annotations

import pytest

from sweepd.redact import mask_credentials

CASES = [
    ("redis://host:6379/0?password=hunter2", "redis://host:6379/0?password=***"),
    ("unix:///tmp/r.sock?password=hunter2&db=2", "unix:///tmp/r.sock?password=***&db=2"),
    ("redis://sweepd:hunter2@redis.example:6379/0", "redis://sweepd:***@redis.example:6379/0"),
    ("rediss://:hunter2@h:6380", "rediss://:***@h:6380"),
    ("redis://hunter2@h", "redis://***@h"),  # a lone user part may be a token
    ("redis://:hun@ter2@h:1/0", "redis://:***@h:1/0"),  # an unescaped '@' in the password
    ("redis+cluster://u:hunter2@h:7000?ssl_password=hunter2&socket_timeout=3",
     "redis+cluster://u:***@h:7000?ssl_password=***&socket_timeout=3"),
    ("unix:///x?db=1;Password=hunter2", "unix:///x?db=1;Password=***"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("unix:///run/user/1/sweepd@host/redis.sock", "unix:///run/user/1/sweepd@host/redis.sock"),
    # a password with an unescaped '/', '?' or '#' (base64 has '/'): the URL does not
    # parse, and the error that names it must not show the password
    ("redis://:abc/def+ghi=@redis:6379/0", "redis://:***@redis:6379/0"),
    ("redis://sweepd:p#ss?w/rd@h:1/0", "redis://sweepd:***@h:1/0"),
    ("redis://:a/b@c@h:1", "redis://:***@h:1"),
    ("redis://host:6379/0?password=x@y", "redis://host:6379/0?password=***"),  # a port, not a password
]


@pytest.mark.parametrize("url,shown", CASES)
def test_each_url_form_is_masked(url, shown):
    assert mask_credentials(url) == shown


def test_urls_inside_a_message_are_masked():
    text = "lost redis://a:hunter2@c:1/0, then unix:///s?password=hunter2 refused"
    assert mask_credentials(text) == "lost redis://a:***@c:1/0, then unix:///s?password=*** refused"
