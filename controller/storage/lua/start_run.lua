-- pending -> running for the lease holder; idempotent when already running.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] leases  KEYS[4] summary hash
-- ARGV[1] lease token  ARGV[2] now (ms)  ARGV[3] lease expiry (ms)  ARGV[4] run id
-- Returns {"ok", state, run hash, summary hash} | {"lease", state} | {"notfound", ""}
local r = redis.call('HMGET', KEYS[2], 'state', 'token')
if not r[1] then return {'notfound', ''} end
if r[2] ~= ARGV[1] then return {'lease', r[1]} end
if r[1] == 'running' then
  return {'ok', 'running', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[4])}
end
if r[1] ~= 'pending' then return {'lease', r[1]} end
redis.call('HSET', KEYS[2], 'state', 'running', 'started_at', ARGV[2])
move_count(KEYS[1], 'pending', 'running')
redis.call('ZADD', KEYS[3], 'XX', ARGV[3], ARGV[4])
return {'ok', 'running', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[4])}
