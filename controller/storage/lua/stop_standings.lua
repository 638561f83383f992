-- Where each active run of a sweep stands in its band of the stopping index, in one
-- consistent read: for a running run not asked to stop, its band, its value there and
-- the band's threshold (the value at the rank the rule takes; for median the one or
-- two middle values of the band without the run itself). Costs O(log n) per run in the
-- size of the index; the runs judged are the active ones, not the whole sweep.
-- KEYS[1] meta  KEYS[2] stopping index  KEYS[3..] run hashes
-- ARGV[1] tag the caller's config gives the index  ARGV[2] rule (hyperband | asha | median)
-- ARGV[3] eta  ARGV[4] fewest peers median judges with  ARGV[5..] run ids of KEYS[3..]
-- Returns {"ok", then 8 per judged run: run id, run number, band, values indexed,
--   value at the band, best so far, runs in the band, threshold value(s) ("a" or
--   "a b"; "" = none)}
--   | {"other"} (the index is for another tag, or there is none) | {"building"} | {"over"}
--   | {"broken"} (a member the run hashes promise is missing)
local m = redis.call('HMGET', KEYS[1], 'stop_tag', 'stop_gen', 'stop_ready', 'stop_over')
if m[1] ~= ARGV[1] or not m[2] then return {'other'} end
if m[3] ~= m[2] then return {'building'} end
if m[4] then return {'over'} end
local gen, rule, eta, min_peers = m[2], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local index = KEYS[2]
local bands = {}

local function band_of(b)
  local found = bands[b]
  if not found then
    local p = stop_band(b)
    local lo = redis.call('ZLEXCOUNT', index, '-', '(' .. p)
    local n = redis.call('ZLEXCOUNT', index, '[' .. p, '(' .. stop_band(b + 1))
    found = {lo = lo, n = n}
    bands[b] = found
  end
  return found
end

local broken = false
local function value_at(rank)
  local member = redis.call('ZRANGE', index, rank, rank)[1]
  if not member then  -- cannot be, as the index is kept; read every history instead
    broken = true
    return ''
  end
  return stop_fmt(stop_number(string.sub(member, 5, 12)))
end

local out = {'ok'}
for i = 3, #KEYS do
  local run_id = ARGV[i + 2]
  local r = redis.call('HMGET', KEYS[i], 'state', 'should_stop', 'idx_gen', 'idx_n', 'idx_band',
    'idx_val', 'idx_min', 'number')
  if r[1] == 'running' and r[2] ~= '1' and r[3] == gen and r[5] then
    local b = tonumber(r[5])
    local s = band_of(b)
    local threshold = ''
    if rule == 'median' then
      local own = redis.call('ZRANK', index, stop_band(b) .. stop_sortable(tonumber(r[6])) .. run_id)
      local peers = s.n - 1
      if own and peers >= min_peers then
        local mine = own - s.lo
        local function peer(j)
          if j >= mine then j = j + 1 end
          return value_at(s.lo + j)
        end
        if peers % 2 == 1 then
          threshold = peer((peers - 1) / 2)
        else
          threshold = peer(peers / 2 - 1) .. ' ' .. peer(peers / 2)
        end
      end
    else
      local k
      if rule == 'asha' then
        k = math.max(1, math.ceil(s.n / eta - 1e-9)) - 1
      else
        k = math.floor(s.n / eta)
      end
      threshold = value_at(s.lo + k)
    end
    if broken then return {'broken'} end
    for _, x in ipairs({run_id, r[8] or '0', r[5], r[4], r[6], r[7], tostring(s.n), threshold}) do
      out[#out + 1] = x
    end
  end
end
return out
