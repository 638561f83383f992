"""Where API keys are kept (controller/auth.py decides what they allow): per key id a
hash with the project, a read-only flag, a salt and a salted digest of the secret,
its creation and revocation times, and a set indexing the key ids. The admin side
(the CLI, the dashboard's login) uses a plain client; the controller reads keys with
its asyncio client."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import redis

from . import keys

# What the admin side catches as "Redis is unavailable or refused": the CLI turns it
# into a one-line error naming the server (never its password).
STORAGE_ERRORS = (redis.RedisError,)


def admin_client(url: str) -> Any:
    """A plain client for the admin commands; ValueError for a malformed URL."""
    return redis.Redis.from_url(url)


@dataclass(frozen=True)
class StoredKey:
    key_id: str
    project: str
    read_only: bool
    salt: str
    digest: str
    created_at: float  # seconds
    revoked: bool


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _stored(key_id: str, raw: dict) -> StoredKey | None:
    h = {_s(k): _s(v) for k, v in raw.items()}
    if not h or "digest" not in h:
        return None
    return StoredKey(key_id, h.get("project", ""), h.get("read_only") == "1", h.get("salt", ""),
                     h["digest"], int(h.get("created_at", 0)) / 1000, bool(h.get("revoked_at")))


def add_key(client: Any, key_id: str, project: str, read_only: bool, salt: str, digest: str) -> None:
    client.hset(keys.api_key(key_id), mapping={
        "project": project, "read_only": int(read_only), "salt": salt, "digest": digest,
        "created_at": int(time.time() * 1000),
    })
    client.sadd(keys.api_keys_index(), key_id)


def all_keys(client: Any) -> list[StoredKey]:
    found = (read_key(client, _s(k)) for k in sorted(client.smembers(keys.api_keys_index())))
    return [k for k in found if k is not None]


def read_key(client: Any, key_id: str) -> StoredKey | None:
    return _stored(key_id, client.hgetall(keys.api_key(key_id))) if keys.valid_id(key_id) else None


async def read_key_async(client: Any, key_id: str) -> StoredKey | None:
    if not keys.valid_id(key_id):
        return None
    return _stored(key_id, await client.hgetall(keys.api_key(key_id)))


def revoke(client: Any, key_id: str) -> bool:
    """Marks the key revoked; False when there is no such key."""
    if not keys.valid_id(key_id) or not client.exists(keys.api_key(key_id)):
        return False
    client.hset(keys.api_key(key_id), "revoked_at", int(time.time() * 1000))
    return True
