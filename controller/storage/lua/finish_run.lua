-- Ends a run with the outcome its holder reports; idempotent for the same outcome.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] leases  KEYS[4] retry list  KEYS[5] summary hash
-- ARGV[1] lease token  ARGV[2] new state (finished|failed|stopped)  ARGV[3] exit code ("" = none)
-- ARGV[4] error  ARGV[5] now (ms)  ARGV[6] run id
-- Returns {"ok", state, sweep state, run hash, summary hash} | {"lease", state, ""}
--       | {"notfound", "", ""}
local r = redis.call('HMGET', KEYS[2], 'state', 'token', 'started_at', 'stop_kind')
if not r[1] then return {'notfound', '', ''} end
if r[2] ~= ARGV[1] then return {'lease', r[1], ''} end
if is_terminal(r[1]) then
  if r[1] == ARGV[2] then
    return {'ok', r[1], redis.call('HGET', KEYS[1], 'state'),
            redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[5])}
  end
  return {'lease', r[1], ''}
end
redis.call('HSET', KEYS[2], 'state', ARGV[2], 'ended_at', ARGV[5], 'error', ARGV[4])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], 'exit_code', ARGV[3]) end
if not r[3] then redis.call('HSET', KEYS[2], 'started_at', ARGV[5]) end
if ARGV[2] == 'stopped' and not r[4] then redis.call('HSET', KEYS[2], 'stop_kind', 'user') end
move_count(KEYS[1], r[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[6])
local sweep_state = settle(KEYS[1], KEYS[4], ARGV[5])
return {'ok', ARGV[2], sweep_state, redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[5])}
