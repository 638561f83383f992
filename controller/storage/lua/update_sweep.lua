-- Makes a new config version of a sweep (UpdateSweep): stores the config, its
-- history entry and run_cap, re-keys a grid's claims, and moves the sweep's state
-- as the new run_cap asks; refused when the sweep changed since the caller read it.
-- KEYS[1] meta  KEYS[2] versions list  KEYS[3] claims  KEYS[4] retry list
-- ARGV[1] the config version the caller read  ARGV[2] new config JSON
-- ARGV[3] new run_cap (0 = none)  ARGV[4] now (ms)
-- ARGV[5] the new version's history entry (JSON)
-- ARGV[6] version 1's history entry (JSON), pushed first when the list is empty
-- ARGV[7] "cap" (run_cap raised), "space" (parameters changed) or ""
-- ARGV[8] how many claims the caller read ("" = leave the claims as they are)
-- ARGV[9..] new claim key, run id, new claim key, run id, ... (retries waiting in the
-- list take their run's new claim key)
-- Returns {"ok", state} | {"stale", version} | {"state", state} | {"notfound", ""}
local m = redis.call('HMGET', KEYS[1], 'state', 'config_version', 'n_total', 'exhausted',
  'n_configs')
local state = m[1]
if not state then return {'notfound', ''} end
if state == 'cancelled' then return {'state', state} end
local version = tonumber(m[2] or '1')
if version ~= tonumber(ARGV[1]) then return {'stale', tostring(version)} end
if ARGV[8] ~= '' and redis.call('HLEN', KEYS[3]) ~= tonumber(ARGV[8]) then
  return {'stale', tostring(version)}
end
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('RPUSH', KEYS[2], ARGV[6]) end
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[1], 'config', ARGV[2], 'config_version', version + 1,
  'run_cap', ARGV[3], 'updated_at', ARGV[4])
redis.call('HDEL', KEYS[1], 'exhausted')
if ARGV[8] ~= '' then
  -- a retry waiting in the list carries its run's old claim key: give it the new one
  -- (the key the run holding that claim has now, "v<version>:<index>" for a point gone)
  local moved = {}
  for i = 9, #ARGV, 2 do moved[ARGV[i + 1]] = ARGV[i] end
  local waiting = redis.call('LRANGE', KEYS[4], 0, -1)
  for i, entry in ipairs(waiting) do
    local t1 = string.find(entry, '\t', 1, true)
    local t2 = string.find(entry, '\t', t1 + 1, true)
    local claim = string.sub(entry, t1 + 1, t2 - 1)
    if claim ~= '' then
      local holder = redis.call('HGET', KEYS[3], claim)
      local key = holder and moved[holder] or ''
      redis.call('LSET', KEYS[4], i - 1,
        string.sub(entry, 1, t1) .. key .. string.sub(entry, t2))
    end
  end
  redis.call('DEL', KEYS[3])
  local gone = 0
  for i = 9, #ARGV, 2 do
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
    if string.sub(ARGV[i], 1, 1) == 'v' then gone = gone + 1 end
  end
  -- claims of points the grid no longer has: assign_run does not count them
  redis.call('HSET', KEYS[1], 'claims_gone', gone)
end
-- a new version may change a grid's indexes or which of its points are valid: its
-- next search reads the claims and scans from the start once (assign_run.lua's cursor)
redis.call('HDEL', KEYS[1], 'grid_cursor')
-- run_cap counts configurations as assign_run.lua does (n_configs: not prior runs, not
-- retries or requeued runs; a sweep stored before it existed counts n_total)
local cap, total = tonumber(ARGV[3]), tonumber(m[5] or m[3] or '0')
local room = cap == 0 or total < cap
local grew = ARGV[7] == 'cap' or (ARGV[7] == 'space' and m[4] == '1')
local to = state
if room and grew and (state == 'finishing' or state == 'finished') then to = 'running' end
if not room and (state == 'running' or state == 'paused') then to = 'finishing' end
if to ~= state then redis.call('HSET', KEYS[1], 'state', to) end
if to == 'finishing' then to = settle(KEYS[1], KEYS[4], ARGV[4]) end
return {'ok', to}
