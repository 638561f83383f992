-- Marks a run crashed when its lease has expired (rechecked here, atomically), and
-- queues its config for another attempt when the retry policy allows one.
-- KEYS[1] meta  KEYS[2] run hash  KEYS[3] leases  KEYS[4] retry list  KEYS[5] agent runs index
-- ARGV[1] run id  ARGV[2] now (ms)  ARGV[3] max attempts
-- Returns {"crashed", sweep state} | {"alive", ""} | {"gone", ""}
local exp = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not exp then return {'gone', ''} end
if tonumber(exp) > tonumber(ARGV[2]) then return {'alive', ''} end
redis.call('ZREM', KEYS[3], ARGV[1])
local r = redis.call('HMGET', KEYS[2], 'state', 'attempt', 'claim_key', 'config', 'agent_id')
redis.call('ZREM', KEYS[5], (r[5] or '') .. '\t' .. ARGV[1])
if not r[1] or is_terminal(r[1]) then return {'gone', ''} end
redis.call('HSET', KEYS[2], 'state', 'crashed', 'ended_at', ARGV[2],
  'error', 'lease expired: its agent stopped sending heartbeats')
move_count(KEYS[1], r[1], 'crashed')
queue_retry(KEYS[1], KEYS[4], tonumber(r[2] or '1'), r[3], r[4], ARGV[3])
return {'crashed', settle(KEYS[1], KEYS[4], ARGV[2])}
