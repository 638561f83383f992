"""The dashboard's reads of Redis: a synchronous client that never writes.

The dashboard (`dash_ui/data.py`) keeps what it has read and decides what to read
again; this module owns how: which keys, which commands, and two read-only Lua
scripts that pack many replies into one string each, so that a pure-Python client
parses one bulk reply per run instead of thousands. They run with EVALSHA_RO and
are flagged `no-writes`, so Redis refuses any write from them. A server without
EVAL_RO (Redis < 7) is read with plain pipelined commands from then on.

Every method returns plain values (dicts of the hashes' fields, lists of ids) for
the caller to decode with `records`; `REDIS_ERRORS` is what a broken or restarting
Redis raises (the dashboard shows a banner and retries).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

import redis

from . import keys
from .records import wall_seconds
from .store import decode_point

# What a broken or restarting Redis raises: the app shows a banner and retries.
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)

HASH_CHUNK = 1000  # hashes per Redis call

_READ_STREAMS_LUA = """#!lua flags=no-writes
-- The dashboard's read of new metric points: one JSON string per stream, so the
-- client parses one bulk reply per run. Read only (flag above; run with EVALSHA_RO).
-- KEYS[i]    metrics stream of one run
-- ARGV[1]    most entries to read per stream
-- ARGV[1+i]  id of the last entry already read from KEYS[i] ("-" = read from the start)
-- Returns 3 values per stream: id of the last entry read ("" = none), its wall time
-- (ms, "" = none), and "[[step, ...], [values JSON, ...]]" of the entries read.
local out = {}
local count = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local start = ARGV[1 + i]
  if start ~= '-' then start = '(' .. start end
  local entries = redis.call('XRANGE', key, start, '+', 'COUNT', count)
  local steps, vals = {}, {}
  local last, wall = '', ''
  for j, e in ipairs(entries) do
    local f = e[2]
    for k = 1, #f, 2 do
      local name = f[k]
      if name == 's' then steps[j] = f[k + 1]
      elseif name == 'v' then vals[j] = f[k + 1]
      elseif name == 't' then wall = f[k + 1] end
    end
    last = e[1]
  end
  out[#out + 1] = last
  out[#out + 1] = wall
  out[#out + 1] = '[[' .. table.concat(steps, ',') .. '],[' .. table.concat(vals, ',') .. ']]'
end
return out
"""

_READ_HASHES_LUA = """#!lua flags=no-writes
-- The dashboard's read of run records: each hash as one JSON array [field, value, ...],
-- so the client parses one string per hash. Read only (flag above; run with EVALSHA_RO).
-- KEYS[i]  a hash (run record or run summary)
-- Returns one JSON string per key ("{}" for a missing key: cjson's empty table).
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = cjson.encode(redis.call('HGETALL', key))
end
return out
"""

# New points of one stream: (id of the last entry read or "", wall time of the last
# point in s or None, steps, values dicts)
StreamRead = tuple[str, float | None, list[int], list[dict]]


class ReadOnlyStore:
    """Read-only, synchronous access to sweepd's Redis for the dashboard."""

    def __init__(self, client: redis.Redis):
        self.client = client  # also what the dashboard's login checks API keys with
        self.use_lua = True  # False once the server is seen without EVAL_RO
        self._shas: dict[str, str] = {}

    @classmethod
    def from_url(cls, url: str) -> "ReadOnlyStore":
        return cls(redis.Redis.from_url(url, decode_responses=True, socket_timeout=5,
                                        socket_connect_timeout=2))

    def close(self) -> None:
        self.client.close()

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except REDIS_ERRORS:
            return False

    # ------------------------------------------------------------ sweeps

    def sweep_ids(self) -> list[str]:
        """Every sweep's id, newest first."""
        return self.client.zrevrange(keys.sweeps_index(), 0, -1)

    def sweep_fields(self, sweep_ids: Sequence[str], fields: Sequence[str]) -> list[list[Any]]:
        """The given fields of each sweep's meta hash (None where missing), in one
        pipeline."""
        with self.client.pipeline(transaction=False) as pipe:
            for sid in sweep_ids:
                pipe.hmget(keys.sweep_meta(sid), list(fields))
            return pipe.execute()

    def sweep_meta(self, sweep_id: str) -> dict[str, str]:
        """A sweep's meta hash ({} when there is no such sweep)."""
        return self.client.hgetall(keys.sweep_meta(sweep_id))

    def sweep_head(self, sweep_id: str, after_number: int) -> tuple[dict[str, str], list[tuple[str, float]]]:
        """(meta hash, [(run id, run number)] of the runs numbered above after_number),
        in one round trip: what a follower of the sweep polls."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.sweep_meta(sweep_id))
            pipe.zrangebyscore(keys.sweep_runs(sweep_id), f"({after_number}", "+inf",
                               withscores=True)
            meta, new = pipe.execute()
        return meta, new

    def config_versions(self, sweep_id: str) -> tuple[list[str], str | None]:
        """(the sweep's config history entries, oldest first; its created_at (ms) for a
        sweep never updated)."""
        entries = self.client.lrange(keys.sweep_versions(sweep_id), 0, -1)
        created = None if entries else self.client.hget(keys.sweep_meta(sweep_id), "created_at")
        return entries, created

    # ------------------------------------------------------------ runs

    def run_ids(self, sweep_id: str) -> list[str]:
        """A sweep's run ids by run number."""
        return self.client.zrange(keys.sweep_runs(sweep_id), 0, -1)

    def runs(self, sweep_id: str, run_ids: Sequence[str], *, summaries: bool = True
             ) -> list[tuple[dict[str, str], dict[str, str]]]:
        """Each run's (record, summary) hashes ({} where missing; summaries {} unless
        asked for)."""
        if summaries:
            hashes = self.read_hashes([k for rid in run_ids for k in (
                keys.run(sweep_id, rid), keys.run_summary(sweep_id, rid))])
            return [(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return [(raw, {}) for raw in self.read_hashes([keys.run(sweep_id, rid) for rid in run_ids])]

    def run_with_output(self, sweep_id: str, run_id: str
                        ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """One run's record, summary and output hashes, in one pipeline."""
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.run(sweep_id, run_id))
            pipe.hgetall(keys.run_summary(sweep_id, run_id))
            pipe.hgetall(keys.run_output(sweep_id, run_id))
            raw, summary, output = pipe.execute()
        return raw, summary, output

    def read_hashes(self, hash_keys: Sequence[str]) -> list[dict[str, str]]:
        """HGETALL of each key ({} for a missing one), packed by a read-only script."""
        out: list[dict[str, str]] = []
        for start in range(0, len(hash_keys), HASH_CHUNK):
            chunk = list(hash_keys[start:start + HASH_CHUNK])
            if self.use_lua:
                try:
                    for packed in self._eval_ro("hashes", _READ_HASHES_LUA, chunk, []):
                        flat = json.loads(packed)
                        out.append(dict(zip(flat[0::2], flat[1::2])) if flat else {})
                    continue
                except redis.ResponseError as exc:
                    if "unknown command" not in str(exc).lower():
                        raise
                    self.use_lua = False  # no EVAL_RO (Redis < 7): plain commands from now on
            with self.client.pipeline(transaction=False) as pipe:
                for key in chunk:
                    pipe.hgetall(key)
                out += pipe.execute()
        return out

    # ------------------------------------------------------------ metric streams

    def read_streams(self, sweep_id: str, run_ids: Sequence[str], after: Sequence[str],
                     count: int) -> list[StreamRead]:
        """At most `count` new points of each run's metric stream after the given
        entry ids ("-" = from the start)."""
        if not run_ids:
            return []
        stream_keys = [keys.run_metrics(sweep_id, rid) for rid in run_ids]
        if self.use_lua:
            try:
                return self._read_lua(stream_keys, after, count)
            except redis.ResponseError as exc:
                if "unknown command" not in str(exc).lower():
                    raise
                self.use_lua = False  # no EVAL_RO (Redis < 7): plain XRANGE from now on
        return read_streams_xrange(self.client, stream_keys, after, count)

    def _read_lua(self, stream_keys: Sequence[str], after: Sequence[str], count: int
                  ) -> list[StreamRead]:
        raw = self._eval_ro("streams", _READ_STREAMS_LUA, stream_keys, [count, *after])
        out = []
        for i in range(0, len(raw), 3):
            last_id, wall, packed = raw[i], raw[i + 1], raw[i + 2]
            steps, values = json.loads(packed)
            out.append((last_id, wall_seconds(wall) if wall else None, steps, values))
        return out

    def _eval_ro(self, name: str, source: str, script_keys: Sequence[str], args: Sequence[Any]):
        sha = self._shas.get(name)
        if sha is None:
            sha = self._shas[name] = self.client.script_load(source)
        try:
            return self.client.evalsha_ro(sha, len(script_keys), *script_keys, *args)
        except redis.exceptions.NoScriptError:  # Redis restarted or flushed its scripts
            sha = self._shas[name] = self.client.script_load(source)
            return self.client.evalsha_ro(sha, len(script_keys), *script_keys, *args)


def read_streams_xrange(client: redis.Redis, stream_keys: Sequence[str], after: Sequence[str],
                        count: int | None = None) -> list[StreamRead]:
    """The same read as the Lua script, with one pipelined XRANGE per stream."""
    with client.pipeline(transaction=False) as pipe:
        for key, last in zip(stream_keys, after):
            pipe.xrange(key, "-" if last == "-" else f"({last}", "+", count=count)
        replies = pipe.execute()
    out = []
    for entries in replies:
        points = [decode_point(fields) for _, fields in entries]
        out.append((entries[-1][0] if entries else "",
                    wall_seconds(entries[-1][1].get("t")) if entries else None,
                    [p.step for p in points], [p.values for p in points]))
    return out


__all__ = ["HASH_CHUNK", "REDIS_ERRORS", "ReadOnlyStore", "StreamRead", "read_streams_xrange"]
