-- Stores one metric batch of a run, once. Batches are numbered 1, 2, 3, ... per run:
-- a batch whose seq is not above the last stored one is a resend (every seq up to it
-- was stored) and is acknowledged without storing anything; one more than the last
-- is stored; anything further is a gap, refused with the last seq stored. Seqs are
-- at most 2^53 - 1 (checked by the caller), so Lua's doubles compare them exactly.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] summary hash  KEYS[4] objective list  KEYS[5] metrics stream
-- KEYS[6] stopping index  KEYS[7] its marks (the run's new values enter the index when
-- the sweep has one: _stop_index.lua)
-- ARGV[1] lease token  ARGV[2] seq  ARGV[3] now (ms)  ARGV[4] run id
-- ARGV[5] objective sign (1 = minimize, -1 = maximize)  ARGV[6] target ("" = none)
-- ARGV[7] --metrics-maxlen (0 = keep all): the stream keeps about its newest ARGV[7]
--   points (MAXLEN ~), the objective list only its first ARGV[7] entries (what stopping
--   rules judge: their checkpoints count from a run's first value); the run's best,
--   the sweep's best and the target still see every value
-- ARGV[8] n points, then one per point: "step TAB wall time (ms) TAB values JSON"
-- then n summary pairs, then 2 per pair: key, value JSON
-- then n objective entries, then the entries: the sweep metric's values (finite numbers,
--   in log order) or, for a multi-objective sweep, JSON arrays of its objectives (one
--   per log call holding them all), which set no best and reach no target
-- then n best fields, then 3 per field: run-hash field, sign, the batch's best value
--   (a multi-objective sweep's objectives: kept when better than the stored one)
-- Returns {"ok"|"dup", should_stop, sweep state, entries in the objective list, entries
--         this batch added to it ("0" for a dup)}
--       | {"gap", last seq stored, ""} | {"lease", state, ""} | {"notfound", "", ""}
local r = redis.call('HMGET', KEYS[2], 'state', 'token', 'last_seq', 'should_stop', 'best', 'points', 'ignored')
if not r[1] then return {'notfound', '', ''} end
if r[2] ~= ARGV[1] then return {'lease', r[1], ''} end
local seq, last = tonumber(ARGV[2]), tonumber(r[3] or '0')
if seq <= last then
  return {'dup', r[4] or '0', redis.call('HGET', KEYS[1], 'state'), redis.call('LLEN', KEYS[4]), '0'}
end
if r[1] ~= 'pending' and r[1] ~= 'running' then return {'lease', r[1], ''} end
if seq ~= last + 1 then return {'gap', r[3] or '0', ''} end
if r[1] == 'pending' then
  redis.call('HSET', KEYS[2], 'state', 'running', 'started_at', ARGV[3])
  move_count(KEYS[1], 'pending', 'running')
end
local maxlen = tonumber(ARGV[7])
local i = 8
local npoints = tonumber(ARGV[i])
for p = 1, npoints do
  local entry = ARGV[i + p]
  local t1 = string.find(entry, '\t', 1, true)
  local t2 = string.find(entry, '\t', t1 + 1, true)
  local step, wall, vals = string.sub(entry, 1, t1 - 1), string.sub(entry, t1 + 1, t2 - 1),
    string.sub(entry, t2 + 1)
  if maxlen > 0 then
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 's', step, 't', wall, 'v', vals)
  else
    redis.call('XADD', KEYS[5], '*', 's', step, 't', wall, 'v', vals)
  end
end
i = i + npoints + 1
local npairs = tonumber(ARGV[i])
for p = 1, npairs do
  redis.call('HSET', KEYS[3], ARGV[i + 1], ARGV[i + 2])
  i = i + 2
end
i = i + 1
local nobj = tonumber(ARGV[i])
local sign = tonumber(ARGV[5])
local best = r[5]
local sweep_state = redis.call('HGET', KEYS[1], 'state')
local room = nobj
if maxlen > 0 then room = math.max(0, maxlen - redis.call('LLEN', KEYS[4])) end
for p = 1, nobj do
  local v = ARGV[i + p]
  if p <= room then redis.call('RPUSH', KEYS[4], v) end
  local x = tonumber(v)
  if x then
    if not best or sign * x < sign * tonumber(best) then best = v end
    if ARGV[6] ~= '' and sign * x <= sign * tonumber(ARGV[6]) and sweep_state == 'running' then
      redis.call('HSET', KEYS[1], 'state', 'finishing', 'target_run', ARGV[4])
      sweep_state = 'finishing'
    end
  end
end
i = i + nobj + 1
for p = 1, tonumber(ARGV[i] or '0') do
  local field, s, v = ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  local stored = redis.call('HGET', KEYS[2], field)
  if not stored or s * tonumber(v) < s * tonumber(stored) then
    redis.call('HSET', KEYS[2], field, v)
  end
  i = i + 3
end
if nobj > 0 then
  local spec = stop_spec(KEYS[1])
  if spec then stop_index_run(spec, KEYS[1], KEYS[6], KEYS[7], KEYS[2], KEYS[4], ARGV[4]) end
end
if best then
  redis.call('HSET', KEYS[2], 'best', best)
end
-- an ignored run (SetRunIgnored) is never the sweep's best
if best and r[7] ~= '1' then
  local sb = redis.call('HGET', KEYS[1], 'best_value')
  if not sb or sign * tonumber(best) < sign * tonumber(sb) then
    redis.call('HSET', KEYS[1], 'best_value', best, 'best_run', ARGV[4])
  end
end
redis.call('HSET', KEYS[2], 'last_seq', ARGV[2], 'points', tonumber(r[6] or '0') + npoints)
return {'ok', r[4] or '0', sweep_state, redis.call('LLEN', KEYS[4]), tostring(math.min(nobj, room))}
