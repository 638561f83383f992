"""The dashboard behind a login (`sweepd ui --auth`): the same API keys as the controller.

How it holds together:

- `/login` asks for an API key (any valid, non-revoked key; read-only is enough) and
  checks it against Redis (`sweepd.controller.auth.verify_key`). On success it opens a
  session: a random session id, whose entry in this process's memory holds the key
  and its principal (project, read-only). The browser gets Flask's signed session
  cookie (HttpOnly, SameSite=Strict) carrying only the session id and the key id,
  never the secret, so a leaked cookie store or log holds no key.
- A `before_request` hook on the Flask server refuses every request without a live
  session (pages redirect to the login page; `/_dash-layout`,
  `/_dash-update-component` and every other `/_…` or asset path get 401), except
  the login and logout routes, the stylesheet and the favicon.
- Each session's key is checked again in Redis at most every `check_every_s`
  (2 s), so a revoked key loses access within that time. If Redis does not answer,
  a session keeps the access it had for at most `REDIS_GRACE_S` (the banner says
  Redis is down; nothing new can be read meanwhile), then it is refused.
- The sweep controls call the controller's gRPC API with the logged-in user's own
  key (kept only in server memory), so the controller's own rules apply too; they
  are disabled, and refused here as well, for read-only keys. With a login the
  dashboard never uses its own `--api-key`.
- Sessions live in memory: restarting the dashboard logs everyone out (the cookie
  signing key is random per start unless `$SWEEPD_UI_SECRET` is set). Idle
  sessions end after `SESSION_IDLE_S`; at most `MAX_SESSIONS` are kept.

Serve it behind TLS (a reverse proxy) when it is reachable from other machines:
the API key travels in the login form.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import quote, unquote, urlsplit

import flask

from sweepd.controller.auth import Principal, verify_key

from .data import REDIS_ERRORS

SESSION_IDLE_S = 12 * 3600
MAX_SESSIONS = 10_000
REDIS_GRACE_S = 60.0
COOKIE_NAME = "sweepd_session"
LOGIN_HEADER = "X-Sweepd-Login"  # on a 401: where to log in (assets/session.js follows it)


@dataclass
class Session:
    """One logged-in browser, in server memory only."""

    api_key: str
    principal: Principal
    checked_at: float  # when the key was last found valid in Redis (monotonic s)
    seen_at: float


class LoginGate:
    """Sessions, and the hook that refuses requests without one (see the module doc)."""

    def __init__(self, redis_client: Any, *, check_every_s: float = 2.0,
                 idle_s: float = SESSION_IDLE_S, max_sessions: int = MAX_SESSIONS,
                 clock: Callable[[], float] = time.monotonic):
        self.redis = redis_client
        self.check_every_s = check_every_s
        self.idle_s = idle_s
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------ sessions

    def open(self, api_key: str) -> tuple[str, Principal] | None:
        """A new session for a valid key: (session id, principal); None for a bad key."""
        principal = verify_key(self.redis, api_key)
        if principal is None:
            return None
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._sessions[sid] = Session(api_key.strip(), principal, now, now)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        return sid, principal

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)

    def lookup(self, sid: str | None, key_id: str | None) -> Session | None:
        """The live session of a cookie's (session id, key id), its key re-checked in
        Redis when the last check is older than check_every_s; None when it is over."""
        now = self.clock()
        with self._lock:
            found = self._sessions.get(sid or "")
            if found is None or found.principal.key_id != key_id:
                return None
            if now - found.seen_at > self.idle_s:
                del self._sessions[sid]
                return None
            found.seen_at = now
            self._sessions.move_to_end(sid)
            if now - found.checked_at < self.check_every_s:
                return found
        try:
            principal = verify_key(self.redis, found.api_key)
        except REDIS_ERRORS:
            return found if now - found.checked_at < REDIS_GRACE_S else None
        with self._lock:
            if principal is None:
                self._sessions.pop(sid, None)
                return None
            found.principal, found.checked_at = principal, now
        return found

    def __len__(self) -> int:
        return len(self._sessions)

    # ------------------------------------------------------------ the request side

    @staticmethod
    def current() -> Session | None:
        """The session of the request being served (set by the hook)."""
        return flask.g.get("sweepd_session") if flask.has_request_context() else None

    def install(self, server: flask.Flask, *, routes_prefix: str = "/",
                requests_prefix: str = "/", secret_key: str | None = None) -> None:
        """Adds the login and logout routes and the gate to the dashboard's server."""
        server.config.update(
            SECRET_KEY=secret_key or secrets.token_hex(32),
            SESSION_COOKIE_NAME=COOKIE_NAME,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Strict",
        )
        login_url = requests_prefix + "login"
        open_paths = {routes_prefix + p for p in ("login", "logout", "assets/style.css",
                                                   "_favicon.ico")}
        refused_json = (routes_prefix + "_", routes_prefix + "assets/")

        @server.before_request
        def gate():
            path = flask.request.path
            if path in open_paths:
                return None
            found = self.lookup(flask.session.get("sid"), flask.session.get("kid"))
            if found is None:
                if path.startswith(refused_json) or flask.request.method != "GET":
                    reply = flask.jsonify(error="log in first: this dashboard needs an API key")
                    reply.status_code = 401
                    reply.headers[LOGIN_HEADER] = login_url
                    return reply
                shown = (requests_prefix + path[len(routes_prefix):]  # as the browser sees it
                         if path.startswith(routes_prefix) else requests_prefix)
                return flask.redirect(f"{login_url}?next={quote(shown)}")
            flask.g.sweepd_session = found
            return None

        def login():
            next_path = local_path(flask.request.values.get("next"), requests_prefix)
            if flask.request.method == "GET":
                return _login_page(requests_prefix, next_path, None)
            if not _same_origin(flask.request):
                return _login_page(requests_prefix, next_path, "cross-site login refused"), 403
            try:
                opened = self.open(flask.request.form.get("api_key", ""))
            except REDIS_ERRORS:
                return _login_page(requests_prefix, next_path,
                                   "Redis is not answering; try again in a moment"), 503
            if opened is None:
                return _login_page(requests_prefix, next_path,
                                   "unknown, revoked or malformed API key"), 401
            self.close(flask.session.get("sid"))
            flask.session.clear()
            flask.session["sid"], flask.session["kid"] = opened[0], opened[1].key_id
            return flask.redirect(next_path)

        def logout():
            self.close(flask.session.get("sid"))
            flask.session.clear()
            return flask.redirect(login_url)

        server.add_url_rule(routes_prefix + "login", "sweepd_login", login, methods=["GET", "POST"])
        server.add_url_rule(routes_prefix + "logout", "sweepd_logout", logout, methods=["GET"])


