-- Marks a run ignored (or not) and keeps the sweep's best run right: an ignored or
-- prior run is never the best. Ignoring the best run recomputes the best from the
-- 'best' field of every other run; taking a run into account again makes it the
-- best when its own best beats the sweep's. The meta's 'curation' counter goes up
-- by one, so that readers that do not re-read ended runs (the dashboard) notice.
-- KEYS[1] meta  KEYS[2] the run's hash  KEYS[3..n] every run hash of the sweep
-- ARGV[1] "1" ignore | "0" take into account  ARGV[2] objective sign (1 = minimize,
--   -1 = maximize)  ARGV[3] run id, then the run ids of KEYS[3..n], in that order
-- Returns {"ok", best run id ("" = none)} | {"notfound", ""}
local r = redis.call('HMGET', KEYS[2], 'state', 'best', 'prior')
if not r[1] then return {'notfound', ''} end
local sign = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[1], 'curation', 1)
local m = redis.call('HMGET', KEYS[1], 'best_run', 'best_value')
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[2], 'ignored', 1)
  if m[1] == ARGV[3] then
    local best_run, best = nil, nil
    for k = 3, #KEYS do
      local o = redis.call('HMGET', KEYS[k], 'best', 'ignored', 'prior')
      if o[1] and o[2] ~= '1' and o[3] ~= '1' then
        if not best or sign * tonumber(o[1]) < sign * tonumber(best) then
          best, best_run = o[1], ARGV[k + 1]
        end
      end
    end
    if best_run then
      redis.call('HSET', KEYS[1], 'best_run', best_run, 'best_value', best)
    else
      redis.call('HDEL', KEYS[1], 'best_run', 'best_value')
    end
  end
else
  redis.call('HDEL', KEYS[2], 'ignored')
  if r[2] and r[3] ~= '1' and (not m[2] or sign * tonumber(r[2]) < sign * tonumber(m[2])) then
    redis.call('HSET', KEYS[1], 'best_run', ARGV[3], 'best_value', r[2])
  end
end
return {'ok', redis.call('HGET', KEYS[1], 'best_run') or ''}
