"""Projects and API keys: who may call the controller, and on which sweeps.

A key looks like ``sk_<key id>_<secret>``. Redis keeps, per key id, the project, a
read-only flag and a salted SHA-256 digest of the secret (the secret itself is shown
once, at creation, and never stored). The secret carries 256 random bits, so a fast
hash is enough: there is nothing to brute-force.

With auth on, each call carries the key in the ``authorization`` metadata
(``Bearer sk_…``). Unknown or revoked keys get UNAUTHENTICATED. A key is checked on
every call (a check is reused for at most a second), and a stream's key again before
each message it sends and every second while it is idle, so revoking a key ends its
open streams with UNAUTHENTICATED within about 2 s. A sweep of another
project answers NOT_FOUND, exactly like an unknown id, so ids cannot be probed;
naming another project when creating a sweep gets PERMISSION_DENIED; read-only keys
can read but not create sweeps, join as agents, report metrics or change states.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator

from sweepd.domain import NotFound, PermissionDenied, Unauthenticated
from sweepd.echo import shown

from .storage import api_keys, keys

log = logging.getLogger(__name__)

DEFAULT_PROJECT = "default"
METADATA_KEY = "authorization"
STREAM_RECHECK_S = 1.0  # an idle stream's key is checked again this often


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key of one project, or everyone (auth off)."""

    project: str | None  # None: any project (auth off)
    read_only: bool = False
    key_id: str = ""

    def require_write(self, what: str) -> None:
        if self.read_only:
            raise PermissionDenied(f"a read-only API key cannot {what}")

    def sees(self, project: str) -> bool:
        return self.project is None or self.project == (project or DEFAULT_PROJECT)

    def check_sweep_project(self, project: str, sweep_id: str) -> None:
        if not self.sees(project):
            raise NotFound(f"sweep {shown(sweep_id)} not found")


EVERYONE = Principal(project=None)


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    project: str
    read_only: bool
    created_at: float
    revoked: bool


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def _split(api_key: str) -> tuple[str, str] | None:
    parts = api_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sk" or not keys.valid_id(parts[1]) or not parts[2]:
        return None
    return parts[1], parts[2]


# ---------------------------------------------------------------- admin (sync, CLI)

def create_key(client: Any, project: str, read_only: bool = False) -> str:
    """Stores a new key for `project` and returns it (the only time it is shown)."""
    if not project or not keys.valid_id(project):
        raise ValueError("project: 1-64 letters, digits, '-' or '_'")
    key_id, secret, salt = secrets.token_hex(6), secrets.token_urlsafe(32), secrets.token_hex(8)
    api_keys.add_key(client, key_id, project, read_only, salt, _digest(salt, secret))
    return f"sk_{key_id}_{secret}"


def list_keys(client: Any, project: str | None = None) -> list[KeyInfo]:
    return [KeyInfo(k.key_id, k.project, k.read_only, k.created_at, k.revoked)
            for k in api_keys.all_keys(client) if not project or k.project == project]


def revoke_key(client: Any, key_id: str) -> bool:
    """Revokes by key id (or by the whole key); False when there is no such key."""
    split = _split(key_id)
    return api_keys.revoke(client, split[0] if split else key_id)


def _principal(stored: api_keys.StoredKey | None, secret: str) -> Principal | None:
    """The key's principal when the secret matches a key that is not revoked."""
    if stored is None or stored.revoked:
        return None
    if not hmac.compare_digest(stored.digest, _digest(stored.salt, secret)):
        return None
    return Principal(project=stored.project, read_only=stored.read_only, key_id=stored.key_id)


# ---------------------------------------------------------------- the controller side

class Authenticator:
    """Checks the key on each call (one Redis read). With `enabled=False`, everyone
    is allowed everything."""

    def __init__(self, redis_client: Any, enabled: bool, cache_seconds: float = 1.0):
        self.redis = redis_client
        self.enabled = enabled
        self.cache_seconds = cache_seconds  # a revoked key is refused within this time
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def principal(self, metadata: Any) -> Principal:
        if not self.enabled:
            return EVERYONE
        token = ""
        for key, value in metadata or ():
            if key == METADATA_KEY:
                token = value.removeprefix("Bearer ").strip()
        if not token:
            raise Unauthenticated("an API key is required (metadata 'authorization: Bearer sk_…')")
        split = _split(token)
        if split is None:
            raise Unauthenticated("malformed API key")
        cached = self._cache.get(token)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        key_id, secret = split
        principal = _principal(await api_keys.read_key_async(self.redis, key_id), secret)
        if principal is None:
            self._cache.pop(token, None)
            raise Unauthenticated("unknown or revoked API key")
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = (now, principal)
        return principal

    async def guard(self, messages: AsyncIterator[Any], metadata: Any) -> AsyncIterator[Any]:
        """A stream's messages for as long as its key stays valid: the key is checked
        again before each message is handed on, and every STREAM_RECHECK_S while the
        client sends nothing. A revoked or deleted key raises Unauthenticated; a
        Redis that does not answer the idle check leaves the stream as it is."""
        if not self.enabled:
            async for message in messages:
                yield message
            return
        pending: asyncio.Future | None = None
        try:
            while True:
                pending = asyncio.ensure_future(messages.__anext__())
                while not (await asyncio.wait({pending}, timeout=STREAM_RECHECK_S))[0]:
                    await self._recheck(metadata)
                try:
                    message = pending.result()
                except StopAsyncIteration:
                    return
                pending = None
                await self.principal(metadata)
                yield message
        finally:
            if pending is not None and not pending.done():
                pending.cancel()

    async def _recheck(self, metadata: Any) -> None:
        try:
            await self.principal(metadata)
        except Unauthenticated:
            raise
        except Exception as exc:  # noqa: BLE001 - Redis away: the stream's own calls will say so
            log.debug("key recheck skipped: %s", exc)


def verify_key(client: Any, api_key: str) -> Principal | None:
    """The principal of a valid, non-revoked key, else None (one Redis read; sync, for
    the dashboard's login)."""
    split = _split(api_key or "")
    if split is None:
        return None
    return _principal(api_keys.read_key(client, split[0]), split[1])
