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

import redis

from sweepd.domain import NotFound, PermissionDenied, Unauthenticated
from sweepd.echo import shown

from .storage import keys

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

def create_key(client: redis.Redis, project: str, read_only: bool = False) -> str:
    """Stores a new key for `project` and returns it (the only time it is shown)."""
    if not project or not keys.valid_id(project):
        raise ValueError("project: 1-64 letters, digits, '-' or '_'")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(8)
    client.hset(keys.api_key(key_id), mapping={
        "project": project, "read_only": int(read_only), "salt": salt,
        "digest": _digest(salt, secret), "created_at": int(time.time() * 1000),
    })
    client.sadd(keys.api_keys_index(), key_id)
    return f"sk_{key_id}_{secret}"


def list_keys(client: redis.Redis, project: str | None = None) -> list[KeyInfo]:
    out = []
    for key_id in sorted(_s(k) for k in client.smembers(keys.api_keys_index())):
        h = {_s(k): _s(v) for k, v in client.hgetall(keys.api_key(key_id)).items()}
        if not h or (project and h["project"] != project):
            continue
        out.append(KeyInfo(key_id, h["project"], h.get("read_only") == "1",
                           int(h["created_at"]) / 1000, bool(h.get("revoked_at"))))
    return out


def revoke_key(client: redis.Redis, key_id: str) -> bool:
    """Revokes by key id (or by the whole key); False when there is no such key."""
    split = _split(key_id)
    key_id = split[0] if split else key_id
    if not keys.valid_id(key_id) or not client.exists(keys.api_key(key_id)):
        return False
    client.hset(keys.api_key(key_id), "revoked_at", int(time.time() * 1000))
    return True


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


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
        h = await self.redis.hgetall(keys.api_key(key_id))
        if not h or h.get("revoked_at"):
            self._cache.pop(token, None)
            raise Unauthenticated("unknown or revoked API key")
        if not hmac.compare_digest(h["digest"], _digest(h["salt"], secret)):
            raise Unauthenticated("unknown or revoked API key")
        principal = Principal(project=h["project"], read_only=h.get("read_only") == "1",
                              key_id=key_id)
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
    key_id, secret = split
    h = {_s(k): _s(v) for k, v in client.hgetall(keys.api_key(key_id)).items()}
    if not h or h.get("revoked_at") or "digest" not in h:
        return None
    if not hmac.compare_digest(h["digest"], _digest(h.get("salt", ""), secret)):
        return None
    return Principal(project=h["project"], read_only=h.get("read_only") == "1", key_id=key_id)
