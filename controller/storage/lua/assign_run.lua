-- Creates a run and hands it to an agent, atomically checking that the sweep takes
-- new runs, that run_cap is not reached and that the claim key is still free.
-- KEYS[1] meta  KEYS[2] runs zset  KEYS[3] leases  KEYS[4] claims  KEYS[5] run hash  KEYS[6] retry list
-- KEYS[7] agent runs index (zset, members "agent id TAB run id", scores 0)
-- ARGV[1] run id  ARGV[2] sweep id  ARGV[3] claim key ("" = none)  ARGV[4] config JSON
-- ARGV[5] agent id  ARGV[6] lease token  ARGV[7] now (ms)  ARGV[8] lease expiry (ms)
-- ARGV[9] note  ARGV[10] "retry" to take the config from the retry list instead of ARGV[3]/[4]
-- ARGV[11] claim keys the search has in all (0 = its space never runs out); claims of
-- points an update took out of the grid (meta `claims_gone`, update_sweep.lua) do not count
-- ARGV[12] the config version the suggestion was made under: refused ("stale") when
-- the sweep's config changed since; the run records it
-- ARGV[13] for a grid suggestion: the index its scan began at ("" = none). Every index
-- from there to the claimed one had nothing to hand out, so the cursor (meta
-- `grid_cursor`) moves past the claimed index when it lay in that range, then past any
-- indexes already claimed out of order; the search starts its next scan there.
-- ARGV[14] the host name the agent gave in its hello (recorded as the run's `host`)
-- run_cap counts configurations: a retry (attempt > 1) or a requeued run (any entry of
-- the retry list) does not count against it, nor do prior runs (n_total counts them,
-- n_configs does not).
-- A retry list entry is "attempt TAB claim key TAB config JSON[ TAB note]" (the note:
-- a run a user requeued, requeue_run.lua).
-- Handing out the last configuration (run_cap reached, every claim key taken) records
-- `exhausted`, so that the sweep finishes when its last run ends without another request.
-- Returns {"ok", number, config JSON, attempt, note} | {"state", state} | {"cap", state}
--       | {"claimed", ""} | {"empty", ""} | {"notfound", ""} | {"stale", version}
local m = redis.call('HMGET', KEYS[1], 'state', 'run_cap', 'n_total', 'n_configs', 'config_version',
  'claims_gone')
local state = m[1]
if not state then return {'notfound', ''} end
if (m[5] or '1') ~= ARGV[12] then return {'stale', m[5] or '1'} end
local retry = ARGV[10] == 'retry'
-- a finishing sweep starts no new configuration, but still retries the crashed ones
if state ~= 'running' and not (retry and state == 'finishing') then return {'state', state} end
local claim, config, attempt, note = ARGV[3], ARGV[4], 1, ARGV[9]
if retry then
  local entry = redis.call('LPOP', KEYS[6])
  if not entry then return {'empty', ''} end
  local t1 = string.find(entry, '\t', 1, true)
  local t2 = string.find(entry, '\t', t1 + 1, true)
  attempt = tonumber(string.sub(entry, 1, t1 - 1))
  claim = string.sub(entry, t1 + 1, t2 - 1)
  local t3 = string.find(entry, '\t', t2 + 1, true)
  config = string.sub(entry, t2 + 1, (t3 or 0) - 1)
  if t3 then note = string.sub(entry, t3 + 1) end
else
  -- n_configs: first attempts only (a sweep stored before it existed counts n_total)
  local cap, configs = tonumber(m[2] or '0'), tonumber(m[4] or m[3] or '0')
  if cap > 0 and configs >= cap then
    redis.call('HSET', KEYS[1], 'state', 'finishing', 'updated_at', ARGV[7])
    return {'cap', settle(KEYS[1], KEYS[6], ARGV[7])}
  end
  if claim ~= '' and redis.call('HEXISTS', KEYS[4], claim) == 1 then return {'claimed', ''} end
end
local number = redis.call('HINCRBY', KEYS[1], 'n_total', 1)
move_count(KEYS[1], nil, 'pending')
redis.call('HSET', KEYS[5], 'id', ARGV[1], 'sweep_id', ARGV[2], 'number', number,
  'state', 'pending', 'config', config, 'claim_key', claim, 'agent_id', ARGV[5],
  'token', ARGV[6], 'attempt', attempt, 'created_at', ARGV[7], 'note', note,
  'points', 0, 'last_seq', 0, 'should_stop', 0, 'config_version', ARGV[12], 'host', ARGV[14] or '')
redis.call('ZADD', KEYS[2], number, ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[1])
redis.call('ZADD', KEYS[7], 0, ARGV[5] .. '\t' .. ARGV[1])
if claim ~= '' then redis.call('HSET', KEYS[4], claim, ARGV[1]) end
if not retry then
  if not m[4] then redis.call('HSET', KEYS[1], 'n_configs', m[3] or '0') end
  local configs = redis.call('HINCRBY', KEYS[1], 'n_configs', 1)
  local cap, size = tonumber(m[2] or '0'), tonumber(ARGV[11])
  local claimed = redis.call('HLEN', KEYS[4]) - tonumber(m[6] or '0')
  if (cap > 0 and configs >= cap) or (size > 0 and claimed >= size) then
    redis.call('HSET', KEYS[1], 'exhausted', 1)
  end
  local index, from = tonumber(claim), tonumber(ARGV[13] or '')
  if index and from then
    local cursor = tonumber(redis.call('HGET', KEYS[1], 'grid_cursor') or '0')
    if cursor >= from and cursor <= index then
      cursor = index + 1
      -- bounded per call; the rest of a run of out-of-order claims is walked next time
      for _ = 1, 1000 do
        if redis.call('HEXISTS', KEYS[4], tostring(cursor)) == 0 then break end
        cursor = cursor + 1
      end
      redis.call('HSET', KEYS[1], 'grid_cursor', cursor)
    end
  end
end
return {'ok', tostring(number), config, tostring(attempt), note}