def account_text(principal: Principal) -> str:
    return f"project {principal.project}" + (" (read-only key)" if principal.read_only else "")


# What a path may be made of (RFC 3986 pchar, "/", and a query or fragment), ASCII only.
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]+")
# What a decoded path may not hold: controls, a backslash, invisible separators, a
# "%" that starts no escape.
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u200b-\u200f\u2028\u2029\ufeff]|%(?![0-9A-Fa-f]{2})")
MAX_NEXT = 2048


def local_path(value: str | None, prefix: str) -> str:
    """Where to go after logging in: `value` when it is a path of this dashboard
    (under `prefix`), else `prefix` (the sweeps list), so a login never redirects off
    the site and never puts a bad header on a reply.

    Refused: anything not starting with `prefix`; a scheme or host ("//x", "/\\x");
    characters outside a plain URL path (controls, whitespace, non-ASCII, a backslash);
    dot segments; and the same again in the percent-decoded value, decoded until it
    no longer changes (a browser or proxy may decode "/%2F/x" or "/%09/x" once more)."""
    if not value or len(value) > MAX_NEXT or not _PATH_CHARS.fullmatch(value):
        return prefix
    if not value.startswith(prefix if prefix.endswith("/") else prefix + "/"):
        return prefix
    decoded, seen = value, None
    while decoded != seen:
        path = decoded.split("?", 1)[0].split("#", 1)[0]
        if (decoded.startswith("//") or _NOT_TEXT.search(decoded)
                or any(part in (".", "..") for part in path.split("/"))):
            return prefix
        try:
            seen, decoded = decoded, unquote(decoded, errors="strict")
        except UnicodeDecodeError:
            return prefix
    return value


def _same_origin(request: flask.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _login_page(prefix: str, next_path: str, error: str | None) -> str:
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sweepd: log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{html.escape(prefix)}assets/style.css"></head>
<body><header class="topbar"><span class="brand">sweepd</span>
<span class="tagline">hyperparameter sweeps</span></header>
<main class="page"><form class="login card" method="post" action="{html.escape(prefix)}login">
<h2>Log in</h2>
<p class="muted">Paste an API key of your project (<code>sweepd keys create --project P</code>);
a read-only key is enough to look.</p>
<label for="api-key">API key</label>
<input id="api-key" name="api_key" type="password" autocomplete="off" required autofocus>
<input type="hidden" name="next" value="{html.escape(next_path)}">
<button id="login-button" class="control" type="submit">log in</button>
{message}</form></main></body></html>"""


__all__ = ["LoginGate", "Session", "account_text", "local_path"]
