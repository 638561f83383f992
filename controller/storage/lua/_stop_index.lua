-- The stopping index, shared by report_metrics, stop_index_build and stop_standings
-- (scripts.py prepends it to those). It lets early termination judge a sweep's running
-- runs without reading every run's history (docs/search-and-stopping.md, "How
-- thresholds are kept").
--
-- The index is one sorted set whose members all have score 0, so that it is ordered by
-- the bytes of its members: the band (an iteration count, 4 bytes big-endian), the run's
-- value there (8 bytes that sort as the number does), the run id. A band's members lie
-- together, sorted by value, so its size (ZLEXCOUNT), its k-th value (ZRANGE by rank)
-- and a run's place in it (ZRANK) each cost O(log n) in the size of the index.
--
-- What the index holds is described by meta fields the reset script writes:
-- stop_gen (generation, bumped by each reset), stop_sign (-1: the metric is maximised,
-- values are negated so lower is better), stop_value ("at": a run's value at band b is
-- its b-th value; "best": the best of its first b values), stop_every (median: every
-- iteration count from this one on is a band; otherwise the bands are the members of
-- the marks set), stop_upto (the marks are complete up to this count; a run indexed
-- further sets stop_over, and the controller reads every history again).
-- Each run hash records how far it is indexed: idx_gen (the generation), idx_n (values
-- indexed), idx_min (best of them, negated for maximize), idx_band and idx_val (the last
-- band it reached and its value there).

local function stop_band(b)
  return struct.pack('>I4', b)
end

local function stop_flip(s)
  local b = {string.byte(s, 1, 8)}
  for i = 1, 8 do b[i] = 255 - b[i] end
  return string.char(unpack(b))
end

-- 8 bytes whose byte order is the numeric order of x (-0 is taken as 0)
local function stop_sortable(x)
  if x == 0 then x = 0 end
  local s = struct.pack('>d', x)
  local first = string.byte(s, 1)
  if first >= 128 then return stop_flip(s) end
  return string.char(first + 128) .. string.sub(s, 2)
end

local function stop_number(e)
  local first = string.byte(e, 1)
  if first >= 128 then return (struct.unpack('>d', string.char(first - 128) .. string.sub(e, 2))) end
  return (struct.unpack('>d', stop_flip(e)))
end

local function stop_fmt(x)
  return string.format('%.17g', x)
end

-- The index's description (nil when the sweep has none).
local function stop_spec(meta)
  local m = redis.call('HMGET', meta, 'stop_gen', 'stop_sign', 'stop_value', 'stop_every', 'stop_upto',
    'stop_tag')
  if not m[6] then return nil end
  return {gen = m[1], sign = tonumber(m[2]), at = m[3] == 'at', every = tonumber(m[4] or ''),
          upto = tonumber(m[5] or '')}
end

-- Brings one run's members up to date: its values from+1 .. upto, where `from` is how
-- many it has indexed in this generation (0 in another) and `upto` how many it has, or
-- its stop_len once it was asked to stop (what it logs after that counts nowhere).
local function stop_index_run(spec, meta, index, marks, run, objective, run_id)
  local r = redis.call('HMGET', run, 'idx_gen', 'idx_n', 'idx_min', 'should_stop', 'stop_len',
    'idx_band', 'idx_val')
  local from, best, band, val = 0, nil, nil, nil
  if r[1] == spec.gen then
    from, best, band, val = tonumber(r[2]), tonumber(r[3]), r[6], tonumber(r[7] or '')
  end
  local count = redis.call('LLEN', objective)
  local upto = count
  if r[4] == '1' and r[5] then upto = math.min(upto, tonumber(r[5])) end
  if upto <= from then return end
  -- negative indexes: the list is walked from its tail, where new values are
  local values = redis.call('LRANGE', objective, from - count, upto - count - 1)
  local crossed = {}
  if not spec.every then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', marks, '(' .. from, upto)) do
      crossed[tonumber(m)] = true
    end
  end
  for j = from + 1, upto do
    local x = spec.sign * tonumber(values[j - from])
    if not best or x < best then best = x end
    if crossed[j] or (spec.every and j >= spec.every) then
      local v = best
      if spec.at then v = x end
      redis.call('ZADD', index, 0, stop_band(j) .. stop_sortable(v) .. run_id)
      band, val = j, v
    end
  end
  redis.call('HSET', run, 'idx_gen', spec.gen, 'idx_n', upto, 'idx_min', stop_fmt(best))
  if band then
    redis.call('HSET', run, 'idx_band', band, 'idx_val', stop_fmt(val))
  else
    redis.call('HDEL', run, 'idx_band', 'idx_val')
  end
  if spec.upto and upto > spec.upto then redis.call('HSET', meta, 'stop_over', 1) end
end
